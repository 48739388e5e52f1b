import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { Permission } from '../access/permissions';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { badRequest } from '../common/problem';
import type { Tx } from '../database/transactions';
import { OrganisationsService } from '../organisations/organisations.service';

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

/** The audit fields naming an owner. */
export const ownerAudit = (owner: Owner) => ({ coalitionId: owner.coalitionId, organisationId: owner.organisationId });

/**
 * Owners whose records the caller may read (or act on), for the
 * repositories' filters (columns `owner_organisation_id`,
 * `owner_coalition_id`). An empty scope matches nothing: a forgotten filter
 * returns nothing, not everything.
 */
export type OwnerScope = { all: true } | { all: false; organisationIds: string[]; coalitionIds: string[] };

/**
 * Read and act rights on the records of an owner (a coalition's or an
 * organisation's demands and pacts), built on AccessService; DemandAccess
 * and PactAccess answer with them.
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
    private readonly access: AccessService,
    private readonly organisations: OrganisationsService,
    private readonly coalitions: CoalitionsService,
  ) {}

  /** Every owner whose non-public records the caller may read with `permission`. */
  async readScope(caller: Caller, permission: Permission): Promise<OwnerScope> {
    const orgs = await this.access.organisationScope(caller, permission);
    const coalitions = this.access.coalitionScope(caller, permission);
    if (orgs.all || coalitions.all) return { all: true };
    const viaPartners = await this.coalitions.activelyPartnered(orgs.ids);
    const coalitionIds = [...new Set([...coalitions.ids, ...viaPartners])];
    return { all: false, organisationIds: orgs.ids, coalitionIds };
  }

  /** Every owner the caller may act for with `permission` (never through a partnership). */
  async actScope(caller: Caller, permission: Permission): Promise<OwnerScope> {
    const orgs = await this.access.organisationScope(caller, permission);
    const coalitions = this.access.coalitionScope(caller, permission);
    if (orgs.all || coalitions.all) return { all: true };
    return { all: false, organisationIds: orgs.ids, coalitionIds: coalitions.ids };
  }

  /** May the caller act for this owner? Partners of a coalition may not (they read, and endorse as themselves). */
  async canAct(caller: Caller, permission: Permission, owner: Owner): Promise<boolean> {
    if (owner.organisationId) return this.access.canOnOrganisation(caller, permission, owner.organisationId);
    return this.access.canOnCoalition(caller, permission, owner.coalitionId!);
  }

  /**
   * The owner must exist (400 otherwise: the request names it) and have a
   * platform here (not an external organisation). With `lock`, its row is
   * locked until the transaction ends, so that changes to the owner's
   * platform (appending, reordering) take turns.
   */
  async assertOwner(tx: Tx, owner: Owner, lock = false): Promise<void> {
    if (owner.coalitionId) {
      const c = await this.coalitions.find(tx, owner.coalitionId, { lock });
      if (!c) throw badRequest('unknown-owner', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'no such coalition' }]);
      return;
    }
    await this.organisations.requireInternal(
      tx,
      owner.organisationId!,
      {
        unknown: () => badRequest('unknown-owner', 'The organisation does not exist.', [{ field: 'organisationId', message: 'no such organisation' }]),
        external: () => badRequest('external-organisation', 'An external organisation is a counterpart, not an owner, here.', [{ field: 'organisationId', message: 'organisation is external' }]),
      },
      { lock },
    );
  }
}
