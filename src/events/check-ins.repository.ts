import { Injectable } from '@nestjs/common';

import type { Tx } from '../database/transactions';
import type { PartnerTurnoutCounts } from './check-ins.views';
import type { StoredCheckInResult } from './event-check-in.entity';
import type { SignupStatus } from './event-signup.entity';

/** A manifest line as read (the signup's hashes, the name the door shows, its status). */
export interface ManifestRow {
  id: string;
  token_hash: string | null;
  code_hash: string | null;
  name: string | null;
  shift_id: string | null;
  status: SignupStatus;
}

/** A signup a scan may name, locked for the batch. */
export interface DoorSignupRow {
  id: string;
  status: SignupStatus;
  shift_id: string | null;
  name: string | null;
  token_hash: string | null;
  code_hash: string | null;
  checked_in_at: Date | null;
}

/** A scan already recorded (event_check_ins). */
export interface RecordedCheckIn {
  client_id: string;
  signup_id: string | null;
  result: StoredCheckInResult;
  door_label: string;
  at: Date;
  walk_in: boolean;
}

/** A scan to record. */
export interface NewCheckIn {
  clientId: string;
  signupId: string | null;
  result: StoredCheckInResult;
  at: Date;
  walkIn: boolean;
}

/** The counts of one seat pool (the event itself: shift null; or a shift), as turnout reads them. */
export interface PoolTurnoutRow {
  shift_id: string | null;
  going: number;
  attended: number;
  not_attended: number;
  walk_ins: number;
  over_capacity: number;
}

/** Seat-holding statuses not over capacity: what `going_count` counts. */
const HOLDS_SEAT = `s.status IN ('going','attended','no_show') AND NOT s.over_capacity`;

/**
 * Check-in at the door (issue 21): the manifest, the scans of a batch
 * (event_check_ins), walk-ins, turnout. Seats follow SignupsRepository's
 * rule and lock order (event, shift, signup): a walk-in takes its seat with
 * the same conditional update, under the event row the caller has locked.
 */
@Injectable()
export class CheckInsRepository {
  /** Every signup a door may meet: the door statuses, and cancelled ones (so that the door says so); erased ones have no code left. */
  manifest(tx: Tx, eventId: string): Promise<ManifestRow[]> {
    return tx.query<ManifestRow[]>(
      `SELECT s.id, s.checkin_token_hash AS token_hash, s.checkin_code_hash AS code_hash, coalesce(s.guest_name, s.attendee_name) AS name, s.shift_id, s.status
         FROM event_signups s
        WHERE s.event_id = $1 AND (s.checkin_token_hash IS NOT NULL OR s.source = 'walk_in')
        ORDER BY s.seq`,
      [eventId],
    );
  }

  /** Seats held and people checked in, per pool (shift null: the event itself). */
  async counts(tx: Tx, eventId: string): Promise<PoolTurnoutRow[]> {
    return tx.query<PoolTurnoutRow[]>(
      `SELECT s.shift_id,
              count(*) FILTER (WHERE ${HOLDS_SEAT})::int AS going,
              count(*) FILTER (WHERE s.status = 'attended')::int AS attended,
              count(*) FILTER (WHERE s.status IN ('going','no_show') AND NOT s.over_capacity)::int AS not_attended,
              count(*) FILTER (WHERE s.source = 'walk_in')::int AS walk_ins,
              count(*) FILTER (WHERE s.over_capacity)::int AS over_capacity
         FROM event_signups s
        WHERE s.event_id = $1
        GROUP BY s.shift_id
        ORDER BY s.shift_id NULLS FIRST`,
      [eventId],
    );
  }

