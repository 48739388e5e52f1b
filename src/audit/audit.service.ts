import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import type { OrganisationScope } from '../access/access.service';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { SqlParams } from '../common/sql';
import { AuditEntry } from './audit-entry.entity';

export const MASKED = '[personal data]';

export interface AuditRecord {
  action: string;
  entity: string;
  entityId: string | null;
  organisationId?: string | null;
  coalitionId?: string | null;
  changes?: Record<string, unknown> | null;
}

export interface AuditQuery {
  organisationIds?: OrganisationScope;
  coalitionIds?: { all: true } | { all: false; ids: string[] };
  entity?: string;
  actor?: string;
  limit: number;
  cursor?: string;
}

/**
 * What changed between `before` and `after`, for the fields named. Values of
 * `personal` fields are masked: the audit log is kept forever, and erasing a
 * person must not leave their data behind in it.
 */
export function diff<T extends object>(before: Partial<T> | null, after: Partial<T>, fields: (keyof T)[], personal: (keyof T)[] = []): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    const a = before ? before[field] : undefined;
    const b = after[field];
    if (b === undefined && before) continue;
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const masked = personal.includes(field);
    out[String(field)] = { from: masked && a != null ? MASKED : (a ?? null), to: masked && b != null ? MASKED : (b ?? null) };
  }
  return out;
}

/**
 * The INSERT of `entry` (its values added to `p`). For a change written in
 * one statement (a signup), `from` names the statement's relation of the
 * changed row: the entry is written for each of its rows, `entityId` and
 * `changes` then being SQL expressions over it (`changes` given the entry's
 * own changes as a jsonb expression, to complete).
 */
export function auditInsertSql(
  p: SqlParams,
  caller: Caller,
  entry: AuditRecord,
  from?: { relation: string; entityId: string; changes: (given: string) => string },
): string {
  const changes = `${p.add(entry.changes ? JSON.stringify(entry.changes) : null)}::jsonb`;
  const values = [
    `${p.add(caller.user?.id ?? null)}::uuid`,
    `${p.add(entry.action)}::text`,
    `${p.add(entry.entity)}::text`,
    from ? from.entityId : `${p.add(entry.entityId)}::text`,
    `${p.add(entry.organisationId ?? null)}::uuid`,
    `${p.add(entry.coalitionId ?? null)}::uuid`,
    from ? from.changes(changes) : changes,
    `${p.add(caller.requestId)}::text`,
  ];
  return `INSERT INTO audit_log (actor_user_id, action, entity, entity_id, organisation_id, coalition_id, changes, request_id)
          ${from ? `SELECT ${values.join(', ')} FROM ${from.relation}` : `VALUES (${values.join(', ')})`}`;
}

@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Writes one entry inside the caller's transaction (`manager`), so it commits or rolls back with the change. */
  async record(manager: EntityManager, caller: Caller, entry: AuditRecord): Promise<void> {
    // Plain SQL: written by every change, so no query builder.
    const p = new SqlParams();
    await manager.query(auditInsertSql(p, caller, entry), p.values);
  }

  /** Newest first, keyset-paginated, filtered to the scopes passed in SQL. */
  async list(query: AuditQuery): Promise<Page<AuditEntry>> {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('a');
    const orgs = query.organisationIds;
    const coalitions = query.coalitionIds;
    const unrestricted = orgs?.all === true || coalitions?.all === true;
    if (!unrestricted) {
      const orgIds = orgs && !orgs.all ? orgs.ids : [];
      const coalitionIds = coalitions && !coalitions.all ? coalitions.ids : [];
      qb.where('(a.organisation_id = ANY(:orgIds) OR a.coalition_id = ANY(:coalitionIds))', { orgIds, coalitionIds });
    }
    if (query.entity) qb.andWhere('a.entity = :entity', { entity: query.entity });
    if (query.actor) qb.andWhere('a.actor_user_id = :actor', { actor: query.actor });
    const after = decodeCursor<[string]>(query.cursor);
    if (after) qb.andWhere('a.id < :after', { after: after[0] });
    const rows = await qb
      .orderBy('a.id', 'DESC')
      .take(query.limit + 1)
      .getMany();
    return toPage(rows, query.limit, (a) => [a.id]);
  }
}
