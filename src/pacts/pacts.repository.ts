import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { DemandStatus } from '../demands/demand.entity';
import type { OwnerScope } from '../demands/owner-access.service';
import { PactCondition, type ConditionStatus } from './pact-condition.entity';
import { Pact, type PactStatus } from './pact.entity';

/** A pact with its counterpart and the tally of its conditions; dates as text. */
export interface PactRow {
  id: string;
  owner_coalition_id: string | null;
  owner_organisation_id: string | null;
  counterpart_organisation_id: string;
  title: string;
  description: string | null;
  kind: Pact['kind'];
  status: PactStatus;
  starts_on: string | null;
  ends_on: string | null;
  signed_on: string | null;
  created_at: Date;
  updated_at: Date;
  cursor_at: string;
  cp_slug: string;
  cp_name: string;
  cp_short_name: string | null;
  cp_external: boolean;
  pending: number;
  accepted: number;
  rejected: number;
  fulfilled: number;
  breached: number;
}

/** A condition with the demand it names. */
export interface ConditionRow {
  demand_id: string;
  status: ConditionStatus;
  note: string | null;
  updated_at: Date;
  code: string;
  title: string;
  position: number;
  demand_status: DemandStatus;
}

export interface PactFilter {
  coalition?: string;
  organisation?: string;
  counterpart?: string;
  status?: PactStatus;
  /** Keyset: the (created_at in UTC, id) of the last row of the previous page. */
  after?: [string, string];
  limit: number;
}

/** A pact with its counterpart and the tally of its conditions; dates as text (the driver would make them local midnights). */
const PACT_SELECT = `SELECT p.id, p.owner_coalition_id, p.owner_organisation_id, p.counterpart_organisation_id, p.title, p.description, p.kind, p.status,
    p.starts_on::text AS starts_on, p.ends_on::text AS ends_on, p.signed_on::text AS signed_on, p.created_at, p.updated_at,
    to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS cursor_at,
    o.slug AS cp_slug, o.name AS cp_name, o.short_name AS cp_short_name, o.external AS cp_external,
    t.pending, t.accepted, t.rejected, t.fulfilled, t.breached
  FROM pacts p
  JOIN organisations o ON o.id = p.counterpart_organisation_id
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE c.status = 'pending')::int AS pending,
           count(*) FILTER (WHERE c.status = 'accepted')::int AS accepted,
           count(*) FILTER (WHERE c.status = 'rejected')::int AS rejected,
           count(*) FILTER (WHERE c.status = 'fulfilled')::int AS fulfilled,
           count(*) FILTER (WHERE c.status = 'breached')::int AS breached
    FROM pact_conditions c WHERE c.pact_id = p.id
  ) t`;

/**
 * THE rule of pacts, for single reads and lists alike: the pact's owner is
 * inside the scope (OwnerAccessService: readScope to see, actScope to
 * manage). An empty scope matches nothing.
 */
function ownedWithin(scope: OwnerScope, p: SqlParams): string {
  if (scope.all) return 'TRUE';
  return `(p.owner_organisation_id = ANY(${p.add(scope.organisationIds)}::uuid[]) OR p.owner_coalition_id = ANY(${p.add(scope.coalitionIds)}::uuid[]))`;
}

/** The pacts and pact_conditions tables. */
@Injectable()
export class PactsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One pact; `lock`: FOR UPDATE until `tx` ends. */
  byId(tx: Tx, id: string, lock = false): Promise<Pact | null> {
    return tx.findOne(Pact, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** Of these ids, the pacts whose owner is inside `scope`. */
  async ownedAmong(tx: Tx, ids: readonly string[], scope: OwnerScope): Promise<string[]> {
    const p = new SqlParams();
    const rows = await tx.query<{ id: string }[]>(`SELECT p.id FROM pacts p WHERE p.id = ANY(${p.add(ids)}::uuid[]) AND ${ownedWithin(scope, p)}`, p.values);
    return rows.map((r) => r.id);
  }

  /** The pacts of the owners in `scope`, newest first; `limit` rows. */
  list(scope: OwnerScope, filter: PactFilter): Promise<PactRow[]> {
    const p = new SqlParams();
    const where = [ownedWithin(scope, p)];
    if (filter.coalition) where.push(`p.owner_coalition_id = ${p.add(filter.coalition)}`);
    if (filter.organisation) where.push(`p.owner_organisation_id = ${p.add(filter.organisation)}`);
    if (filter.counterpart) where.push(`p.counterpart_organisation_id = ${p.add(filter.counterpart)}`);
    if (filter.status) where.push(`p.status = ${p.add(filter.status)}`);
    if (filter.after) where.push(`(p.created_at, p.id) < (${p.add(filter.after[0])}::timestamp AT TIME ZONE 'UTC', ${p.add(filter.after[1])}::uuid)`);
    return this.db.query<PactRow[]>(`${PACT_SELECT} WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.id DESC LIMIT ${p.add(filter.limit)}`, p.values);
  }

  async row(tx: Tx, id: string): Promise<PactRow> {
    const [row] = await tx.query<PactRow[]>(`${PACT_SELECT} WHERE p.id = $1`, [id]);
    return row;
  }

  /** A pact's conditions with their demands, in the order of the platform. */
  conditions(tx: Tx, pactId: string): Promise<ConditionRow[]> {
    return tx.query<ConditionRow[]>(
      `SELECT c.demand_id, c.status, c.note, c.updated_at, d.code, d.title, d.position, d.status AS demand_status
       FROM pact_conditions c JOIN demands d ON d.id = c.demand_id WHERE c.pact_id = $1 ORDER BY d.position`,
      [pactId],
    );
  }

  insert(tx: Tx, fields: Omit<Pact, 'id' | 'createdAt' | 'updatedAt' | 'ownerCoalition' | 'ownerOrganisation' | 'counterpart'>): Promise<Pact> {
    return tx.save(Pact, tx.create(Pact, fields));
  }

  /** Saves a pact read earlier, with its changes. */
  async update(tx: Tx, pact: Pact): Promise<void> {
    await tx.save(Pact, pact);
  }

  condition(tx: Tx, pactId: string, demandId: string): Promise<PactCondition | null> {
    return tx.findOne(PactCondition, { where: { pactId, demandId } });
  }

  /** Inserts or updates (by id) a condition; returns it as saved. */
  saveCondition(tx: Tx, row: Partial<Omit<PactCondition, 'pact' | 'demand'>>): Promise<PactCondition> {
    return tx.save(PactCondition, row);
  }
}
