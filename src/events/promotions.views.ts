import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import type { Count } from '../members/members.views';
import { PROMOTION_STATUSES, type PromotionStatus } from './promotion-workflow';

/** Shapes of the promotions API (issue 22). */

/** Who promotes: an organisation or a coalition. */
export class PromoterRef {
  @ApiProperty({ enum: ['organisation', 'coalition'] }) kind: 'organisation' | 'coalition';
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) slug: string;
  @ApiProperty({ type: String }) name: string;
}

export class PromotionView {
  @ApiProperty({ type: String }) id: string;
  @ApiProperty({ type: String }) eventId: string;
  @ApiProperty({ type: PromoterRef }) promoter: PromoterRef;
  @ApiProperty({
    type: String,
    example: 'k7m2x9qa',
    description: 'The promoter’s code: its links are /e/{eventId}?ref={ref}; a signup made through one is counted as its referral while the promotion is active',
  })
  ref: string;
  @ApiProperty({ type: String, example: 'https://convoca.example.org/e/e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b?ref=k7m2x9qa', description: 'The link to share' }) url: string;
  @ApiProperty({ enum: PROMOTION_STATUSES }) status: PromotionStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty({ type: Date }) createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) endedAt: Date | null;
}

const COUNT_SCHEMA = { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['<5', 'suppressed'] }] };

/** One promoter's referrals to one event: signups made through its links, by their status now. */
export class PromoterReferrals {
  @ApiProperty({ type: PromoterRef }) promoter: PromoterRef;
  @ApiProperty({ ...COUNT_SCHEMA, example: 23, description: 'Live signups made through its links (going, waitlisted, attended, no-show; not cancelled)' }) signups: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: 12, description: 'Holding a seat, not checked in (yet)' }) going: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: '<5', description: 'On the waiting list' }) waitlisted: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: 7, description: 'Checked in: the turnout' }) attended: Count;
  @ApiProperty({ ...COUNT_SCHEMA, example: '<5', description: 'Marked as not having come' }) noShow: Count;
}

export class PromotionStatsView {
  @ApiProperty({ type: String }) eventId: string;
  @ApiProperty({
    type: Boolean,
    example: true,
    description:
      'true for the event’s managers: every promoter, exact counts. false for a promoter: its own referrals only, counts under 5 as "<5" and a count that could be worked out from the others withheld as "suppressed" (else signups is)',
  })
  exact: boolean;
  @ApiProperty({ type: Number, example: 5 }) suppressionThreshold: number;
  @ApiProperty({ type: [PromoterReferrals] }) promoters: PromoterReferrals[];
}
