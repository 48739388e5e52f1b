import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';
import { Demand } from './demand.entity';

/** An organisation backs a demand, once, on a date, usually citing the decision it rests on. */
@Entity('demand_endorsements')
@Unique('uq_demand_endorsements_demand_organisation', ['demandId', 'organisationId'])
export class DemandEndorsement {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  demandId: string;

  @ManyToOne(() => Demand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'demand_id' })
  demand?: Demand;

  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'date' })
  endorsedOn: string;

  /** e.g. the assembly decision the endorsement rests on. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  @Column({ type: 'uuid', nullable: true })
  endorsedBy: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'endorsed_by' })
  endorser?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
