import { Injectable } from '@nestjs/common';

import { returningRows } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { PromotionStatus } from './promotion-workflow';

/** Who promotes: exactly one of the two. */
export type Promoter = { organisationId: string; coalitionId?: undefined } | { coalitionId: string; organisationId?: undefined };

/** Promoters as a filter: every one (the event's managers), or those of these organisations and coalitions. */
export type PromoterScope = { all: true } | { all: false; organisationIds: string[]; coalitionIds: string[] };

/** A promotion with its promoter's name. */
export interface PromotionRow {
  id: string;
  event_id: string;
  organisation_id: string | null;
  coalition_id: string | null;
  ref: string;
  status: PromotionStatus;
  created_by: string | null;
  created_at: Date;
  ended_at: Date | null;
  ended_by: string | null;
  promoter_kind: 'organisation' | 'coalition';
  promoter_slug: string;
  promoter_name: string;
}

/** A live promotion behind a ref, as the signup form needs it: who promotes, and whether it takes members (the join box). */
export interface LiveRefRow extends PromotionRow {
  accepts_members: boolean;
}

/** One promoter's referrals to one event, exact, by the signups' status now. */
export interface ReferralRow {
  promoter_kind: 'organisation' | 'coalition';
  promoter_id: string;
  promoter_slug: string;
  promoter_name: string;
  going: number;
  waitlisted: number;
  attended: number;
  no_show: number;
}

const COLUMNS = `p.id, p.event_id, p.organisation_id, p.coalition_id, p.ref, p.status, p.created_by, p.created_at, p.ended_at, p.ended_by,
  CASE WHEN p.organisation_id IS NOT NULL THEN 'organisation' ELSE 'coalition' END AS promoter_kind,
  coalesce(o.slug, c.slug) AS promoter_slug, coalesce(o.name, c.name) AS promoter_name`;
const JOINS = `LEFT JOIN organisations o ON o.id = p.organisation_id LEFT JOIN coalitions c ON c.id = p.coalition_id`;

/**
 * The event_promotions table (issue 22), and the referral counts read off
 * event_signups.promoted_by. The signup statement itself reads a live
 * promotion by its ref (SignupsRepository.signUp), the event list and the
 * calendar feed the promoted events (EventsRepository).
 */
