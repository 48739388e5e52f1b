import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { Member } from './member.entity';

export const CONSENT_SOURCES = ['form', 'import', 'manual', 'self'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/**
 * Consent history, append-only by convention: the current consent is the
 * latest row. Each organisation is its own data controller, so a row names
 * the organisation it was given to (null: given to the platform by the
 * person themselves), and an organisation only ever sees its own rows —
 * another organisation's row would reveal the other membership.
 */
@Entity('member_consents')
@Index('ix_member_consents_member_recorded', ['memberId', 'recordedAt'])
@Check('ck_member_consents_source', `"source" IN ('form','import','manual','self')`)
export class MemberConsent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne(() => Organisation, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  /** Version of the privacy notice the person accepted. */
  @Column({ type: 'text' })
  noticeVersion: string;

  @Column({ type: 'boolean' })
  dataProcessing: boolean;

  @Column({ type: 'boolean', default: false })
  contactByEmail: boolean;

  @Column({ type: 'boolean', default: false })
  contactBySms: boolean;

  /** Consent to be reached on WhatsApp at the record's phone number (issue 24), apart from SMS. */
  @Column({ type: 'boolean', default: false })
  contactByWhatsapp: boolean;

  @Column({ type: 'text' })
  source: ConsentSource;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
