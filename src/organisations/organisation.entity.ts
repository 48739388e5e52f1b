import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const ORGANISATION_KINDS = ['party', 'movement', 'union', 'collective', 'current', 'chapter', 'ngo', 'other'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export const ORGANISATION_STATUSES = ['active', 'dissolved'] as const;
export type OrganisationStatus = (typeof ORGANISATION_STATUSES)[number];

@Entity('organisations')
@Check('ck_organisations_kind', `"kind" IN ('party','movement','union','collective','current','chapter','ngo','other')`)
@Check('ck_organisations_status', `"status" IN ('active','dissolved')`)
@Check('ck_organisations_text_monthly_segments', `"text_monthly_segments" >= 0`)
@Check('ck_organisations_not_own_parent', `"parent_id" IS NULL OR "parent_id" <> "id"`)
export class Organisation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  slug: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  shortName: string | null;

  @Column({ type: 'text' })
  kind: OrganisationKind;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id' })
  parent?: Organisation;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'char', length: 2, default: 'PE' })
  country: string;

  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ type: 'text', nullable: true })
  website: string | null;

  @Column({ type: 'text', nullable: true })
  contactEmail: string | null;

  @Column({ type: 'text', default: 'active' })
  status: OrganisationStatus;

  /** A counterpart outside the platform (a party a pact is offered to): no members here. */
  @Column({ type: 'boolean', default: false })
  external: boolean;

  /** Origins (`https://host[:port]`) allowed to show its public pages in an iframe (`frame-ancestors`); empty: none. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  embedOrigins: string[];

  /** Text segments (SMS, WhatsApp) its events may send per calendar month (UTC); null: TEXT_MONTHLY_SEGMENTS (issue 24). */
  @Column({ type: 'integer', nullable: true })
  textMonthlySegments: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
