import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import { DemandEndorsement } from './demand-endorsement.entity';
import { DemandRevision, type DemandText } from './demand-revision.entity';
import { Demand, PUBLIC_DEMAND_STATUSES, type DemandStatus } from './demand.entity';
import type { Owner, OwnerScope } from './owner-access.service';

/** A demand as the lists read it: dates as text, with its endorsement count and the key of its owner. */
export interface DemandRow {
  id: string;
  owner_coalition_id: string | null;
  owner_organisation_id: string | null;
  code: string;
  title: string;
  body: string;
  category: string | null;
  position: number;
  status: DemandStatus;
  adopted_on: string | null;
  endorsement_count: number;
  created_at: Date;
  updated_at: Date;
  owner_key: string;
}

/** An endorsement with the endorsing organisation. */
export interface EndorsementRow {
  organisation_id: string;
  slug: string;
  name: string;
  short_name: string | null;
  endorsed_on: string;
  note: string | null;
  endorsed_by: string | null;
}

export interface DemandFilter {
  coalition?: string;
  organisation?: string;
  status?: DemandStatus;
  /** Keyset: the (owner, position, id) of the last row of the previous page. */
  after?: [string, number, string];
  limit: number;
}

/** Columns for hand-written list queries (dates as text: the driver would turn them into local midnights). */
const DEMAND_COLUMNS = `d.id, d.owner_coalition_id, d.owner_organisation_id, d.code, d.title, d.body, d.category, d.position, d.status,
  d.adopted_on::text AS adopted_on, d.created_at, d.updated_at, COALESCE(d.owner_coalition_id, d.owner_organisation_id) AS owner_key,
  (SELECT count(*)::int FROM demand_endorsements e WHERE e.demand_id = d.id) AS endorsement_count`;

/** "The demand's owner is inside the scope". An empty scope matches nothing. */
function ownedWithin(scope: OwnerScope, p: SqlParams): string {
  if (scope.all) return 'TRUE';
  return `(d.owner_organisation_id = ANY(${p.add(scope.organisationIds)}::uuid[]) OR d.owner_coalition_id = ANY(${p.add(scope.coalitionIds)}::uuid[]))`;
}

/**
 * THE visibility rule of demands, for single reads and lists alike: adopted
 * and achieved ones are public; the rest are read inside the owner's scope
 * (`scope`: OwnerAccessService.readScope).
 */
function visibleWithin(scope: OwnerScope, p: SqlParams): string {
  return `(d.status = ANY(${p.add(PUBLIC_DEMAND_STATUSES)}::text[]) OR ${ownedWithin(scope, p)})`;
}

const ownerColumn = (owner: Owner) => (owner.coalitionId ? 'owner_coalition_id' : 'owner_organisation_id');
const ownerWhere = (owner: Owner) => (owner.coalitionId ? { ownerCoalitionId: owner.coalitionId } : { ownerOrganisationId: owner.organisationId! });

