import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { Event } from './event.entity';

/** A co-host organisation of an event: its organisers manage the event too. */
@Entity('event_hosts')
export class EventCoHost {
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Index()
  @PrimaryColumn({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
