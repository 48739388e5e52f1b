import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { Transactions, type Tx } from '../database/transactions';
import type { Campaign } from './campaign.entity';
import { CampaignsRepository, type CampaignScope } from './campaigns.repository';

/** `manage`: campaign.manage on the owner organisation (or an ancestor), or on the owner coalition. */
export type CampaignAction = 'manage';

/**
 * Object-level access to campaigns (ResourceAccess): public once active
 * (or closed); drafts are seen only by those who may manage the owner. The
 * rule is written once, in CampaignsRepository, over the caller's scope.
 */
@Injectable()
export class CampaignAccess implements ResourceAccess<CampaignAction> {
  constructor(
    private readonly campaigns: CampaignsRepository,
    private readonly access: AccessService,
    private readonly transactions: Transactions,
  ) {}

  /** The owners the caller manages campaigns for. */
  async scope(caller: Caller): Promise<CampaignScope> {
    if (this.access.isPlatformAdmin(caller)) return { all: true };
    const orgs = await this.access.organisationScope(caller, 'campaign.manage');
    const coalitions = this.access.coalitionScope(caller, 'campaign.manage');
    return { all: false, organisationIds: orgs.all ? [] : orgs.ids, coalitionIds: coalitions.all ? [] : coalitions.ids };
  }

  /** May the caller manage campaigns of this owner (a campaign not yet made)? */
  async managesOwner(caller: Caller, c: Pick<Campaign, 'organisationId' | 'coalitionId'>): Promise<boolean> {
    if (c.organisationId) return this.access.canOnOrganisation(caller, 'campaign.manage', c.organisationId);
    if (c.coalitionId) return this.access.canOnCoalition(caller, 'campaign.manage', c.coalitionId);
    return false;
  }

  allowed(caller: Caller, action: CampaignAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    return this.allowedIn(this.transactions.auto, caller, action, ids);
  }

  /** The same answers, read in `tx` (e.g. after locking the campaign). */
  in(tx: Tx): ResourceAccess<CampaignAction> {
    return { allowed: (caller, action, ids) => this.allowedIn(tx, caller, action, ids) };
  }

  private async allowedIn(tx: Tx, caller: Caller, action: CampaignAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const hit = new Set(await this.campaigns.among(tx, ids, action === 'see' ? 'visible' : 'managed', await this.scope(caller)));
    // Answer with the ids as asked (a UUID may come in capitals; the database answers in lower case).
    return new Set(ids.filter((id) => hit.has(id.toLowerCase())));
  }
}
