import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { EventDoorLink } from './event-door-link.entity';
import { EventSignup } from './event-signup.entity';
import { Event } from './event.entity';

/** What a door's scan came to (see CheckInsService). `already` is never stored: it is the answer to a clientId sent again. */
export const CHECK_IN_RESULTS = ['checked_in', 'conflict', 'unknown', 'cancelled', 'waitlisted', 'late'] as const;
export type StoredCheckInResult = (typeof CHECK_IN_RESULTS)[number];

/**
 * One scan sent by a door in a batch (POST /events/:id/check-ins), kept so
 * that the same scan sent again (the door lost the answer, or sent its queue
 * twice) gets the same answer and changes nothing: `client_id` is made by
 * the door and unique per event. Also the door's log: who scanned what, when
 * (`at`, the door's clock) and what it came to. The door is a user
 * (organiser or per-event host) or a door link.
 */
@Entity('event_check_ins')
@Unique('uq_event_check_ins_client', ['eventId', 'clientId'])
@Check('ck_event_check_ins_result', `"result" IN ('checked_in','conflict','unknown','cancelled','waitlisted','late')`)
@Check('ck_event_check_ins_door', `("door_user_id" IS NULL) <> ("door_link_id" IS NULL)`)
export class EventCheckIn {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Column({ type: 'uuid' })
  clientId: string;

  /** The signup the scan named (null: none on this event). */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  signupId: string | null;

  @ManyToOne(() => EventSignup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'signup_id' })
  signup?: EventSignup;

  @Column({ type: 'uuid', nullable: true })
  doorUserId: string | null;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  doorLinkId: string | null;

  @ManyToOne(() => EventDoorLink, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'door_link_id' })
  doorLink?: EventDoorLink;

  /** The door as other doors see it in a conflict: the link's label, or what the logged-in door called itself. */
  @Column({ type: 'text' })
  doorLabel: string;

  /** When the door scanned it (the door's clock). */
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'text' })
  result: StoredCheckInResult;

  /** The scan was a walk-in (a new signup, `signupId`). */
  @Column({ type: 'boolean', default: false })
  walkIn: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  recordedAt: Date;
}
