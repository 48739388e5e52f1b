import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { AppError, badRequest } from '../common/problem';
import { DemandsService } from '../demands/demands.service';
import { DEMAND_STATUSES, type DemandStatus } from '../demands/demand.entity';

/** A linked demand as campaigns and events show it. */
export class LinkedDemand {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'D3' }) code: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: DEMAND_STATUSES }) status: DemandStatus;
}

/** Statuses a campaign or an event can push: put forward, adopted, or won. */
const LINKABLE: readonly DemandStatus[] = ['proposed', 'adopted', 'achieved'];

/**
 * Links between campaigns or events and the demands they push, read and
 * checked through the demands module's own visibility rules (DemandsService),
 * so a reader only ever sees the linked demands they may see.
 */
@Injectable()
export class LinkedDemandsService {
  constructor(private readonly demands: DemandsService) {}

  private async visible(em: EntityManager, caller: Caller, id: string): Promise<LinkedDemand | null> {
    try {
      const { demand } = await this.demands.findVisible(caller, id, em);
      return { id: demand.id, code: demand.code, title: demand.title, status: demand.status };
    } catch (err) {
      if (err instanceof AppError && err.status === 404) return null;
      throw err;
    }
  }

  /** 400 unless every id is a demand the caller can see and that is proposed, adopted or achieved. */
  async check(em: EntityManager, caller: Caller, ids: string[]): Promise<void> {
    for (const id of ids) {
      const d = await this.visible(em, caller, id);
      if (!d) throw badRequest('unknown-demand', 'A linked demand does not exist.', [{ field: 'demandIds', message: `unknown demand ${id}` }]);
      if (!LINKABLE.includes(d.status)) throw badRequest('demand-not-linkable', `Demand ${d.code} is ${d.status}; only proposed, adopted or achieved demands can be linked.`, [{ field: 'demandIds', message: `demand ${d.code} is ${d.status}` }]);
    }
  }

  /** Replaces the links of one campaign or event; returns the previous ids (for the audit entry). */
  async replace(em: EntityManager, table: 'campaign_demands' | 'event_demands', ownerColumn: 'campaign_id' | 'event_id', ownerId: string, ids: string[]): Promise<string[]> {
    const before = await em.query<{ demand_id: string }[]>(`SELECT demand_id FROM ${table} WHERE ${ownerColumn} = $1 ORDER BY demand_id`, [ownerId]);
    await em.query(`DELETE FROM ${table} WHERE ${ownerColumn} = $1 AND NOT (demand_id = ANY($2::uuid[]))`, [ownerId, ids]);
    if (ids.length) await em.query(`INSERT INTO ${table} (${ownerColumn}, demand_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [ownerId, ids]);
    return before.map((r) => r.demand_id);
  }

  /** The linked demands the caller may see, by code. */
  async read(em: EntityManager, caller: Caller, table: 'campaign_demands' | 'event_demands', ownerColumn: 'campaign_id' | 'event_id', ownerId: string): Promise<LinkedDemand[]> {
    const rows = await em.query<{ demand_id: string }[]>(`SELECT demand_id FROM ${table} WHERE ${ownerColumn} = $1`, [ownerId]);
    const out: LinkedDemand[] = [];
    for (const r of rows) {
      const d = await this.visible(em, caller, r.demand_id);
      if (d) out.push(d);
    }
    return out.sort((a, b) => a.code.localeCompare(b.code, undefined, { numeric: true }));
  }
}
