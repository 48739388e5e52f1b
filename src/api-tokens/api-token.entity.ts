import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';

/**
 * An API token (issue 22): a named credential of one organisation, with
 * some of an org_admin's permissions there, until it expires (a year at
 * most) or is revoked. Only the sha256 of the secret is kept; `prefix` (its
 * first characters) tells tokens apart in a list. It works only while the
 * login that made it is active and still holds those permissions there.
 */
@Entity('api_tokens')
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', unique: true, select: false })
  tokenHash: string;

  @Column({ type: 'text' })
  prefix: string;

  @Column({ type: 'text', array: true })
  permissions: string[];

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Index()
  @Column({ type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  revokedBy: string | null;
}
