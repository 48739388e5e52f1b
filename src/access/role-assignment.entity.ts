import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

import type { Coalition } from '../coalitions/coalition.entity';
import type { Organisation } from '../organisations/organisation.entity';
import { User } from '../users/user.entity';
import type { ScopedRole } from './permissions';

/**
 * (user, role, scope): scope is exactly one organisation or one coalition.
 * The scope's entities are named, not imported: access/ depends on no
 * feature module (the foreign keys stay the same).
 */
@Entity('role_assignments')
@Check('ck_role_assignments_role', `"role" IN ('org_admin','organiser','coordinator')`)
@Check(
  'ck_role_assignments_scope',
  `("role" = 'coordinator' AND "coalition_id" IS NOT NULL AND "organisation_id" IS NULL) OR ("role" <> 'coordinator' AND "organisation_id" IS NOT NULL AND "coalition_id" IS NULL)`,
)
@Index('uq_role_assignments_user_role_organisation', ['userId', 'role', 'organisationId'], { unique: true, where: '"organisation_id" IS NOT NULL' })
@Index('uq_role_assignments_user_role_coalition', ['userId', 'role', 'coalitionId'], { unique: true, where: '"coalition_id" IS NOT NULL' })
export class RoleAssignment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'text' })
  role: ScopedRole;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;

  @ManyToOne('Organisation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation?: Organisation;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  coalitionId: string | null;

  @ManyToOne('Coalition', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'coalition_id' })
  coalition?: Coalition;

  @Column({ type: 'uuid', nullable: true })
  grantedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
