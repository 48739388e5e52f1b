import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const LANGUAGES = ['es', 'en'] as const;
export type PreferredLanguage = (typeof LANGUAGES)[number];
/** E.164: a plus sign, a country code that does not start with 0, 7 to 15 digits in all. */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
/** What an erased person's names become; counts survive, the person does not. */
export const ERASED_NAME = 'Erased';

/**
 * A person known to at least one organisation. Person-level data (names,
 * contact) is one record shared by every organisation the person belongs
 * to; what is per organisation (memberships, consents, audit) lives in
 * other tables and is only ever shown inside the caller's scope.
 *
 * Hand-written in the migration: a trigram GIN index over names and e-mail
 * (`ix_members_search_trgm`) for the typo-tolerant directory search.
 */
@Entity('members')
@Index('ix_members_directory', ['familyName', 'givenName', 'id'])
// The directory filtered by region, walked in directory order (keyset) without a sort.
@Index('ix_members_region_directory', ['region', 'familyName', 'givenName', 'id'])
@Check('ck_members_phone_e164', `"phone" IS NULL OR "phone" ~ '^\\+[1-9][0-9]{6,14}$'`)
@Check('ck_members_preferred_language', `"preferred_language" IN ('es','en')`)
@Check('ck_members_erased', `"erased_at" IS NULL OR ("email" IS NULL AND "phone" IS NULL AND "locality" IS NULL)`)
export class Member {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  givenName: string;

  @Column({ type: 'text' })
  familyName: string;

  /** citext: one person per address whatever its case. */
  @Column({ type: 'citext', nullable: true, unique: true })
  email: string | null;

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
