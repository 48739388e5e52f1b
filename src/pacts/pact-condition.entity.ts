import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

import { Demand } from '../demands/demand.entity';
import { Pact } from './pact.entity';

export const CONDITION_STATUSES = ['pending', 'accepted', 'rejected', 'fulfilled', 'breached'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** One of our demands the counterpart must accept (and then keep) for the pact to hold. */
@Entity('pact_conditions')
@Unique('uq_pact_conditions_pact_demand', ['pactId', 'demandId'])
@Check('ck_pact_conditions_status', `"status" IN ('pending','accepted','rejected','fulfilled','breached')`)
export class PactCondition {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  pactId: string;

  @ManyToOne(() => Pact, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pact_id' })
  pact?: Pact;

  @Index()
  @Column({ type: 'uuid' })
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id' })
  demand?: Demand;

  @Column({ type: 'text', default: 'pending' })
  status: ConditionStatus;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
