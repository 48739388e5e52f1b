import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';

export const LANGUAGES = ['es', 'en'] as const;
export type PreferredLanguage = (typeof LANGUAGES)[number];
/** E.164: a plus sign, a country code that does not start with 0, 7 to 15 digits in all. */
export { E164_PATTERN } from '../common/phone';
/** What an erased person's names become; counts survive, the person does not. */
export const ERASED_NAME = 'Erased';

/**
 * A person as one data controller knows them (docs/DOMAIN.md). A data
 * controller is a top-level organisation with all its descendants; the
 * record belongs to exactly one (`controllerId`, the top-level organisation),
 * and every membership of the record is inside it (trigger
 * `memberships_in_controller`). The same human in two controllers is two
 * records, and nothing in one tells the other that the other exists. The
 * e-mail is unique within the controller only.
 *
 * Hand-written in the migration: a trigram GIN index over names and e-mail
 * (`ix_members_search_trgm`) for the typo-tolerant directory search.
 */
@Entity('members')
@Index('uq_members_controller_email', ['controllerId', 'email'], { unique: true })
@Index('ix_members_directory', ['familyName', 'givenName', 'id'])
// The directory filtered by region, walked in directory order (keyset) without a sort.
@Index('ix_members_region_directory', ['region', 'familyName', 'givenName', 'id'])
@Check('ck_members_phone_e164', `"phone" IS NULL OR "phone" ~ '^\\+[1-9][0-9]{6,14}$'`)
@Check('ck_members_preferred_language', `"preferred_language" IN ('es','en')`)
@Check('ck_members_erased', `"erased_at" IS NULL OR ("email" IS NULL AND "phone" IS NULL AND "locality" IS NULL)`)
export class Member {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The top-level organisation whose data this record is; never changes. */
  @Column({ type: 'uuid' })
  controllerId: string;

  @ManyToOne(() => Organisation, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'controller_id' })
  controller?: Organisation;

  @Column({ type: 'text' })
  givenName: string;

  @Column({ type: 'text' })
  familyName: string;

  /** citext: one record per address and controller, whatever its case. */
  @Column({ type: 'citext', nullable: true })
  email: string | null;

  /** E.164; indexed for an opt-out (issue 24), which finds every record holding the number. */
  @Index('ix_members_phone', { where: `"phone" IS NOT NULL` })
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ type: 'text', nullable: true })
  locality: string | null;

  /** ISO 639 codes of the languages the person speaks (es, qu, ay, en…). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  languages: string[];

  /** The language of the e-mails the person receives. */
  @Column({ type: 'text', default: 'es' })
  preferredLanguage: PreferredLanguage;

  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
