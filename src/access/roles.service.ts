import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainEvents } from '../domain-events/domain-events';
import { badRequest, forbidden, notFound } from '../common/problem';
import { AccessService } from './access.service';
import type { Caller, RoleGrant } from './caller';
import type { GrantRoleDto } from './dto/grant-role.dto';
import { ROLE_SCOPE } from './permissions';
import { RoleAssignment } from './role-assignment.entity';

/**
 * The roles held by the user whose id is the SQL expression `userId`, as a
 * json array of RoleGrant, oldest first: one subquery, so that the
 * per-request load of the user (AuthService.loadAuthUser) reads them in the
 * same round trip.
 */
export const rolesOfSql = (userId: string): string =>
  `(SELECT coalesce(json_agg(json_build_object('id', r.id, 'role', r.role, 'organisationId', r.organisation_id, 'coalitionId', r.coalition_id) ORDER BY r.created_at, r.id), '[]')
      FROM role_assignments r WHERE r.user_id = ${userId})`;

export interface RoleAssignmentView extends RoleGrant {
  userId: string;
  grantedBy: string | null;
  createdAt: Date;
}

const view = (r: RoleAssignment): RoleAssignmentView => ({
  id: r.id,
  userId: r.userId,
  role: r.role,
  organisationId: r.organisationId,
  coalitionId: r.coalitionId,
  grantedBy: r.grantedBy,
  createdAt: r.createdAt,
});

@Injectable()
export class RolesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
  ) {}

  async rolesOf(userId: string): Promise<RoleGrant[]> {
    const [{ roles }] = await this.db.query<{ roles: RoleGrant[] }[]>(`SELECT ${rolesOfSql('$1::uuid')} AS roles`, [userId]);
    return roles;
  }

  /** May the caller grant or revoke roles in this scope? (Never wider than what they hold.) */
  private async mayManage(caller: Caller, scope: { organisationId: string | null; coalitionId: string | null }): Promise<boolean> {
    if (scope.organisationId) return this.access.canOnOrganisation(caller, 'role.grant', scope.organisationId);
    if (scope.coalitionId) return this.access.canOnCoalition(caller, 'role.grant', scope.coalitionId);
    return false;
  }

  async grant(caller: Caller, dto: GrantRoleDto): Promise<RoleAssignmentView> {
    const scopeKind = ROLE_SCOPE[dto.role];
    if (scopeKind === 'organisation' && (!dto.organisationId || dto.coalitionId)) {
      throw badRequest('invalid-scope', `${dto.role} is held in an organisation: give organisationId (and no coalitionId).`, [{ field: 'organisationId', message: 'organisationId is required for this role' }]);
    }
    if (scopeKind === 'coalition' && (!dto.coalitionId || dto.organisationId)) {
      throw badRequest('invalid-scope', 'coordinator is held in a coalition: give coalitionId (and no organisationId).', [{ field: 'coalitionId', message: 'coalitionId is required for this role' }]);
    }
    const scope = { organisationId: dto.organisationId ?? null, coalitionId: dto.coalitionId ?? null };
    return this.db.transaction(async (em) => {
      const [user] = await em.query<{ id: string }[]>('SELECT id FROM users WHERE id = $1', [dto.userId]);
      if (!user) throw notFound('user');
      if (scope.organisationId) {
        const [org] = await em.query<{ external: boolean }[]>('SELECT external FROM organisations WHERE id = $1', [scope.organisationId]);
        if (!org) throw notFound('organisation');
        if (org.external) throw badRequest('external-organisation', 'An external organisation has no users or roles on this platform.');
      } else {
        const [c] = await em.query<{ id: string }[]>('SELECT id FROM coalitions WHERE id = $1', [scope.coalitionId]);
        if (!c) throw notFound('coalition');
      }
      if (!(await this.mayManage(caller, scope))) throw forbidden('You may only grant roles inside a scope where you may grant them.');
      const existing = await em.findOne(RoleAssignment, { where: { userId: dto.userId, role: dto.role, ...(scope.organisationId ? { organisationId: scope.organisationId } : { coalitionId: scope.coalitionId! }) } });
      if (existing) return view(existing);
      const saved = await em.save(RoleAssignment, em.create(RoleAssignment, { userId: dto.userId, role: dto.role, ...scope, grantedBy: caller.user?.id ?? null }));
      await this.changes.publish(em, caller, {
        action: 'role.grant',
        entity: 'role_assignment',
        entityId: saved.id,
        ...scope,
        changes: { userId: { from: null, to: dto.userId }, role: { from: null, to: dto.role } },
      });
      return view(saved);
    });
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const row = await em.findOne(RoleAssignment, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('role assignment');
      if (!(await this.mayManage(caller, row))) {
        // Holders see their own roles (GET /auth/me): those exist for them.
        if (row.userId === caller.user?.id) throw forbidden('You may not revoke this role.');
        throw notFound('role assignment');
      }
      await em.delete(RoleAssignment, { id });
      await this.changes.publish(em, caller, {
        action: 'role.revoke',
        entity: 'role_assignment',
        entityId: id,
        organisationId: row.organisationId,
        coalitionId: row.coalitionId,
        changes: { userId: { from: row.userId, to: null }, role: { from: row.role, to: null } },
      });
    });
  }

  /** A user's roles as the caller may see them: all for themselves or a platform admin, otherwise those inside the caller's scopes. */
  async listForUser(caller: Caller, userId: string): Promise<RoleAssignmentView[]> {
    const [user] = await this.db.query<{ id: string }[]>('SELECT id FROM users WHERE id = $1', [userId]);
    if (!user) throw notFound('user');
    const rows = await this.db.getRepository(RoleAssignment).find({ where: { userId }, order: { createdAt: 'ASC' } });
    if (caller.user?.id === userId || this.access.isPlatformAdmin(caller)) return rows.map(view);
    const visible: RoleAssignmentView[] = [];
    for (const r of rows) if (await this.mayManage(caller, r)) visible.push(view(r));
    if (visible.length === 0) throw notFound('user');
    return visible;
  }
}
