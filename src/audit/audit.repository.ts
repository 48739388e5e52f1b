import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { OrganisationScope } from '../access/access.service';
import type { Caller } from '../access/caller';
import { decodeCursor, toPage, type Page } from '../common/pagination';
import { SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { DomainEvent, StatementContext } from '../domain-events/domain-event';
import { AuditEntry } from './audit-entry.entity';

export interface AuditQuery {
  organisationIds?: OrganisationScope;
  coalitionIds?: { all: true } | { all: false; ids: string[] };
  entity?: string;
  actor?: string;
  limit: number;
  cursor?: string;
}

/** The audit_log table: written by every change, read by the audit route. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One entry, in `tx`. Plain SQL: written by every change, so no query builder. */
  async insert(tx: Tx, actor: Caller, entry: DomainEvent): Promise<void> {
    const p = new SqlParams();
    await tx.query(insertSql(p, actor, entry), p.values);
  }

  /**
   * The entry as part of a one-statement change: one entry per row of the
   * statement's relation, its id the row's id and, when the change records a
   * status, the status the row got (going or waitlisted).
   */
  insertInStatement(actor: Caller, entry: DomainEvent, statement: StatementContext): string {
    const r = statement.relation;
    return insertSql(statement.params, actor, entry, {
      relation: r,
      entityId: `${r}.id::text`,
      changes: (given) => (entry.changes && 'status' in entry.changes ? `jsonb_set(${given}, '{status,to}', to_jsonb(${r}.status))` : given),
    });
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

/**
 * The INSERT of `entry` (its values added to `p`); with `from`, an INSERT …
 * SELECT over the statement's relation, `entityId` and `changes` then being
 * SQL expressions over it (`changes` given the entry's own as jsonb).
 */
function insertSql(p: SqlParams, caller: Caller, entry: DomainEvent, from?: { relation: string; entityId: string; changes: (given: string) => string }): string {
  const changes = `${p.add(entry.changes ? JSON.stringify(entry.changes) : null)}::jsonb`;
  const values = [
    `${p.add(caller.user?.id ?? null)}::uuid`,
    `${p.add(caller.user?.apiToken?.id ?? null)}::uuid`,
    `${p.add(entry.action)}::text`,
    `${p.add(entry.entity)}::text`,
    from ? from.entityId : `${p.add(entry.entityId)}::text`,
    `${p.add(entry.organisationId ?? null)}::uuid`,
    `${p.add(entry.coalitionId ?? null)}::uuid`,
    from ? from.changes(changes) : changes,
    `${p.add(caller.requestId)}::text`,
  ];
  return `INSERT INTO audit_log (actor_user_id, actor_api_token_id, action, entity, entity_id, organisation_id, coalition_id, changes, request_id)
          ${from ? `SELECT ${values.join(', ')} FROM ${from.relation}` : `VALUES (${values.join(', ')})`}`;
}