/** The demands, demand_endorsements and demand_revisions tables. */
@Injectable()
export class DemandsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One demand; `lock`: FOR UPDATE (`write`) or FOR SHARE (`share`) until `tx` ends. */
  byId(tx: Tx, id: string, lock?: 'write' | 'share'): Promise<Demand | null> {
    const mode = lock === 'write' ? ('pessimistic_write' as const) : lock === 'share' ? ('pessimistic_read' as const) : undefined;
    return tx.findOne(Demand, { where: { id }, ...(mode ? { lock: { mode } } : {}) });
  }

  /** Of these ids, the demands the readers of `scope` see (`visible`), or those whose owner is inside `scope` (`owned`). */
  async among(tx: Tx, ids: readonly string[], rule: 'visible' | 'owned', scope: OwnerScope): Promise<string[]> {
    const p = new SqlParams();
    const where = `d.id = ANY(${p.add(ids)}::uuid[]) AND ${rule === 'visible' ? visibleWithin(scope, p) : ownedWithin(scope, p)}`;
    const rows = await tx.query<{ id: string }[]>(`SELECT d.id FROM demands d WHERE ${where}`, p.values);
    return rows.map((r) => r.id);
  }

  /** The demands the readers of `scope` see, in the platform order (owner by owner, by position); `limit` rows. */
  async list(scope: OwnerScope, filter: DemandFilter): Promise<DemandRow[]> {
    const p = new SqlParams();
    const where = [visibleWithin(scope, p)];
    if (filter.coalition) where.push(`d.owner_coalition_id = ${p.add(filter.coalition)}`);
    if (filter.organisation) where.push(`d.owner_organisation_id = ${p.add(filter.organisation)}`);
    if (filter.status) where.push(`d.status = ${p.add(filter.status)}`);
    if (filter.after) {
      const [owner, position, id] = filter.after;
      where.push(`(COALESCE(d.owner_coalition_id, d.owner_organisation_id), d.position, d.id) > (${p.add(owner)}::uuid, ${p.add(position)}::int, ${p.add(id)}::uuid)`);
    }
    return this.db.query<DemandRow[]>(
      `SELECT ${DEMAND_COLUMNS} FROM demands d WHERE ${where.join(' AND ')}
       ORDER BY COALESCE(d.owner_coalition_id, d.owner_organisation_id), d.position, d.id LIMIT ${p.add(filter.limit)}`,
      p.values,
    );
  }

  /** An owner's whole platform, by position. */
  platform(tx: Tx, owner: Owner): Promise<DemandRow[]> {
    return tx.query<DemandRow[]>(`SELECT ${DEMAND_COLUMNS} FROM demands d WHERE d.${ownerColumn(owner)} = $1 ORDER BY d.position`, [owner.coalitionId ?? owner.organisationId]);
  }

  /** A coalition's demands in one status, by position (its public platform: `adopted`). */
  coalitionDemands(coalitionId: string, status: DemandStatus): Promise<DemandRow[]> {
    return this.db.query<DemandRow[]>(`SELECT ${DEMAND_COLUMNS} FROM demands d WHERE d.owner_coalition_id = $1 AND d.status = $2 ORDER BY d.position`, [coalitionId, status]);
  }

  /** The endorsements of these demands with the organisations, each demand's in the order they came. */
  endorsementsOf(demandIds: readonly string[]): Promise<(EndorsementRow & { demand_id: string })[]> {
    if (!demandIds.length) return Promise.resolve([]);
    return this.db.query(
      `SELECT e.demand_id, e.organisation_id, o.slug, o.name, o.short_name, e.endorsed_on::text AS endorsed_on, e.note, e.endorsed_by
       FROM demand_endorsements e JOIN organisations o ON o.id = e.organisation_id
       WHERE e.demand_id = ANY($1::uuid[]) ORDER BY e.demand_id, e.endorsed_on, e.created_at`,
      [demandIds],
    );
  }

  /** An owner's demands as entities, by position. */
  ofOwner(tx: Tx, owner: Owner): Promise<Demand[]> {
    return tx.find(Demand, { where: ownerWhere(owner), order: { position: 'ASC' } });
  }

  /** Code, title and status of these demands (those that exist). */
  refs(tx: Tx, ids: readonly string[]): Promise<Pick<Demand, 'id' | 'code' | 'title' | 'status'>[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return tx.query('SELECT id, code, title, status FROM demands WHERE id = ANY($1::uuid[])', [ids]);
  }

  codeTaken(tx: Tx, owner: Owner, code: string): Promise<boolean> {
    return tx.exists(Demand, { where: { ...ownerWhere(owner), code } });
  }

  /** D<n>, one past the highest D-number in use. */
  async nextCode(tx: Tx, owner: Owner): Promise<string> {
    const [{ n }] = await tx.query<{ n: number }[]>(
      `SELECT COALESCE(max(substring(code FROM 2)::int), 0) + 1 AS n FROM demands
       WHERE ${ownerColumn(owner)} = $1 AND code ~ '^D[0-9]{1,9}$'`,
      [owner.coalitionId ?? owner.organisationId],
    );
    return `D${n}`;
  }

  /** The position after the owner's last demand. */
  async nextPosition(tx: Tx, owner: Owner): Promise<number> {
    const [{ next }] = await tx.query<{ next: number }[]>(`SELECT COALESCE(max(position), 0) + 1 AS next FROM demands WHERE ${ownerColumn(owner)} = $1`, [owner.coalitionId ?? owner.organisationId]);
    return next;
  }

  insert(tx: Tx, fields: Omit<Demand, 'id' | 'createdAt' | 'updatedAt' | 'ownerCoalition' | 'ownerOrganisation'>): Promise<Demand> {
    return tx.save(Demand, tx.create(Demand, fields));
  }

  /** Saves a demand read earlier, with its changes; returns it as saved. */
  update(tx: Tx, demand: Demand): Promise<Demand> {
    return tx.save(Demand, demand);
  }

  /**
   * Puts `ids` (the owner's every demand) at positions 1..n. The rows that
   * change move out of 1..n first, then into place: the unique (owner,
   * position) index holds after every row.
   */
  async reorder(tx: Tx, ids: string[]): Promise<void> {
    const ordered = `unnest($1::uuid[]) WITH ORDINALITY AS v(id, ord)`;
    await tx.query(`UPDATE demands d SET position = d.position + $2 FROM ${ordered} WHERE d.id = v.id AND d.position <> v.ord`, [ids, ids.length]);
    await tx.query(`UPDATE demands d SET position = v.ord, updated_at = now() FROM ${ordered} WHERE d.id = v.id AND d.position <> v.ord`, [ids]);
  }

  async insertRevision(tx: Tx, demandId: string, before: DemandText, after: DemandText, revisedBy: string | null): Promise<void> {
    await tx.insert(DemandRevision, { demandId, before, after, revisedBy });
  }

  /** A demand's revisions, oldest first, after the revision `afterId`; `limit` rows. */
  revisions(demandId: string, afterId: string | undefined, limit: number): Promise<DemandRevision[]> {
    const qb = this.db.getRepository(DemandRevision).createQueryBuilder('r').where('r.demand_id = :id', { id: demandId });
    if (afterId !== undefined) qb.andWhere('r.id > :after', { after: afterId });
    return qb.orderBy('r.id', 'ASC').take(limit).getMany();
  }

  /** A demand's endorsements with the organisations, in the order they came. */
  endorsements(tx: Tx, demandId: string): Promise<EndorsementRow[]> {
    return tx.query<EndorsementRow[]>(
      `SELECT e.organisation_id, o.slug, o.name, o.short_name, e.endorsed_on::text AS endorsed_on, e.note, e.endorsed_by
       FROM demand_endorsements e JOIN organisations o ON o.id = e.organisation_id
       WHERE e.demand_id = $1 ORDER BY e.endorsed_on, e.created_at`,
      [demandId],
    );
  }

  /** Records an endorsement; its id, or null when the organisation already endorses the demand. */
  async endorse(tx: Tx, values: Pick<DemandEndorsement, 'demandId' | 'organisationId' | 'endorsedOn' | 'note' | 'endorsedBy'>): Promise<string | null> {
    const inserted = await tx.createQueryBuilder().insert().into(DemandEndorsement).values(values).orIgnore().returning(['id']).execute();
    const row = (inserted.raw as { id: string }[])[0];
    return row?.id ?? null;
  }

  endorsementForUpdate(tx: Tx, demandId: string, organisationId: string): Promise<DemandEndorsement | null> {
    return tx.findOne(DemandEndorsement, { where: { demandId, organisationId }, lock: { mode: 'pessimistic_write' } });
  }

  async deleteEndorsement(tx: Tx, id: string): Promise<void> {
    await tx.delete(DemandEndorsement, { id });
  }
}
