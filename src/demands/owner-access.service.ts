import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { Permission } from '../access/permissions';
import { badRequest } from '../common/problem';
import type { SqlParams } from '../common/sql';

/** Who a demand or a pact belongs to: exactly one of the two is set. */
export interface Owner {
  coalitionId: string | null;
  organisationId: string | null;
}

/** The owner a request names: exactly one of coalitionId and organisationId, or a 400. */
export function requestedOwner(dto: { coalitionId?: string; organisationId?: string }): Owner {
  if (!dto.coalitionId === !dto.organisationId) {
    const message = 'give exactly one of coalitionId and organisationId';
    throw badRequest('invalid-owner', 'Name the owner: exactly one of coalitionId and organisationId.', [
      { field: 'coalitionId', message },
      { field: 'organisationId', message },
    ]);
  }
  return { coalitionId: dto.coalitionId ?? null, organisationId: dto.organisationId ?? null };
}

export const ownerOf = (r: { ownerCoalitionId: string | null; ownerOrganisationId: string | null }): Owner => ({ coalitionId: r.ownerCoalitionId, organisationId: r.ownerOrganisationId });

/** Owners whose non-public records the caller may read, for SQL filters. */
export type OwnerScope = { all: true } | { all: false; organisationIds: string[]; coalitionIds: string[] };

/**
 * Read and act rights on the records of an owner (a coalition's or an
 * organisation's demands and pacts), built on AccessService.
 *
 * Reading non-public records: an organisation's are read by holders of the
 * permission on it or an ancestor; a coalition's by its coordinators AND by
 * holders of the permission on one of its ACTIVE partners (the partners are
 * the coalition: they deliberate on its proposals and its negotiating
 * positions). Acting for an owner never comes through a partnership: only
 * the organisation's own role holders, or the coalition's coordinators.
 */
@Injectable()
export class OwnerAccessService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
  ) {}

  /** Every owner whose non-public records the caller may read with `permission`. Pass it to list queries (`ownerScopeWhere`). */
  async readScope(caller: Caller, permission: Permission): Promise<OwnerScope> {
    const orgs = await this.access.organisationScope(caller, permission);
    const coalitions = this.access.coalitionScope(caller, permission);
    if (orgs.all || coalitions.all) return { all: true };
    const viaPartners =
      orgs.ids.length === 0
        ? []
        : await this.db.query<{ coalition_id: string }[]>(
            `SELECT DISTINCT coalition_id FROM coalition_partners WHERE status = 'active' AND organisation_id = ANY($1::uuid[])`,
            [orgs.ids],
          );
    const coalitionIds = [...new Set([...coalitions.ids, ...viaPartners.map((r) => r.coalition_id)])];
    return { all: false, organisationIds: orgs.ids, coalitionIds };
  }

  /** May the caller read this owner's non-public records? */
  async canRead(caller: Caller, permission: Permission, owner: Owner): Promise<boolean> {
    if (!caller.user) return false;
    if (owner.organisationId) return this.access.canOnOrganisation(caller, permission, owner.organisationId);
    if (this.access.canOnCoalition(caller, permission, owner.coalitionId!)) return true;
    const scope = await this.access.organisationScope(caller, permission);
    if (scope.all) return true;
    if (scope.ids.length === 0) return false;
    const [hit] = await this.db.query<{ ok: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM coalition_partners WHERE coalition_id = $1 AND status = 'active' AND organisation_id = ANY($2::uuid[])) AS ok`,
      [owner.coalitionId, scope.ids],
    );
    return hit.ok;
  }

  /**
   * The owner must exist (400 otherwise: the request names it) and have a
   * platform here (not an external organisation). With `lock`, its row is
   * locked until the transaction ends, so that changes to the owner's
   * platform (appending, reordering) take turns.
   */
  async assertOwner(em: EntityManager, owner: Owner, lock = false): Promise<void> {
    const forUpdate = lock ? ' FOR NO KEY UPDATE' : '';
    if (owner.coalitionId) {
      const [c] = await em.query<{ id: string }[]>(`SELECT id FROM coalitions WHERE id = $1${forUpdate}`, [owner.coalitionId]);
      if (!c) throw badRequest('unknown-owner', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'no such coalition' }]);
      return;
    }
    const [o] = await em.query<{ external: boolean }[]>(`SELECT external FROM organisations WHERE id = $1${forUpdate}`, [owner.organisationId]);
    if (!o) throw badRequest('unknown-owner', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]);
    if (o.external) throw badRequest('external-organisation', 'An external organisation is a counterpart, not an owner, here.', [{ field: 'organisationId', message: 'organisation is external' }]);
  }

  /** May the caller act for this owner? Partners of a coalition may not (they read, and endorse as themselves). */
  async canAct(caller: Caller, permission: Permission, owner: Owner): Promise<boolean> {
    if (owner.organisationId) return this.access.canOnOrganisation(caller, permission, owner.organisationId);
    return this.access.canOnCoalition(caller, permission, owner.coalitionId!);
  }
}

/**
 * SQL condition "the row's owner is inside the scope" (columns
 * `owner_organisation_id`, `owner_coalition_id`). An empty scope matches
 * nothing: a forgotten filter returns nothing, not everything.
 */
export function ownerScopeSql(alias: string, scope: OwnerScope, params: SqlParams): string {
  if (scope.all) return 'TRUE';
  return `(${alias}.owner_organisation_id = ANY(${params.add(scope.organisationIds)}::uuid[]) OR ${alias}.owner_coalition_id = ANY(${params.add(scope.coalitionIds)}::uuid[]))`;
}
