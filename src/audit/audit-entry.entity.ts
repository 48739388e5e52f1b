import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only: a trigger (see the migration) refuses UPDATE and DELETE.
 * `changes` never holds personal data: those values are masked on write.
 */
@Entity('audit_log')
@Index('ix_audit_log_organisation_at', ['organisationId', 'at'])
@Index('ix_audit_log_coalition_at', ['coalitionId', 'at'])
@Index('ix_audit_log_entity', ['entity', 'entityId'])
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  /** The API token the change was made with (issue 22); `actorUserId` is then the login that made the token. */
  @Column({ type: 'uuid', nullable: true })
  actorApiTokenId: string | null;

  /** e.g. `organisation.create`, `role.grant`, `auth.login`. */
  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  entity: string;

  @Column({ type: 'text', nullable: true })
  entityId: string | null;

  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  changes: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  requestId: string | null;
}
