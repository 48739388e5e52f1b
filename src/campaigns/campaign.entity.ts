import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';

export const CAMPAIGN_STATUSES = ['draft', 'active', 'closed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/**
 * Groups events (and the demands they push) under one heading, e.g. "Defend
 * the popular vote — second round". Owned by exactly one coalition or one
 * organisation. Drafts are seen only by those who manage the owner.
 */
@Entity('campaigns')
@Check('ck_campaigns_owner', `("organisation_id" IS NULL) <> ("coalition_id" IS NULL)`)
@Check('ck_campaigns_status', `"status" IN ('draft','active','closed')`)
@Check('ck_campaigns_dates', `"ends_on" IS NULL OR "ends_on" >= "starts_on"`)
@Index('ix_campaigns_listing', ['startsOn', 'id'])
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'date' })
  startsOn: string;

  @Column({ type: 'date', nullable: true })
  endsOn: string | null;

  @Column({ type: 'text', default: 'draft' })
  status: CampaignStatus;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
