import { Injectable } from '@nestjs/common';

import type { Tx } from '../database/transactions';

/** campaign_demands: the demands each campaign pushes. */
@Injectable()
export class LinkedDemandsRepository {
  /** The demands linked to one campaign, by id. */
  async ids(tx: Tx, campaignId: string): Promise<string[]> {
    const rows = await tx.query<{ demand_id: string }[]>('SELECT demand_id FROM campaign_demands WHERE campaign_id = $1 ORDER BY demand_id', [campaignId]);
    return rows.map((r) => r.demand_id);
  }

  /** Replaces the links of one campaign; returns the previous ids. */
  async replace(tx: Tx, campaignId: string, ids: string[]): Promise<string[]> {
    const before = await this.ids(tx, campaignId);
    await tx.query('DELETE FROM campaign_demands WHERE campaign_id = $1 AND NOT (demand_id = ANY($2::uuid[]))', [campaignId, ids]);
    if (ids.length) await tx.query('INSERT INTO campaign_demands (campaign_id, demand_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [campaignId, ids]);
    return before;
  }
}
