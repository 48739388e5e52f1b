import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { Transactions, type Tx } from '../database/transactions';
import { DemandsRepository } from './demands.repository';
import { OwnerAccessService } from './owner-access.service';

/**
 * What one may do with a demand, besides seeing it (public once adopted or
 * achieved; otherwise inside the owner's scope):
 * - `inside`: read the owner's non-public demands (and see who did what);
 * - `draft`: edit it as the owner's organisers, org_admins or coordinators;
 * - `adopt`: decide on it (adopt, withdraw, achieve, edit adopted text).
 * Partners of a coalition are inside, but never act for it.
 */
export type DemandAction = 'inside' | 'draft' | 'adopt';

/** Object-level access to demands (ResourceAccess), the rules written once in DemandsRepository. */
@Injectable()
export class DemandAccess implements ResourceAccess<DemandAction> {
  constructor(
    private readonly demands: DemandsRepository,
    private readonly owners: OwnerAccessService,
    private readonly transactions: Transactions,
  ) {}

  allowed(caller: Caller, action: DemandAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    return this.allowedIn(this.transactions.auto, caller, action, ids);
  }

  /** The same answers, read in `tx` (e.g. after locking the demand). */
  in(tx: Tx): ResourceAccess<DemandAction> {
    return { allowed: (caller, action, ids) => this.allowedIn(tx, caller, action, ids) };
  }

  /** Does `allowed` answer yes for this one demand? */
  async may(tx: Tx, caller: Caller, action: DemandAction | 'see', id: string): Promise<boolean> {
    return (await this.allowedIn(tx, caller, action, [id])).has(id);
  }

  private async allowedIn(tx: Tx, caller: Caller, action: DemandAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    let found: string[];
    switch (action) {
      case 'see':
        found = await this.demands.among(tx, ids, 'visible', await this.owners.readScope(caller, 'demand.draft'));
        break;
      case 'inside':
        found = await this.demands.among(tx, ids, 'owned', await this.owners.readScope(caller, 'demand.draft'));
        break;
      case 'draft':
        found = await this.demands.among(tx, ids, 'owned', await this.owners.actScope(caller, 'demand.draft'));
        break;
      case 'adopt':
        found = await this.demands.among(tx, ids, 'owned', await this.owners.actScope(caller, 'demand.adopt'));
        break;
    }
    // Answer with the ids as asked (a UUID may come in capitals; the database answers in lower case).
    const hit = new Set(found);
    return new Set(ids.filter((id) => hit.has(id.toLowerCase())));
  }
}
