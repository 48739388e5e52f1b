import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { SIGNUP_STATUSES, type SignupStatus } from './event-signup.entity';

/** Shapes of check-in at the door (issue 21), documented for OpenAPI. */

export const CHECK_IN_ANSWERS = ['checked_in', 'already', 'conflict', 'unknown', 'cancelled', 'waitlisted', 'late'] as const;
export type CheckInAnswerResult = (typeof CHECK_IN_ANSWERS)[number];

/** One line of the manifest: what a door shows and matches offline. Never an e-mail, a phone or a member id. */
export class ManifestEntry {
  @ApiProperty({ type: String, example: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a' }) signupId: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1', description: 'sha256 (hex) of the QR token' })
  tokenHash: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2',
    description: 'sha256 (hex) of the short code, upper case, without its hyphen',
  })
  codeHash: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Rosa Quispe', description: 'The name given at signup (guest or attendee); null once erased' }) name: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null }) shiftId: string | null;
  @ApiProperty({ enum: SIGNUP_STATUSES, example: 'going' }) status: SignupStatus;
}

export class PoolCounts {
  @ApiProperty({ type: Number, example: 120, description: 'Seats held (going, attended, no-show)' }) going: number;
  @ApiProperty({ type: Number, example: 87, description: 'Checked in, walk-ins beyond capacity included' }) attended: number;
}

export class ShiftCounts extends PoolCounts {
  @ApiProperty({ type: String, example: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d' }) shiftId: string;
}

export class ManifestCounts extends PoolCounts {
  @ApiProperty({ type: [ShiftCounts], example: [{ shiftId: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d', going: 12, attended: 9 }] }) perShift: ShiftCounts[];
}

/**
 * What a door takes offline. `signature` is HMAC-SHA256, with a key only the
 * server holds, over the sha256 (hex) of the canonical JSON of everything
 * else (keys sorted at every level, no whitespace: canonicalJson in
 * src/events/check-in-codes.ts).
 */
export class CheckInManifest {
  @ApiProperty({ type: String, example: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b' }) eventId: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-08T20:30:00.000Z' }) issuedAt: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-09T13:00:00.000Z', description: 'The event’s end plus CHECKIN_MANIFEST_HOURS: no check-in is taken after it' }) expiresAt: string;
  @ApiProperty({ type: [ManifestEntry] }) entries: ManifestEntry[];
  @ApiProperty({ type: ManifestCounts }) counts: ManifestCounts;
  @ApiProperty({ type: String, example: 'Zx8pQ2mN7vR4tK9wB3cL6yH1jF5dS0aG-uE_iO2nM4k' }) signature: string;
}

/**
 * What the door page (src/pages, not the API) loads: the manifest as the
 * API issues it, and what the page shows beside it.
 */
export interface DoorPageManifest {
  manifest: CheckInManifest;
  event: { id: string; title: string; startsAt: string; endsAt: string; timezone: string; shifts: { id: string; name: string }[] };
  /** A door link's own label (what other doors are told in a conflict); null for a logged-in organiser or host. */
  door: { label: string | null; link: boolean };
}

export class CheckInConflict {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Puerta 2 — Jr. de la Unión', description: 'The door that checked them in (null: an organiser, from the signup list)' }) door:
    string | null;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-08T21:38:02.000Z' }) at: string;
}

export class CheckInItemAnswer {
  @ApiProperty({ type: String, example: '5f0c9a8e-2b1d-4e7f-9a3c-6d8e1f2a4b7c' }) clientId: string;
  @ApiProperty({
    enum: CHECK_IN_ANSWERS,
    example: 'checked_in',
    description:
      'checked_in; already (this clientId was sent before: firstResult is what it came to); conflict (checked in before by another scan: see conflict); unknown (no signup behind it on this event); cancelled; waitlisted (holds no seat: not checked in); late (scanned after the event ended: not checked in)',
  })
  result: CheckInAnswerResult;
  @ApiPropertyOptional({ enum: CHECK_IN_ANSWERS.filter((r) => r !== 'already'), example: 'checked_in', description: 'With already: what the first answer was' })
  firstResult?: Exclude<CheckInAnswerResult, 'already'>;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a' }) signupId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Rosa Quispe' }) name: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: null }) shiftId: string | null;
  @ApiPropertyOptional({ type: Boolean, example: false, description: 'Walk-ins: let in with no seat left (counted apart)' }) overCapacity?: boolean;
  @ApiPropertyOptional({ type: CheckInConflict }) conflict?: CheckInConflict;
}

export class CheckInBatchAnswer {
  @ApiProperty({ type: [CheckInItemAnswer] }) items: CheckInItemAnswer[];
}

export class DoorLinkView {
  @ApiProperty({ type: String, example: '0c4e8a2f-6b1d-4f3a-9e7c-5d2b8a4f1e6c' }) id: string;
  @ApiProperty({ type: String, example: 'Puerta 2 — Jr. de la Unión' }) label: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-06-09T13:00:00.000Z', description: 'The event’s end plus CHECKIN_MANIFEST_HOURS' }) expiresAt: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: '8b3e6a9d-2c5f-4b8e-a1d4-7c0f3b6e9a2d' }) createdBy: string | null;
  @ApiProperty({ type: Date, example: '2026-06-07T18:00:00.000Z' }) createdAt: Date;
  @ApiPropertyOptional({ type: Date, nullable: true, example: null }) revokedAt: Date | null;
}

export class DoorLinkCreated extends DoorLinkView {
  @ApiProperty({ type: String, example: 'kX3v9Qm2Rb7Ht5Wy8Lp4Nz6Jc1Fd0Gs_aE-uT2oYx1', description: 'Shown once: send it as `Authorization: DoorLink <secret>` or `X-Door-Link`' }) secret: string;
  @ApiProperty({
    type: String,
    example: 'https://convoca.example.org/checkin/e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b#door=kX3v9Qm2Rb7Ht5Wy8Lp4Nz6Jc1Fd0Gs_aE-uT2oYx1',
    description: 'The door page’s address, the secret in its fragment (never sent to a server, never in a log)',
  })
  url: string;
}

export class PoolTurnout {
  @ApiProperty({ type: Number, example: 120, description: 'Seats held: going, attended and no-show signups (walk-ins beyond capacity not included)' }) going: number;
  @ApiProperty({ type: Number, example: 94, description: 'Checked in, walk-ins included' }) attended: number;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 31, description: 'Held a seat at the end and never came; null until the event has ended' }) noShow: number | null;
  @ApiProperty({ type: Number, example: 5, description: 'Let in at the door with no signup' }) walkIns: number;
  @ApiProperty({ type: Number, example: 2, description: 'Walk-ins let in with no seat left: counted apart, never in going' }) overCapacity: number;
}

export class ShiftTurnout extends PoolTurnout {
  @ApiProperty({ type: String, example: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d' }) shiftId: string;
  @ApiProperty({ type: String, example: 'Primeros auxilios' }) name: string;
}

export class EventTurnout extends PoolTurnout {
  @ApiProperty({ type: String, example: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b' }) eventId: string;
  @ApiProperty({ type: Boolean, example: true }) ended: boolean;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 500 }) capacity: number | null;
  @ApiProperty({ type: [ShiftTurnout] }) perShift: ShiftTurnout[];
}

/** A partner's exact turnout over a coalition's ended events, before suppression (MemberStatsService applies it). */
export interface PartnerTurnoutCounts {
  going: number;
  attended: number;
  noShow: number;
}
