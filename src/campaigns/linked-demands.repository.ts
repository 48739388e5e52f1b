import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/transactions';

/**
 * A table linking campaigns (campaign_demands) or, until the events module
 * keeps its own, events (event_demands) to the demands they push.
 */
export type LinkTable = { table: 'campaign_demands'; ownerColumn: 'campaign_id' } | { table: 'event_demands'; ownerColumn: 'event_id' };

/** The links between campaigns (or events) and demands. */
@Injectable()
export class LinkedDemandsRepository {
  /** The demands linked to one campaign or event, by id. */
  async ids(tx: Tx, link: LinkTable, ownerId: string): Promise<string[]> {
    const rows = await tx.query<{ demand_id: string }[]>(`SELECT demand_id FROM ${link.table} WHERE ${link.ownerColumn} = $1 ORDER BY demand_id`, [ownerId]);
    return rows.map((r) => r.demand_id);
  }

  /** Replaces the links of one campaign or event; returns the previous ids. */
  async replace(tx: Tx, link: LinkTable, ownerId: string, ids: string[]): Promise<string[]> {
    const before = await this.ids(tx, link, ownerId);
    await tx.query(`DELETE FROM ${link.table} WHERE ${link.ownerColumn} = $1 AND NOT (demand_id = ANY($2::uuid[]))`, [ownerId, ids]);
    if (ids.length) await tx.query(`INSERT INTO ${link.table} (${link.ownerColumn}, demand_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [ownerId, ids]);
    return before;
  }
}
