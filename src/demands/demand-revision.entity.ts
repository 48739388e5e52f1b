import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { User } from '../users/user.entity';
import { Demand } from './demand.entity';

/** The text of a demand as it was and as it became. */
export interface DemandText {
  title: string;
  body: string;
  category: string | null;
}

/**
 * A change to the text of an adopted demand: the platform as adopted is a
 * public commitment, so every later edit is kept. Append-only by use (no
 * route updates or deletes one); a bigint identity orders them.
 */
@Entity('demand_revisions')
@Index('ix_demand_revisions_demand_id_id', ['demandId', 'id'])
export class DemandRevision {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'uuid' })
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id' })
  demand?: Demand;

  @Column({ type: 'jsonb' })
  before: DemandText;

  @Column({ type: 'jsonb' })
  after: DemandText;

  @Column({ type: 'uuid', nullable: true })
  revisedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'revised_by' })
  reviser?: User;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  revisedAt: Date;
}
