import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { Coalition } from './coalition.entity';

export const PARTNER_ROLES = ['founder', 'member', 'observer'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export const PARTNER_STATUSES = ['invited', 'active', 'suspended', 'withdrawn'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** Withdrawing keeps the row: the coalition's history stays readable. */
@Entity('coalition_partners')
@Unique('uq_coalition_partners_coalition_organisation', ['coalitionId', 'organisationId'])
@Check('ck_coalition_partners_role', `"role" IN ('founder','member','observer')`)
@Check('ck_coalition_partners_status', `"status" IN ('invited','active','suspended','withdrawn')`)
export class CoalitionPartner {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  coalitionId: string;

  @ManyToOne(() => Coalition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'text', default: 'member' })
  role: PartnerRole;

  @Column({ type: 'text', default: 'invited' })
  status: PartnerStatus;

  @Column({ type: 'date', nullable: true })
  joinedOn: string | null;

  @Column({ type: 'date', nullable: true })
  leftOn: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
