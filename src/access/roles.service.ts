import { Injectable } from '@nestjs/common';

import { badRequest, forbidden, notFound } from '../common/problem';
import { Transactions } from '../database/transactions';
import { DomainEvents } from '../domain-events/domain-events';
import { AccessService } from './access.service';
import { roleAssignmentView, type RoleAssignmentView } from './access.views';
import type { Caller, RoleGrant } from './caller';
import type { GrantRoleDto } from './dto/grant-role.dto';
import { GRANTABLE, ROLE_SCOPE, type ScopedRole } from './permissions';
import { RoleAssignmentsRepository, type RoleScope } from './role-assignments.repository';

@Injectable()
export class RolesService {
  constructor(
    private readonly assignments: RoleAssignmentsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly changes: DomainEvents,
  ) {}

  rolesOf(userId: string): Promise<RoleGrant[]> {
    return this.assignments.rolesOf(userId);
  }

  /** Is this scope inside one where the caller may grant roles? (What they see of others' roles.) */
  private async mayManage(caller: Caller, scope: RoleScope): Promise<boolean> {
    if (scope.organisationId) return this.access.canOnOrganisation(caller, 'role.grant', scope.organisationId);
    if (scope.coalitionId) return this.access.canOnCoalition(caller, 'role.grant', scope.coalitionId);
    return false;
  }

  /**
   * May the caller grant or revoke `role` in this scope? Only where they may
   * grant roles (role.grant held in the scope or, for an organisation, above
   * it), and never wider than what they hold there: one of the roles that
   * gives them role.grant must list `role` in GRANTABLE. With today's table
   * the second rule refuses nothing the first allows (only org_admins grant
   * in organisations, only coordinators in coalitions); it keeps a later
   * change of ROLE_PERMISSIONS from letting a holder hand out a wider role.
   */
  private async mayGrant(caller: Caller, role: ScopedRole, scope: RoleScope): Promise<boolean> {
    if (this.access.isPlatformAdmin(caller)) return true;
    const held = scope.organisationId
      ? await this.access.rolesOverOrganisation(caller, 'role.grant', scope.organisationId)
      : scope.coalitionId
        ? this.access.rolesOnCoalition(caller, 'role.grant', scope.coalitionId)
        : [];
    return held.some((h) => GRANTABLE[h].includes(role));
  }

  async grant(caller: Caller, dto: GrantRoleDto): Promise<RoleAssignmentView> {
    const scopeKind = ROLE_SCOPE[dto.role];
    if (scopeKind === 'organisation' && (!dto.organisationId || dto.coalitionId)) {
      throw badRequest('invalid-scope', `${dto.role} is held in an organisation: give organisationId (and no coalitionId).`, [
        { field: 'organisationId', message: 'organisationId is required for this role' },
      ]);
    }
    if (scopeKind === 'coalition' && (!dto.coalitionId || dto.organisationId)) {
      throw badRequest('invalid-scope', 'coordinator is held in a coalition: give coalitionId (and no organisationId).', [{ field: 'coalitionId', message: 'coalitionId is required for this role' }]);
    }
    const scope = { organisationId: dto.organisationId ?? null, coalitionId: dto.coalitionId ?? null };
    return this.transactions.run(async (tx) => {
      const targets = await this.assignments.grantTargets(tx, dto.userId, scope);
      if (!targets.user) throw notFound('user');
      if (scope.organisationId) {
        if (!targets.organisation) throw notFound('organisation');
        if (targets.organisation.external) throw badRequest('external-organisation', 'An external organisation has no users or roles on this platform.');
      } else if (!targets.coalition) throw notFound('coalition');
      if (!(await this.mayGrant(caller, dto.role, scope))) throw forbidden('You may only grant roles inside a scope where you may grant them.');
      const existing = await this.assignments.findSame(tx, dto.userId, dto.role, scope);
      if (existing) return roleAssignmentView(existing);
      const saved = await this.assignments.insert(tx, { userId: dto.userId, role: dto.role, ...scope, grantedBy: caller.user?.id ?? null });
      await this.changes.publish(tx, caller, {
        action: 'role.grant',
        entity: 'role_assignment',
        entityId: saved.id,
        ...scope,
        changes: { userId: { from: null, to: dto.userId }, role: { from: null, to: dto.role } },
      });
      return roleAssignmentView(saved);
    });
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const row = await this.assignments.lockById(tx, id);
      if (!row) throw notFound('role assignment');
      if (!(await this.mayGrant(caller, row.role, row))) {
        // Holders see their own roles (GET /auth/me): those exist for them.
        if (row.userId === caller.user?.id) throw forbidden('You may not revoke this role.');
        throw notFound('role assignment');
      }
      await this.assignments.delete(tx, id);
      await this.changes.publish(tx, caller, {
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
    if (!(await this.assignments.userExists(userId))) throw notFound('user');
    const rows = await this.assignments.listForUser(userId);
    if (caller.user?.id === userId || this.access.isPlatformAdmin(caller)) return rows.map(roleAssignmentView);
    const visible: RoleAssignmentView[] = [];
    for (const r of rows) if (await this.mayManage(caller, r)) visible.push(roleAssignmentView(r));
    if (visible.length === 0) throw notFound('user');
    return visible;
  }
}
