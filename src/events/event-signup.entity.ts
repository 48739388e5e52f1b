import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Member } from '../members/member.entity';
import { EventPromotion } from './event-promotion.entity';
import { EventShift } from './event-shift.entity';
import { Event } from './event.entity';

export const SIGNUP_STATUSES = ['going', 'waitlisted', 'cancelled', 'attended', 'no_show'] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];
/** A person may hold one of these per event (per shift) at a time. */
export const LIVE_STATUSES: readonly SignupStatus[] = ['going', 'waitlisted', 'attended'];
/** Statuses that occupy a seat (counted in going_count). */
export const SEAT_STATUSES: readonly SignupStatus[] = ['going', 'attended', 'no_show'];
/** walk_in: someone taken in at the door with just a name (a batch check-in, issue 21). */
/** Statuses of a signup that may still come to the door: its check-in code is shown, and a door finds it. */
export const DOOR_STATUSES: readonly SignupStatus[] = ['going', 'waitlisted', 'attended', 'no_show'];
export const SIGNUP_SOURCES = ['guest_form', 'member', 'walk_in'] as const;
export type SignupSource = (typeof SIGNUP_SOURCES)[number];

/**
 * One person's signup to an event, or to one of its shifts. The person is a
 * member (`memberId`) or a guest (name, e-mail, optional phone, consent).
 * `seq` is the arrival order (assigned under the event's row lock, so it is
 * also the waitlist order). "One live signup per person per event (per
 * shift)" is enforced by partial unique indexes written by hand in the
 * migration (expression indexes TypeORM cannot describe; declared here with
 * `synchronize: false` so that schema sync leaves them alone).
 * A guest manages the signup with a secret token; only its hash is stored.
 * Its check-in token and short code are derived from its id (CheckInCodes):
 * only their hashes are stored, to find the signup a door scanned.
 */
@Entity('event_signups')
@Check('ck_event_signups_status', `"status" IN ('going','waitlisted','cancelled','attended','no_show')`)
@Check('ck_event_signups_source', `"source" IN ('guest_form','member','walk_in')`)
@Check('ck_event_signups_locale', `"locale" IN ('es','en')`)
@Check('ck_event_signups_person', `"member_id" IS NOT NULL OR "guest_email" IS NOT NULL OR "erased_at" IS NOT NULL OR "source" = 'walk_in'`)
@Check('ck_event_signups_guest_consent', `"member_id" IS NOT NULL OR "consent_data_processing_at" IS NOT NULL OR "source" = 'walk_in'`)
@Check('ck_event_signups_over_capacity', `NOT "over_capacity" OR "status" = 'attended'`)
@Check('ck_event_signups_utm', `char_length("utm_source") <= 100 AND char_length("utm_medium") <= 100 AND char_length("utm_campaign") <= 100`)
@Index('ix_event_signups_event_status_seq', ['eventId', 'status', 'seq'])
@Index('uq_event_signups_live_guest', { synchronize: false })
@Index('uq_event_signups_live_member', { synchronize: false })
// A short code is unique where it is typed: at one event's door.
@Index('uq_event_signups_checkin_code', ['eventId', 'checkinCodeHash'], { unique: true })
@Index('ix_event_signups_reminder_due', ['eventId'], { where: `"status" = 'going' AND "reminder_queued_at" IS NULL` })
@Index('ix_event_signups_final_reminder_due', ['eventId'], { where: `"status" = 'going' AND "final_reminder_queued_at" IS NULL` })
@Index('ix_event_signups_promoted_by', ['promotedBy'], { where: `"promoted_by" IS NOT NULL` })
export class EventSignup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Arrival order; the waitlist is served in this order. */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', unique: true })
  seq: string;

  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  shiftId: string | null;

  @ManyToOne(() => EventShift, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'shift_id' })
  shift?: EventShift;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  /** People are erased (anonymised), never deleted: a member with signups cannot be removed underneath them. */
  @ManyToOne(() => Member, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @Column({ type: 'text', nullable: true })
  guestName: string | null;

  /**
   * A member's name as it was when they signed up: all that the managers of
   * an event hosted outside the member record's data controller see of them.
   */
  @Column({ type: 'text', nullable: true })
  attendeeName: string | null;

  /** citext: the same person whatever the case they type. */
  @Index()
  @Column({ type: 'citext', nullable: true })
  guestEmail: string | null;

  /** E.164; indexed for an opt-out (issue 24), which finds every signup holding the number. */
  @Index('ix_event_signups_guest_phone', { where: `"guest_phone" IS NOT NULL` })
  @Column({ type: 'text', nullable: true })
  guestPhone: string | null;

  @Column({ type: 'text', default: 'going' })
  status: SignupStatus;

  @Column({ type: 'text' })
  source: SignupSource;

  /** Language of the e-mails to a guest (members: their own preference). */
  @Column({ type: 'text', default: 'es' })
  locale: string;

  @Column({ type: 'text', nullable: true, unique: true, select: false })
  manageTokenHash: string | null;

  /** sha256 of the check-in token (CheckInCodes); null once the person is erased. */
  @Column({ type: 'text', nullable: true, unique: true, select: false })
  checkinTokenHash: string | null;

  /** sha256 of the normalised short code (CheckInCodes), unique per event; null once the person is erased. */
  @Column({ type: 'text', nullable: true, select: false })
  checkinCodeHash: string | null;

  /**
   * A walk-in let in when no seat was left (the person was already inside):
   * attended, counted apart, never in the seat count.
   */
  @Column({ type: 'boolean', default: false })
  overCapacity: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  consentDataProcessingAt: Date | null;

  @Column({ type: 'boolean', nullable: true })
  consentContactByEmail: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  consentContactBySms: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  consentContactByWhatsapp: boolean | null;

  @Column({ type: 'text', nullable: true })
  consentNoticeVersion: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  waitlistedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  promotedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  checkedInAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  /**
   * The promotion whose link brought this signup (`ref`, issue 22): its
   * promoter is credited with it. Recorded only for a live promotion of this
   * event; never changes afterwards.
   */
  @Column({ type: 'uuid', nullable: true })
  promotedBy: string | null;

  @ManyToOne(() => EventPromotion, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'promoted_by' })
  promotion?: EventPromotion;

  /** `utm_source`, `utm_medium`, `utm_campaign` as the link gave them (at most 100 characters each: UTM_MAX_LENGTH); forgotten on erasure. */
  @Column({ type: 'text', nullable: true })
  utmSource: string | null;

  @Column({ type: 'text', nullable: true })
  utmMedium: string | null;

  @Column({ type: 'text', nullable: true })
  utmCampaign: string | null;

  /** Set when the 24-hour reminder was queued (or not needed): the reminder job's work list. */
  @Column({ type: 'timestamptz', nullable: true })
  reminderQueuedAt: Date | null;

  /** Set when the two-hour reminder (texts only, issue 24) was queued, or not needed. */
  @Column({ type: 'timestamptz', nullable: true })
  finalReminderQueuedAt: Date | null;

  /** The person confirmed they are coming, answering the day-before text (issue 24). */
  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  /** The guest's personal data was erased; the row stays for anonymous counts. */
  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
