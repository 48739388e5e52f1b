import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Coalition } from '../coalitions/coalition.entity';
import { Organisation } from '../organisations/organisation.entity';

export const PACT_KINDS = ['electoral_support', 'joint_action', 'other'] as const;
export type PactKind = (typeof PACT_KINDS)[number];
export const PACT_STATUSES = ['draft', 'negotiating', 'agreed', 'rejected', 'fulfilled', 'broken'] as const;
export type PactStatus = (typeof PACT_STATUSES)[number];

/**
 * A conditional agreement our side (one coalition or one organisation)
 * offers a counterpart: "we support JP in the second round if it accepts
 * these demands". A negotiating position: only our side may read it.
 */
@Entity('pacts')
@Check('ck_pacts_one_owner', `("owner_coalition_id" IS NULL) <> ("owner_organisation_id" IS NULL)`)
@Check('ck_pacts_kind', `"kind" IN ('electoral_support','joint_action','other')`)
@Check('ck_pacts_status', `"status" IN ('draft','negotiating','agreed','rejected','fulfilled','broken')`)
@Check('ck_pacts_not_with_itself', `"owner_organisation_id" IS NULL OR "owner_organisation_id" <> "counterpart_organisation_id"`)
@Check('ck_pacts_dates', `"ends_on" IS NULL OR "starts_on" IS NULL OR "ends_on" >= "starts_on"`)
export class Pact {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  ownerCoalitionId: string | null;

  @ManyToOne(() => Coalition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_coalition_id' })
  ownerCoalition?: Coalition;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  ownerOrganisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_organisation_id' })
  ownerOrganisation?: Organisation;

  @Index()
  @Column({ type: 'uuid' })
  counterpartOrganisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'counterpart_organisation_id' })
  counterpart?: Organisation;

  @Column({ type: 'text' })
  title: string;

  /** Markdown. */
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text' })
  kind: PactKind;

  @Column({ type: 'text', default: 'draft' })
  status: PactStatus;

  @Column({ type: 'date', nullable: true })
  startsOn: string | null;

  @Column({ type: 'date', nullable: true })
  endsOn: string | null;

  @Column({ type: 'date', nullable: true })
  signedOn: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
