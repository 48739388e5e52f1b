import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { Event } from './event.entity';

/**
 * A door link: lets a volunteer without an account read one event's
 * check-in manifest and post its check-ins, and nothing else, until the
 * event's end plus CHECKIN_MANIFEST_HOURS or until it is revoked (issue 21).
 * The secret is shown once, when the link is made; only its sha256 is kept.
 * Links are revoked, never deleted: the check-ins and audit entries made
 * with one keep pointing at it.
 */
@Entity('event_door_links')
export class EventDoorLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  /** What the doors call it ("Puerta 2 — Jr. de la Unión"): shown to other doors in a conflict. */
  @Column({ type: 'text' })
  label: string;

  @Column({ type: 'text', unique: true, select: false })
  secretHash: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy: string | null;
}
