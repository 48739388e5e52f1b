import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Event } from './event.entity';

/**
 * A volunteer slot inside an event (marshals, first aid, press) with its own
 * times and capacity. `goingCount` counts the shift's seat-holding signups;
 * the same hard invariant as the event's, enforced the same way.
 */
@Entity('event_shifts')
@Check('ck_event_shifts_times', `"ends_at" > "starts_at"`)
@Check('ck_event_shifts_capacity', `"capacity" IS NULL OR "capacity" >= 0`)
@Check('ck_event_shifts_going_count', `"going_count" >= 0 AND ("capacity" IS NULL OR "going_count" <= "capacity")`)
export class EventShift {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** Null: unlimited. */
  @Column({ type: 'integer', nullable: true })
  capacity: number | null;

  @Column({ type: 'integer', default: 0 })
  goingCount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
