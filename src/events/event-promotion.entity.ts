import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';
import { Event } from './event.entity';
import type { PromotionStatus } from './promotion-workflow';

/**
 * A partner promoting another host's public event (issue 22): an
 * organisation (its organisers) or a coalition (its coordinators) lists the
 * event as its own — on its page, in its calendar feed — and shares a link
 * carrying `ref`, a short code of its own, so that the signups made through
 * that link are counted as its referrals (`event_signups.promoted_by`).
 *
 * One live (`active`) promotion per event and promoter (partial unique
 * indexes); an ended one stays, so that its signups keep their promoter and
 * its ref records nothing any more; a new promotion gets a new ref.
 * Promotions are never deleted.
 */
@Entity('event_promotions')
@Check('ck_event_promotions_promoter', `("organisation_id" IS NULL) <> ("coalition_id" IS NULL)`)
@Check('ck_event_promotions_status', `"status" IN ('active','ended','refused')`)
@Index('uq_event_promotions_live_organisation', ['eventId', 'organisationId'], { unique: true, where: `"status" = 'active' AND "organisation_id" IS NOT NULL` })
@Index('uq_event_promotions_live_coalition', ['eventId', 'coalitionId'], { unique: true, where: `"status" = 'active' AND "coalition_id" IS NOT NULL` })
export class EventPromotion {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  /** The promoting organisation (exactly one of organisationId, coalitionId). */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** The promoting coalition (exactly one of organisationId, coalitionId). */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  /** The code the promoter's links carry (`/e/{eventId}?ref=…`): 8 characters, lower case and digits, unique. */
  @Column({ type: 'text', unique: true })
  ref: string;

  @Column({ type: 'text', default: 'active' })
  status: PromotionStatus;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** When it stopped being active (ended by either side, refused by the host, or ended because the event stopped being public). */
  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  /** Who ended or refused it (null: the system, when the event stopped being public). */
  @Column({ type: 'uuid', nullable: true })
  endedBy: string | null;
}
