import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';

export const DEMAND_STATUSES = ['draft', 'proposed', 'adopted', 'withdrawn', 'achieved'] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number];

/** Statuses anyone may read: the platform as adopted (and what it has won). */
export const PUBLIC_DEMAND_STATUSES: readonly DemandStatus[] = ['adopted', 'achieved'];

/**
 * One point of a programmatic platform, owned by exactly one coalition or
 * organisation. `code` and `position` are unique per owner; positions stay
 * dense (1..n over all the owner's demands) because only creation (append)
 * and the reorder endpoint touch them, both under a lock on the owner row.
 */
@Entity('demands')
@Check('ck_demands_one_owner', `("owner_coalition_id" IS NULL) <> ("owner_organisation_id" IS NULL)`)
@Check('ck_demands_status', `"status" IN ('draft','proposed','adopted','withdrawn','achieved')`)
@Check('ck_demands_position', `"position" >= 1`)
@Index('uq_demands_coalition_code', ['ownerCoalitionId', 'code'], { unique: true, where: '"owner_coalition_id" IS NOT NULL' })
@Index('uq_demands_organisation_code', ['ownerOrganisationId', 'code'], { unique: true, where: '"owner_organisation_id" IS NOT NULL' })
@Index('uq_demands_coalition_position', ['ownerCoalitionId', 'position'], { unique: true, where: '"owner_coalition_id" IS NOT NULL' })
@Index('uq_demands_organisation_position', ['ownerOrganisationId', 'position'], { unique: true, where: '"owner_organisation_id" IS NOT NULL' })
export class Demand {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  ownerCoalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_coalition_id' })
  ownerCoalition?: Coalition;

  @Column({ type: 'uuid', nullable: true })
  ownerOrganisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_organisation_id' })
  ownerOrganisation?: Organisation;

  /** Short label, e.g. `D3`. */
  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  title: string;

  /** Markdown. */
  @Column({ type: 'text', default: '' })
  body: string;

  @Column({ type: 'text', nullable: true })
  category: string | null;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text', default: 'draft' })
  status: DemandStatus;

  @Column({ type: 'date', nullable: true })
  adoptedOn: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