@Injectable()
export class PromotionsRepository {
  /** A new live promotion; null when the promoter already has one of this event, or the ref is taken (nothing written). */
  async create(tx: Tx, values: { eventId: string; promoter: Promoter; ref: string; createdBy: string | null }): Promise<string | null> {
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO event_promotions (event_id, organisation_id, coalition_id, ref, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`,
      [values.eventId, values.promoter.organisationId ?? null, values.promoter.coalitionId ?? null, values.ref, values.createdBy],
    );
    return row?.id ?? null;
  }

  /** The promoter's latest promotion of the event (the live one, if any); null when it never promoted it. */
  async latest(tx: Tx, eventId: string, promoter: Promoter): Promise<PromotionRow | null> {
    const [row] = await tx.query<PromotionRow[]>(
      `SELECT ${COLUMNS} FROM event_promotions p ${JOINS}
        WHERE p.event_id = $1 AND p.organisation_id IS NOT DISTINCT FROM $2::uuid AND p.coalition_id IS NOT DISTINCT FROM $3::uuid
        ORDER BY (p.status = 'active') DESC, p.created_at DESC, p.id LIMIT 1`,
      [eventId, promoter.organisationId ?? null, promoter.coalitionId ?? null],
    );
    return row ?? null;
  }

  /** A promotion of the event (locked until the transaction ends with `lock`); null when the event has no such promotion. */
  async find(tx: Tx, eventId: string, id: string, lock = false): Promise<PromotionRow | null> {
    const [row] = await tx.query<PromotionRow[]>(`SELECT ${COLUMNS} FROM event_promotions p ${JOINS} WHERE p.id = $1 AND p.event_id = $2${lock ? ' FOR UPDATE OF p' : ''}`, [id, eventId]);
    return row ?? null;
  }

  /** The event's promotions by the promoters in scope, live ones first, then newest first. */
  list(tx: Tx, eventId: string, scope: PromoterScope): Promise<PromotionRow[]> {
    const [where, params] = scoped(scope, [eventId]);
    return tx.query<PromotionRow[]>(`SELECT ${COLUMNS} FROM event_promotions p ${JOINS} WHERE p.event_id = $1${where} ORDER BY (p.status = 'active') DESC, p.created_at DESC, p.id`, params);
  }

  /** Ends or refuses a promotion; who did it is kept (null: the system). */
  async setStatus(tx: Tx, id: string, status: Exclude<PromotionStatus, 'active'>, by: string | null): Promise<void> {
    await tx.query(`UPDATE event_promotions SET status = $2, ended_at = coalesce(ended_at, now()), ended_by = $3 WHERE id = $1`, [id, status, by]);
  }

  /** Ends every live promotion of the event (it stopped being public); returns those it ended. */
  endLive(tx: Tx, eventId: string): Promise<{ id: string; organisation_id: string | null; coalition_id: string | null }[]> {
    return returningRows(tx, `UPDATE event_promotions SET status = 'ended', ended_at = now(), ended_by = NULL WHERE event_id = $1 AND status = 'active' RETURNING id, organisation_id, coalition_id`, [
      eventId,
    ]);
  }

  /** The live promotion of this event behind a ref (another event's ref, an ended or a refused one: null). */
  async liveByRef(tx: Tx, eventId: string, ref: string): Promise<LiveRefRow | null> {
    const [row] = await tx.query<LiveRefRow[]>(
      `SELECT ${COLUMNS}, (o.id IS NOT NULL AND NOT o.external AND o.status = 'active') AS accepts_members
         FROM event_promotions p ${JOINS}
        WHERE p.ref = $1 AND p.event_id = $2 AND p.status = 'active'`,
      [ref, eventId],
    );
    return row ?? null;
  }

  /** Per promoter in scope (each one that ever promoted the event, with none too), its referrals' statuses now; in promoter name order. */
  referrals(tx: Tx, eventId: string, scope: PromoterScope): Promise<ReferralRow[]> {
    const [where, params] = scoped(scope, [eventId]);
    return tx.query<ReferralRow[]>(
      `SELECT CASE WHEN p.organisation_id IS NOT NULL THEN 'organisation' ELSE 'coalition' END AS promoter_kind,
              coalesce(p.organisation_id, p.coalition_id) AS promoter_id, coalesce(o.slug, c.slug) AS promoter_slug, coalesce(o.name, c.name) AS promoter_name,
              count(s.id) FILTER (WHERE s.status = 'going')::int AS going,
              count(s.id) FILTER (WHERE s.status = 'waitlisted')::int AS waitlisted,
              count(s.id) FILTER (WHERE s.status = 'attended')::int AS attended,
              count(s.id) FILTER (WHERE s.status = 'no_show')::int AS no_show
         FROM event_promotions p ${JOINS}
         LEFT JOIN event_signups s ON s.promoted_by = p.id AND s.event_id = p.event_id
        WHERE p.event_id = $1${where}
        GROUP BY 1, 2, 3, 4
        ORDER BY 4, 2`,
      params,
    );
  }

  /** The coalition's status; null when there is none such. */
  async coalitionStatus(tx: Tx, id: string): Promise<string | null> {
    const [row] = await tx.query<{ status: string }[]>('SELECT status FROM coalitions WHERE id = $1', [id]);
    return row?.status ?? null;
  }
}

/** The promoter filter as SQL over `p` (after `params`' own), with the parameters. */
function scoped(scope: PromoterScope, params: unknown[]): [string, unknown[]] {
  if (scope.all) return ['', params];
  return [` AND (p.organisation_id = ANY($${params.length + 1}::uuid[]) OR p.coalition_id = ANY($${params.length + 2}::uuid[]))`, [...params, scope.organisationIds, scope.coalitionIds]];
}
