import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Demand } from '../demands/demand.entity';
import { Event } from './event.entity';

/** A demand an event mobilises for. */
@Entity('event_demands')
export class EventDemand {
  @PrimaryColumn({ type: 'uuid' })
  eventId: string;

  @ManyToOne(() => Event, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id' })
  event?: Event;

  @Index()
  @PrimaryColumn({ type: 'uuid' })
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id' })
  demand?: Demand;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
