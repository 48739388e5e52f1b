import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { Transactions, type Tx } from '../database/transactions';
import { OwnerAccessService } from '../demands/owner-access.service';
import { PactsRepository } from './pacts.repository';

/**
 * Pacts are negotiating positions: only our side sees them (the owner
 * organisation's pact.read holders; a coalition's coordinators and its
 * active partners' pact.read holders). `manage`: the owner organisation's
 * org_admins or the coalition's coordinators (never through a partnership).
 */
export type PactAction = 'manage';

/** Object-level access to pacts (ResourceAccess), the rule written once in PactsRepository. */
@Injectable()
export class PactAccess implements ResourceAccess<PactAction> {
  constructor(
    private readonly pacts: PactsRepository,
    private readonly owners: OwnerAccessService,
    private readonly transactions: Transactions,
  ) {}

  allowed(caller: Caller, action: PactAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    return this.allowedIn(this.transactions.auto, caller, action, ids);
  }

  /** The same answers, read in `tx` (e.g. after locking the pact). */
  in(tx: Tx): ResourceAccess<PactAction> {
    return { allowed: (caller, action, ids) => this.allowedIn(tx, caller, action, ids) };
  }

  private async allowedIn(tx: Tx, caller: Caller, action: PactAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const scope = action === 'see' ? await this.owners.readScope(caller, 'pact.read') : await this.owners.actScope(caller, 'pact.manage');
    // Answer with the ids as asked (a UUID may come in capitals; the database answers in lower case).
    const hit = new Set(await this.pacts.ownedAmong(tx, ids, scope));
    return new Set(ids.filter((id) => hit.has(id.toLowerCase())));
  }
}