  /**
   * One batch of an event at a time (a transaction-level advisory lock): two
   * doors sending the same scans at once get one answer, not two inserts of
   * one clientId. The signup list's own check-in takes row locks only; both
   * meet on the signup rows.
   */
  async serializeBatches(tx: Tx, eventId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('event_check_ins:' || $1::text, 0))`, [eventId]);
  }

  /** The scans already recorded under these client ids. */
  recorded(tx: Tx, eventId: string, clientIds: string[]): Promise<RecordedCheckIn[]> {
    return tx.query<RecordedCheckIn[]>(`SELECT client_id, signup_id, result, door_label, at, walk_in FROM event_check_ins WHERE event_id = $1 AND client_id = ANY($2::uuid[])`, [eventId, clientIds]);
  }

  /**
   * The event's signups behind these hashes or ids, locked until the
   * transaction ends (after the event and shift rows, when the caller locked
   * those: the lock order).
   */
  signups(tx: Tx, eventId: string, which: { tokenHashes: string[]; codeHashes: string[]; ids: string[] }): Promise<DoorSignupRow[]> {
    return tx.query<DoorSignupRow[]>(
      `SELECT s.id, s.status, s.shift_id, coalesce(s.guest_name, s.attendee_name) AS name, s.checkin_token_hash AS token_hash, s.checkin_code_hash AS code_hash, s.checked_in_at
         FROM event_signups s
        WHERE s.event_id = $1 AND (s.checkin_token_hash = ANY($2::text[]) OR s.checkin_code_hash = ANY($3::text[]) OR s.id = ANY($4::uuid[]))
        ORDER BY s.id
        FOR UPDATE`,
      [eventId, which.tokenHashes, which.codeHashes, which.ids],
    );
  }

  /** For each signup, the scan that checked it in first (its door and time): what a conflicting scan is told. */
  firstCheckIns(tx: Tx, signupIds: string[]): Promise<{ signup_id: string; door_label: string; at: Date; client_id: string }[]> {
    return tx.query(
      `SELECT DISTINCT ON (signup_id) signup_id, door_label, at, client_id FROM event_check_ins
        WHERE signup_id = ANY($1::uuid[]) AND result = 'checked_in' ORDER BY signup_id, recorded_at, at`,
      [signupIds],
    );
  }

  /** Checks these signups in (going or no-show → attended), at the time the door scanned them unless that is still to come. */
  async markAttended(tx: Tx, checkIns: { signupId: string; at: Date }[]): Promise<void> {
    if (!checkIns.length) return;
    await tx.query(
      `UPDATE event_signups s SET status = 'attended', checked_in_at = coalesce(s.checked_in_at, least(v.at, now())), updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, at) WHERE s.id = v.id`,
      [checkIns.map((c) => c.signupId), checkIns.map((c) => c.at.toISOString())],
    );
  }

  /**
   * A walk-in, in one statement: a seat of the pool when one is free (the
   * same conditional update as a signup's), otherwise none and the signup
   * marked over capacity; the signup attended from `at`. The caller holds
   * the event (and shift) lock.
   */
  async walkIn(tx: Tx, w: { id: string; eventId: string; shiftId: string | null; name: string; at: Date; tokenHash: string; codeHash: string }): Promise<{ id: string; over_capacity: boolean }> {
    const [table, seatId] = w.shiftId ? ['event_shifts', w.shiftId] : ['events', w.eventId];
    const [row] = await tx.query<{ id: string; over_capacity: boolean }[]>(
      `WITH seat AS (
         UPDATE ${table} t SET going_count = t.going_count + 1
          WHERE t.id = $3 AND (t.capacity IS NULL OR t.going_count < t.capacity)
         RETURNING t.id)
       INSERT INTO event_signups (id, event_id, shift_id, status, source, guest_name, checked_in_at, checkin_token_hash, checkin_code_hash, over_capacity)
       VALUES ($1, $2, $4::uuid, 'attended', 'walk_in', $5, least($6::timestamptz, now()), $7, $8, NOT EXISTS (SELECT 1 FROM seat))
       RETURNING id, over_capacity`,
      [w.id, w.eventId, seatId, w.shiftId, w.name, w.at.toISOString(), w.tokenHash, w.codeHash],
    );
    return row;
  }

  /** Records the batch's new scans. */
  async record(tx: Tx, eventId: string, door: { userId: string | null; linkId: string | null; label: string }, scans: NewCheckIn[]): Promise<void> {
    if (!scans.length) return;
    await tx.query(
      `INSERT INTO event_check_ins (event_id, client_id, signup_id, door_user_id, door_link_id, door_label, at, result, walk_in)
       SELECT $1, v.client_id, v.signup_id, $2::uuid, $3::uuid, $4, v.at, v.result, v.walk_in
         FROM unnest($5::uuid[], $6::uuid[], $7::timestamptz[], $8::text[], $9::boolean[]) AS v(client_id, signup_id, at, result, walk_in)`,
      [
        eventId,
        door.userId,
        door.linkId,
        door.label,
        scans.map((s) => s.clientId),
        scans.map((s) => s.signupId),
        scans.map((s) => s.at.toISOString()),
        scans.map((s) => s.result),
        scans.map((s) => s.walkIn),
      ],
    );
  }

  /** Names and shifts of signups (a scan sent again names the signup its first answer did). */
  people(tx: Tx, ids: string[]): Promise<{ id: string; name: string | null; shift_id: string | null; over_capacity: boolean }[]> {
    return tx.query(`SELECT id, coalesce(guest_name, attendee_name) AS name, shift_id, over_capacity FROM event_signups WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The coalition's events that turnout counts: ended, not cancelled. */
  async endedCoalitionEvents(tx: Tx, coalitionId: string): Promise<number> {
    const [row] = await tx.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM events e WHERE e.coalition_id = $1 AND e.status IN ('published','completed') AND e.ends_at <= now()`, [coalitionId]);
    return row.n;
  }

  /**
   * Turnout of the members of each partner (its organisation and
   * sub-organisations, active memberships) at a coalition's events that have
   * ended and were not cancelled: seats held at the end, checked in, never
   * came. Members only: a guest or a walk-in belongs to no partner.
   */
  async partnerTurnout(tx: Tx, coalitionId: string, partners: string[][]): Promise<PartnerTurnoutCounts[]> {
    const out: PartnerTurnoutCounts[] = [];
    for (const organisationIds of partners) {
      const [row] = await tx.query<PartnerTurnoutCounts[]>(
        `SELECT count(*) FILTER (WHERE ${HOLDS_SEAT})::int AS going,
                count(*) FILTER (WHERE s.status = 'attended')::int AS attended,
                count(*) FILTER (WHERE s.status IN ('going','no_show') AND NOT s.over_capacity)::int AS "noShow"
           FROM event_signups s JOIN events e ON e.id = s.event_id
          WHERE e.coalition_id = $1 AND e.status IN ('published','completed') AND e.ends_at <= now() AND s.member_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = s.member_id AND ms.status = 'active' AND ms.organisation_id = ANY($2::uuid[]))`,
        [coalitionId, organisationIds],
      );
      out.push(row);
    }
    return out;
  }
}
