import { Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { badRequest } from '../common/problem';
import type { Tx } from '../database/transactions';
import type { DemandStatus } from '../demands/demand-workflow';
import { DemandsService } from '../demands/demands.service';
import { LinkedDemand } from './campaign.views';
import { LinkedDemandsRepository } from './linked-demands.repository';

/** Statuses a campaign or an event can push: put forward, adopted, or won. */
const LINKABLE: readonly DemandStatus[] = ['proposed', 'adopted', 'achieved'];

const byCode = (a: LinkedDemand, b: LinkedDemand) => a.code.localeCompare(b.code, undefined, { numeric: true });

/**
 * Links between campaigns or events and the demands they push (each module keeps
 * its own link table: campaign_demands here, event_demands in the events module), read and
 * checked through the demands module's own visibility rules (DemandsService),
 * so a reader only ever sees the linked demands they may see.
 */
@Injectable()
export class LinkedDemandsService {
  constructor(
    private readonly demands: DemandsService,
    private readonly links: LinkedDemandsRepository,
  ) {}

  /** Of these demands, those the caller may see, by code. */
  async visible(tx: Tx, caller: Caller, ids: readonly string[]): Promise<LinkedDemand[]> {
    const refs = await this.demands.visibleRefs(tx, caller, ids);
    return refs.map((d): LinkedDemand => ({ id: d.id, code: d.code, title: d.title, status: d.status })).sort(byCode);
  }

  /** 400 unless every id is a demand the caller can see and that is proposed, adopted or achieved. */
  async check(tx: Tx, caller: Caller, ids: string[]): Promise<void> {
    const seen = new Map((await this.demands.visibleRefs(tx, caller, ids)).map((d) => [d.id, d]));
    for (const id of ids) {
      const d = seen.get(id.toLowerCase());
      if (!d) throw badRequest('unknown-demand', 'A linked demand does not exist.', [{ field: 'demandIds', message: `unknown demand ${id}` }]);
      if (!LINKABLE.includes(d.status))
        throw badRequest('demand-not-linkable', `Demand ${d.code} is ${d.status}; only proposed, adopted or achieved demands can be linked.`, [
          { field: 'demandIds', message: `demand ${d.code} is ${d.status}` },
        ]);
    }
  }

  /** The demands a campaign pushes that the caller may see, by code. */
  async ofCampaign(tx: Tx, caller: Caller, campaignId: string): Promise<LinkedDemand[]> {
    return this.visible(tx, caller, await this.links.ids(tx, campaignId));
  }

  /** Replaces a campaign's links; returns the previous ids (for the audit entry). */
  replaceOfCampaign(tx: Tx, campaignId: string, ids: string[]): Promise<string[]> {
    return this.links.replace(tx, campaignId, ids);
  }
}
