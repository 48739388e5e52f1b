import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { OrganisationScope } from '../access/access.service';
import { returningRows, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { StatementContext } from '../domain-events/domain-event';
import type { DeliveryState } from './webhook-delivery.entity';

export interface EndpointRow {
  id: string;
  organisation_id: string | null;
  coalition_id: string | null;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  failing_since: Date | null;
  previous_secret_expires_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const ENDPOINT_COLUMNS =
  'id, organisation_id, coalition_id, url, description, events, enabled, disabled_at, disabled_reason, failing_since, previous_secret_expires_at, created_by, created_at, updated_at';

export interface DeliveryRow {
  id: string;
  seq: string;
  endpoint_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = 'id, seq, endpoint_id, event_type, payload, state, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, created_at';

/** A due delivery claimed by one worker lane, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  url: string;
  secret: string;
  /** The rotated-out secret, while it still signs. */
  previous_secret: string | null;
}

/** A webhook event addressed by what it belongs to (the endpoints it reaches are found in SQL). */
export interface DeliveryToWrite {
  type: string;
  payload: Record<string, unknown>;
  organisationId: string | null;
  coalitionId: string | null;
  eventId: string | null;
}

/** Endpoints scope: organisations (with their descendants already expanded) and coalitions the caller may manage. */
export interface EndpointScope {
  organisations: OrganisationScope;
  coalitions: { all: true } | { all: false; ids: string[] };
}

/**
 * Which enabled endpoints subscribed to `type` an event reaches: those of
 * its organisation or of an ancestor, of a co-host of its event (or an
 * ancestor), and of its coalition. The arguments are SQL expressions (a
 * parameter, or a column of the relation the event comes from).
 */
function reaches(type: string, org: string, coalition: string, event: string): string {
  return `w.enabled AND ${type} = ANY(w.events) AND (
      (${coalition} IS NOT NULL AND w.coalition_id = ${coalition})
      OR (w.organisation_id IS NOT NULL AND w.organisation_id IN (
        WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT o.id, o.parent_id, 0 FROM organisations o
           WHERE o.id = ${org} OR o.id IN (SELECT h.organisation_id FROM event_hosts h WHERE h.event_id = ${event})
          UNION
          SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 64
        )
        SELECT id FROM up)))`;
}

/** The webhook_endpoints and webhook_deliveries tables. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---------------------------------------------------------------- endpoints

  async insertEndpoint(
    tx: Tx,
    e: { organisationId: string | null; coalitionId: string | null; url: string; description: string | null; events: string[]; secret: string; createdBy: string | null },
  ): Promise<EndpointRow> {
    const [row] = await tx.query<EndpointRow[]>(
      `INSERT INTO webhook_endpoints (organisation_id, coalition_id, url, description, events, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${ENDPOINT_COLUMNS}`,
      [e.organisationId, e.coalitionId, e.url, e.description, e.events, e.secret, e.createdBy],
    );
    return row;
  }

  async endpoint(tx: Tx, id: string, lock = false): Promise<EndpointRow | null> {
    const [row] = await tx.query<EndpointRow[]>(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row ?? null;
  }

  /** The scope predicate on `w`, its values added to `p`. */
  private inScope(p: SqlParams, scope: EndpointScope): string {
    if (scope.organisations.all || scope.coalitions.all) return 'true';
    return `(w.organisation_id = ANY(${p.add(scope.organisations.ids)}::uuid[]) OR w.coalition_id = ANY(${p.add(scope.coalitions.ids)}::uuid[]))`;
  }

  /** Which of `ids` are endpoints inside the scope (ResourceAccess). */
  async idsInScope(ids: readonly string[], scope: EndpointScope): Promise<string[]> {
    const p = new SqlParams();
    const rows = await this.db.query<{ id: string }[]>(`SELECT w.id FROM webhook_endpoints w WHERE w.id = ANY(${p.add(ids)}::uuid[]) AND ${this.inScope(p, scope)}`, p.values);
    return rows.map((r) => r.id);
  }

  /** The scope's endpoints (optionally of one organisation, with its descendants given, or one coalition), oldest first. */
  list(scope: EndpointScope, filter: { organisationIds?: string[]; coalitionId?: string }): Promise<EndpointRow[]> {
    const p = new SqlParams();
    const where = [this.inScope(p, scope)];
    if (filter.organisationIds) where.push(`w.organisation_id = ANY(${p.add(filter.organisationIds)}::uuid[])`);
    if (filter.coalitionId) where.push(`w.coalition_id = ${p.add(filter.coalitionId)}`);
    return this.db.query<EndpointRow[]>(`SELECT ${ENDPOINT_COLUMNS.replace(/(\w+)/g, 'w.$1')} FROM webhook_endpoints w WHERE ${where.join(' AND ')} ORDER BY w.created_at, w.id`, p.values);
  }

  async updateEndpoint(tx: Tx, id: string, patch: { url?: string; description?: string | null; events?: string[]; enabled?: boolean; disabledReason?: string | null }): Promise<EndpointRow> {
    const p = new SqlParams();
    const sets = ['updated_at = now()'];
    if (patch.url !== undefined) sets.push(`url = ${p.add(patch.url)}`);
    if (patch.description !== undefined) sets.push(`description = ${p.add(patch.description)}`);
    if (patch.events !== undefined) sets.push(`events = ${p.add(patch.events)}::text[]`);
    if (patch.enabled === true) sets.push('enabled = true, disabled_at = NULL, disabled_reason = NULL, failing_since = NULL');
    if (patch.enabled === false) sets.push(`enabled = false, disabled_at = now(), disabled_reason = ${p.add(patch.disabledReason ?? 'manual')}`);
    const [row] = await returningRows<EndpointRow>(tx, `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = ${p.add(id)} RETURNING ${ENDPOINT_COLUMNS}`, p.values);
    return row;
  }

  async deleteEndpoint(tx: Tx, id: string): Promise<void> {
    await tx.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  }

  /** A new secret; the current one keeps signing for `overlapSeconds` (the one before it stops now). */
  async rotateSecret(tx: Tx, id: string, secret: string, overlapSeconds: number): Promise<Date> {
    const [row] = await returningRows<{ previous_secret_expires_at: Date }>(
      tx,
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(secs => $3), secret = $2, updated_at = now()
        WHERE id = $1 RETURNING previous_secret_expires_at`,
      [id, secret, overlapSeconds],
    );
    return row.previous_secret_expires_at;
  }

  // ---------------------------------------------------------------- writing deliveries (in the cause's transaction)

  /** The event of each signup (a cancellation or a check-in names the signup only). */
  async eventsOfSignups(tx: Tx, signupIds: string[]): Promise<Map<string, string>> {
    const rows = await tx.query<{ id: string; event_id: string }[]>('SELECT id, event_id FROM event_signups WHERE id = ANY($1::uuid[])', [signupIds]);
    return new Map(rows.map((r) => [r.id, r.event_id]));
  }

  /** One delivery per endpoint each event reaches, in `tx`, in one statement; returns how many. */
  async enqueue(tx: Tx, events: DeliveryToWrite[]): Promise<number> {
    if (!events.length) return 0;
    const rows = await tx.query<{ id: string }[]>(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
       SELECT w.id, i.type, i.payload
         FROM unnest($1::text[], $2::jsonb[], $3::uuid[], $4::uuid[], $5::uuid[]) WITH ORDINALITY AS i(type, payload, org, coalition, event, n)
         JOIN webhook_endpoints w ON ${reaches('i.type', 'i.org', 'i.coalition', 'i.event')}
        ORDER BY i.n, w.id
       RETURNING id`,
      [events.map((e) => e.type), events.map((e) => JSON.stringify(e.payload)), events.map((e) => e.organisationId), events.map((e) => e.coalitionId), events.map((e) => e.eventId)],
    );
    return rows.length;
  }

  /**
   * A new signup's deliveries as a part of the statement that makes it: one
   * per endpoint it reaches, for each row of the statement's relation, the
   * row's id and status put into the payload's data.
   */
  signupCreatedPart(
    statement: StatementContext,
    e: { type: string; timestamp: string; data: Record<string, unknown>; organisationId: string | null; coalitionId: string | null; eventId: string },
  ): string {
    const p = statement.params;
    const type = `${p.add(e.type)}::text`;
    const r = statement.relation;
    return `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
       SELECT w.id, ${type}, jsonb_build_object('type', ${type}, 'timestamp', ${p.add(e.timestamp)}::text,
                'data', ${p.add(JSON.stringify(e.data))}::jsonb || jsonb_build_object('signupId', ${r}.id, 'status', ${r}.status))
         FROM ${r} JOIN webhook_endpoints w ON ${reaches(type, `${p.add(e.organisationId)}::uuid`, `${p.add(e.coalitionId)}::uuid`, `${p.add(e.eventId)}::uuid`)}`;
  }

  // ---------------------------------------------------------------- the delivery log

  /** Newest first: `limit + 1` deliveries of the endpoint (in `state`, when given) after the keyset cursor `afterSeq`. */
  deliveries(endpointId: string, q: { state?: DeliveryState; limit: number; afterSeq: string | null }): Promise<DeliveryRow[]> {
    const p = new SqlParams();
    const where = [`endpoint_id = ${p.add(endpointId)}`];
    if (q.state) where.push(`state = ${p.add(q.state)}`);
    if (q.afterSeq !== null) where.push(`seq < ${p.add(q.afterSeq)}::bigint`);
    return this.db.query<DeliveryRow[]>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${p.add(q.limit + 1)}`, p.values);
  }

  async delivery(tx: Tx, endpointId: string, id: string, lock = false): Promise<DeliveryRow | null> {
    const [row] = await tx.query<DeliveryRow[]>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2${lock ? ' FOR UPDATE' : ''}`, [id, endpointId]);
    return row ?? null;
  }

  /** Queued again (a replay): due now, with a new day of retries; the same id, so the same webhook-id. */
  async requeue(tx: Tx, id: string): Promise<DeliveryRow> {
    const [row] = await returningRows<DeliveryRow>(
      tx,
      `UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = now(), queued_at = now(), delivered_at = NULL WHERE id = $1 RETURNING ${DELIVERY_COLUMNS}`,
      [id],
    );
    return row;
  }

  // ---------------------------------------------------------------- the worker

  /** Is any delivery due now, to an enabled endpoint? (Cheap: the partial index of pending deliveries.) */
  async anyDue(): Promise<boolean> {
    const [due] = await this.db.query<{ due: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND w.enabled) AS due`,
    );
    return due.due;
  }

  /**
   * Claims the next due delivery in `tx` (FOR UPDATE SKIP LOCKED: another
   * lane or process takes the next one), leaving out those already tried in
   * this round; null when none is due.
   */
  async claimNextDue(tx: Tx, skip: string[]): Promise<ClaimedDelivery | null> {
    const [d] = await tx.query<ClaimedDelivery[]>(
      `SELECT d.id, d.endpoint_id, d.event_type, d.payload, d.attempts, w.url, w.secret,
              CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret END AS previous_secret
         FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND w.enabled AND d.id <> ALL($1::uuid[])
        ORDER BY d.next_attempt_at, d.seq LIMIT 1
        FOR UPDATE OF d SKIP LOCKED`,
      [skip],
    );
    return d ?? null;
  }

  async markDelivered(tx: Tx, id: string, attempts: number, status: number): Promise<void> {
    await tx.query(`UPDATE webhook_deliveries SET state = 'delivered', attempts = $2, last_status_code = $3, last_error = NULL, last_attempt_at = now(), delivered_at = now() WHERE id = $1`, [
      id,
      attempts,
      status,
    ]);
  }

  /**
   * A failed attempt: pending again after `retryInSeconds`, or failed for
   * good once it was queued more than `giveUpSeconds` ago (or `fail`).
   * Returns the state it is left in.
   */
  async markAttemptFailed(tx: Tx, id: string, a: { attempts: number; status: number | null; error: string; retryInSeconds: number; giveUpSeconds: number; fail?: boolean }): Promise<DeliveryState> {
    const [row] = await returningRows<{ state: DeliveryState }>(
      tx,
      `UPDATE webhook_deliveries
          SET attempts = $2, last_status_code = $3, last_error = $4, last_attempt_at = now(),
              state = CASE WHEN $7::boolean OR queued_at <= now() - make_interval(secs => $6) THEN 'failed' ELSE 'pending' END,
              next_attempt_at = now() + make_interval(secs => $5)
        WHERE id = $1 RETURNING state`,
      [id, a.attempts, a.status, a.error, a.retryInSeconds, a.giveUpSeconds, a.fail === true],
    );
    return row.state;
  }

  /** The endpoint answered: it is not failing. */
  async endpointSucceeded(tx: Tx, endpointId: string): Promise<void> {
    await tx.query('UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [endpointId]);
  }

  /** The endpoint failed an attempt: failing since now, unless it already was; `overdue` once that is more than `disableAfterSeconds` ago. */
  async endpointFailed(tx: Tx, endpointId: string, disableAfterSeconds: number): Promise<{ enabled: boolean; overdue: boolean; disabled_reason: string | null }> {
    const [row] = await returningRows<{ enabled: boolean; overdue: boolean; disabled_reason: string | null }>(
      tx,
      `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now()) WHERE id = $1
       RETURNING enabled, failing_since <= now() - make_interval(secs => $2) AS overdue, disabled_reason`,
      [endpointId, disableAfterSeconds],
    );
    return row ?? { enabled: false, overdue: false, disabled_reason: null };
  }

  /** Disables a failing endpoint; its other pending deliveries (those no other lane holds) fail with it. Null when it was not enabled. */
  async disableFailing(tx: Tx, endpointId: string): Promise<EndpointRow | null> {
    const [row] = await returningRows<EndpointRow>(
      tx,
      `UPDATE webhook_endpoints SET enabled = false, disabled_at = now(), disabled_reason = 'failing' WHERE id = $1 AND enabled RETURNING ${ENDPOINT_COLUMNS}`,
      [endpointId],
    );
    if (!row) return null;
    await tx.query(
      `UPDATE webhook_deliveries SET state = 'failed', last_error = coalesce(last_error || '; ', '') || 'endpoint disabled'
        WHERE id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'pending' FOR UPDATE SKIP LOCKED)`,
      [endpointId],
    );
    return row;
  }

  /**
   * Who is told an endpoint was disabled: the org_admins of its organisation
   * or of an ancestor (or the coordinators of its coalition), active logins,
   * in the language of their first linked member record; and the owner's name.
   */
  async disabledNoticeRecipients(tx: Tx, endpoint: Pick<EndpointRow, 'organisation_id' | 'coalition_id'>): Promise<{ owner: string; recipients: { email: string; locale: string }[] }> {
    const [owner] = await tx.query<{ name: string }[]>(endpoint.organisation_id ? 'SELECT name FROM organisations WHERE id = $1' : 'SELECT name FROM coalitions WHERE id = $1', [
      endpoint.organisation_id ?? endpoint.coalition_id,
    ]);
    const rows = await tx.query<{ email: string; locale: string | null }[]>(
      `WITH RECURSIVE up(id, parent_id, depth) AS (
         SELECT id, parent_id, 0 FROM organisations WHERE id = $1
         UNION
         SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 64)
       SELECT DISTINCT u.email::text AS email,
              (SELECT m.preferred_language FROM member_logins l JOIN members m ON m.id = l.member_id WHERE l.user_id = u.id ORDER BY l.created_at, l.member_id LIMIT 1) AS locale
         FROM role_assignments r JOIN users u ON u.id = r.user_id AND u.disabled_at IS NULL
        WHERE ($1::uuid IS NOT NULL AND r.role = 'org_admin' AND r.organisation_id IN (SELECT id FROM up))
           OR ($2::uuid IS NOT NULL AND r.role = 'coordinator' AND r.coalition_id = $2::uuid)
        ORDER BY 1`,
      [endpoint.organisation_id, endpoint.coalition_id],
    );
    return { owner: owner?.name ?? '', recipients: rows.map((r) => ({ email: r.email, locale: r.locale === 'en' ? 'en' : 'es' })) };
  }

  /** Does the owner exist? (An organisation that may hold endpoints: not external.) */
  async ownerExists(owner: { organisationId?: string; coalitionId?: string }): Promise<boolean> {
    const [row] = owner.organisationId
      ? await this.db.query<unknown[]>('SELECT 1 FROM organisations WHERE id = $1 AND NOT external', [owner.organisationId])
      : await this.db.query<unknown[]>('SELECT 1 FROM coalitions WHERE id = $1', [owner.coalitionId]);
    return !!row;
  }
}
