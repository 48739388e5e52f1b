import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { Member } from './member.entity';

export const MEMBERSHIP_STATUSES = ['applied', 'active', 'suspended', 'lapsed', 'resigned', 'expelled'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];
export const MEMBERSHIP_SOURCES = ['form', 'import', 'manual'] as const;
export type MembershipSource = (typeof MEMBERSHIP_SOURCES)[number];

/** A member's relation to one organisation. Rows are never deleted: counts and history survive. */
@Entity('memberships')
@Unique('uq_memberships_member_organisation', ['memberId', 'organisationId'])
@Index('ix_memberships_organisation_status', ['organisationId', 'status'])
@Check('ck_memberships_status', `"status" IN ('applied','active','suspended','lapsed','resigned','expelled')`)
@Check('ck_memberships_source', `"source" IN ('form','import','manual')`)
@Check('ck_memberships_dates', `"ended_on" IS NULL OR "joined_on" IS NULL OR "ended_on" >= "joined_on"`)
export class Membership {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @Column({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'text' })
  status: MembershipStatus;

  /** Free text: delegate, secretary… */
  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Column({ type: 'date', nullable: true })
  joinedOn: string | null;

  @Column({ type: 'date', nullable: true })
  endedOn: string | null;

  @Column({ type: 'text' })
  source: MembershipSource;

  @Column({ type: 'date', nullable: true })
  duesPaidUntil: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
