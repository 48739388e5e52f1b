import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';
import { Campaign, type CampaignStatus } from './campaign.entity';

/** Owners the caller manages campaigns for (campaign.manage), or all. */
export type CampaignScope = { all: true } | { all: false; organisationIds: string[]; coalitionIds: string[] };

export interface CampaignFilter {
  organisation?: string;
  coalition?: string;
  status?: CampaignStatus;
  /** Keyset: the (starts_on, id) of the last row of the previous page. */
  after?: [string, string];
  limit: number;
}

export type CampaignFields = Omit<Campaign, 'id' | 'createdAt' | 'updatedAt' | 'organisation' | 'coalition'>;

interface Condition {
  sql: string;
  params: Record<string, unknown>;
}

/** "The campaign's owner is inside the scope" (query builder alias `c`). An empty scope matches nothing. */
function managedWithin(scope: CampaignScope): Condition {
  if (scope.all) return { sql: 'TRUE', params: {} };
  return { sql: '(c.organisation_id = ANY(:manageOrgs) OR c.coalition_id = ANY(:manageCoalitions))', params: { manageOrgs: scope.organisationIds, manageCoalitions: scope.coalitionIds } };
}

/**
 * THE visibility rule of campaigns, for single reads and lists alike: public
 * once active (or closed); drafts only inside the caller's campaign.manage
 * scope (a SQL parameter, so no scope means no drafts).
 */
function visibleWithin(scope: CampaignScope): Condition {
  if (scope.all) return { sql: 'TRUE', params: {} };
  const managed = managedWithin(scope);
  return { sql: `(c.status <> 'draft' OR ${managed.sql})`, params: managed.params };
}

/** The campaigns table. */
@Injectable()
export class CampaignsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One campaign; `lock`: FOR UPDATE until `tx` ends. */
  byId(tx: Tx, id: string, lock = false): Promise<Campaign | null> {
    return tx.findOne(Campaign, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Of these ids, the campaigns the managers of `scope` see (`visible`) or manage (`managed`). */
  async among(tx: Tx, ids: readonly string[], rule: 'visible' | 'managed', scope: CampaignScope): Promise<string[]> {
    const condition = rule === 'visible' ? visibleWithin(scope) : managedWithin(scope);
    const rows = await tx.createQueryBuilder(Campaign, 'c').select('c.id', 'id').where('c.id = ANY(:ids)', { ids }).andWhere(condition.sql, condition.params).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Newest first, the campaigns the managers of `scope` see; `limit` rows. */
  list(scope: CampaignScope, filter: CampaignFilter): Promise<Campaign[]> {
    const qb = this.db.getRepository(Campaign).createQueryBuilder('c');
    if (!scope.all) {
      const visible = visibleWithin(scope);
      qb.where(visible.sql, visible.params);
    }
    if (filter.organisation) qb.andWhere('c.organisation_id = :organisation', { organisation: filter.organisation });
    if (filter.coalition) qb.andWhere('c.coalition_id = :coalition', { coalition: filter.coalition });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.after) qb.andWhere('(c.starts_on, c.id) < (:afterOn, :afterId)', { afterOn: filter.after[0], afterId: filter.after[1] });
    return qb.orderBy('c.starts_on', 'DESC').addOrderBy('c.id', 'DESC').take(filter.limit).getMany();
  }

  insert(tx: Tx, fields: CampaignFields): Promise<Campaign> {
    return tx.save(Campaign, tx.create(Campaign, fields));
  }

  async update(tx: Tx, id: string, fields: Pick<Campaign, 'title' | 'description' | 'startsOn' | 'endsOn' | 'status'>): Promise<void> {
    await tx.update(Campaign, { id }, fields);
  }
}
