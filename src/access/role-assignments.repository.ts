import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';
import { roleGrantsSql, type RoleGrant } from './caller';
import type { ScopedRole } from './permissions';
import { RoleAssignment } from './role-assignment.entity';

/** Exactly one of the two: where a role is held. */
export interface RoleScope {
  organisationId: string | null;
  coalitionId: string | null;
}

/** What a grant names, as found: the login, and the organisation (whether external) or the coalition. */
export interface GrantTargets {
  user: boolean;
  organisation: { external: boolean } | null;
  coalition: boolean;
}

/** The role_assignments table. */
@Injectable()
export class RoleAssignmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The roles a login holds, oldest first. */
  async rolesOf(userId: string): Promise<RoleGrant[]> {
    const [{ roles }] = await this.db.query<{ roles: RoleGrant[] }[]>(`SELECT ${roleGrantsSql('$1::uuid')} AS roles`, [userId]);
    return roles;
  }

  /**
   * Whether the login, and the organisation or coalition of `scope`, exist:
   * one read of the grant's targets (users, organisations, coalitions —
   * read-only, as access/ reads the organisation tree).
   */
  async grantTargets(tx: Tx, userId: string, scope: RoleScope): Promise<GrantTargets> {
    const [row] = await tx.query<{ user: boolean; external: boolean | null; coalition: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1) AS "user",
              (SELECT external FROM organisations WHERE id = $2) AS external,
              EXISTS (SELECT 1 FROM coalitions WHERE id = $3) AS coalition`,
      [userId, scope.organisationId, scope.coalitionId],
    );
    return { user: row.user, organisation: row.external === null ? null : { external: row.external }, coalition: row.coalition };
  }

  async userExists(userId: string): Promise<boolean> {
    const [row] = await this.db.query<{ id: string }[]>('SELECT id FROM users WHERE id = $1', [userId]);
    return row !== undefined;
  }

  /** The same role of the same login in the same scope, if it is held already. */
  findSame(tx: Tx, userId: string, role: ScopedRole, scope: RoleScope): Promise<RoleAssignment | null> {
    return tx.findOne(RoleAssignment, { where: { userId, role, ...(scope.organisationId ? { organisationId: scope.organisationId } : { coalitionId: scope.coalitionId! }) } });
  }

  insert(tx: Tx, row: { userId: string; role: ScopedRole; grantedBy: string | null } & RoleScope): Promise<RoleAssignment> {
    return tx.save(RoleAssignment, tx.create(RoleAssignment, row));
  }

  /** The assignment, locked until `tx` ends. */
  lockById(tx: Tx, id: string): Promise<RoleAssignment | null> {
    return tx.findOne(RoleAssignment, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.delete(RoleAssignment, { id });
  }

  /** A login's assignments, oldest first. */
  listForUser(userId: string): Promise<RoleAssignment[]> {
    return this.db.getRepository(RoleAssignment).find({ where: { userId }, order: { createdAt: 'ASC' } });
  }
}
