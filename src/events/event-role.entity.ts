import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { User } from '../users/user.entity';
import { Event } from './event.entity';

export const EVENT_ROLES = ['host'] as const;
export type EventRoleName = (typeof EVENT_ROLES)[number];

/**
 * A per-event role: `host` lets a volunteer manage one event's signups and
 * check-in without any organisation-wide rights. Deliberately kept apart
 * from role_assignments: it grants nothing the permission table knows about,
 * so it can never widen into an organisation scope.
 */
@Entity('event_roles')
@Unique('uq_event_roles_event_user_role', ['eventId', 'userId', 'role'])
@Check('ck_event_roles_role', `"role" IN ('host')`)
export class EventRole {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Index()
  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'text', default: 'host' })
  role: EventRoleName;

  @Column({ type: 'uuid', nullable: true })
  grantedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
