import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';

import type { OrganisationScope } from '../access/access.service';
import { preparedQuery, returningRows, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import type { StatementContext } from '../domain-events/domain-event';
import type { Channel, TextChannel } from '../outbox/outbox-message.entity';
import { outboxInsertSql } from '../outbox/outbox.service';
import { EventShift } from './event-shift.entity';
import type { SignupStatus } from './event-signup.entity';
import { Event } from './event.entity';
import type { EventSignupExport } from './events.views';

/** Where a signup takes its seat: the event itself (shiftId null), or one of its shifts. */
export interface SeatPool {
  eventId: string;
  shiftId: string | null;
}

/** A new signup's person-level columns (event_signups), as given by the caller. */
export interface NewSignup {
  /** Chosen by the caller: the check-in hashes are derived from it (CheckInCodes). */
  id: string;
  checkinTokenHash: string;
  checkinCodeHash: string;
  memberId: string | null;
  /** A member's name as it is at signup (see EventSignup.attendeeName); null for guests. */
  attendeeName?: string | null;
  guestName: string | null;
  guestEmail: string | null;
  guestPhone: string | null;
  source: 'guest_form' | 'member';
  locale: string;
  manageTokenHash: string | null;
  /** A guest's consent (required of guests), recorded as given now. */
  consent: { contactByEmail: boolean | null; contactBySms: boolean | null; contactByWhatsapp: boolean | null; noticeVersion: string | null } | null;
  /**
   * Where it came from (issue 22): the ref of a promoter's link — the signup
   * is its referral when it names a live promotion of this event, read by
   * the statement itself; anything else records nothing — and the link's
   * utm values, as given.
   */
  attribution?: { ref: string | null; utmSource: string | null; utmMedium: string | null; utmCampaign: string | null };
}

/** One signup as a notice sees it (RECIPIENT_COLUMNS): where to write, in which language, what to call them; the channel its notices go by. */
export interface RecipientRow {
  id: string;
  email: string | null;
  phone: string | null;
  channel: Channel;
  locale: string;
  name: string | null;
  status: SignupStatus;
  shift: string | null;
}

export interface SignupRow {
  id: string;
  event_id: string;
  shift_id: string | null;
  member_id: string | null;
  guest_name: string | null;
  guest_email: string | null;
  guest_phone: string | null;
  status: SignupStatus;
  source: string;
  seq: string;
  created_at: Date;
  waitlisted_at: Date | null;
  promoted_at: Date | null;
  checked_in_at: Date | null;
  cancelled_at: Date | null;
}

/** A signup row joined with its member (name, contact) and whether the caller may see that member's contact. */
export interface SignupViewRow extends SignupRow {
  /** The promoter whose link brought it (issue 22): an organisation's or a coalition's name. */
  promoter_name: string | null;
  promoted_by: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  member_name: string | null;
  attendee_name: string | null;
  member_email: string | null;
  member_phone: string | null;
  member_contact: boolean;
}

/** Which signups a list shows: one event's (filtered, keyset after `afterSeq`), or one signup. */
export type SignupSelection = { id: string } | { eventId: string; status?: SignupStatus; shiftId?: string; afterSeq?: string; limit: number };

/** Which signups a notice goes to. */
export type RecipientSelection = { ids: string[]; going?: true } | { liveOfEvent: string };

/** The reminders the job writes: the day before (every channel), and two hours before (texts only, issue 24) — each with its own work-list column. */
export const REMINDERS = {
  day: { column: 'reminder_queued_at', windowMs: 24 * 3600_000 },
  final: { column: 'final_reminder_queued_at', windowMs: 2 * 3600_000 },
} as const;
export type ReminderKind = keyof typeof REMINDERS;

/** Within this window before the start, a new or promoted signup gets no separate reminder: its own e-mail serves. */
const REMINDER_WINDOW_MS = REMINDERS.day.windowMs;

/**
 * Where a signup (`s`) is written to: a guest at the address and number they
 * gave, in the language they chose, with the consent they gave on the form;
 * a member at their e-mail and phone, in their preferred language, with
 * their record's latest consent (read from the members tables: the person's
 * contact and consent, nothing else). Erased people have no address or
 * number left, so they get nothing.
 */
const RECIPIENT_COLUMNS = `s.id,
  CASE WHEN s.member_id IS NULL THEN s.guest_email ELSE m.email END AS email,
  CASE WHEN s.member_id IS NULL THEN s.guest_phone ELSE m.phone END AS phone,
  CASE WHEN s.member_id IS NULL THEN s.locale ELSE m.preferred_language END AS locale,
  CASE WHEN s.member_id IS NULL THEN s.guest_name ELSE m.given_name END AS name,
  coalesce(CASE WHEN s.member_id IS NULL THEN s.consent_contact_by_sms ELSE mc.contact_by_sms END, false) AS sms_consent,
  coalesce(CASE WHEN s.member_id IS NULL THEN s.consent_contact_by_whatsapp ELSE mc.contact_by_whatsapp END, false) AS whatsapp_consent,
  s.status, sh.name AS shift`;
const RECIPIENT_JOINS = `LEFT JOIN members m ON m.id = s.member_id AND m.erased_at IS NULL LEFT JOIN event_shifts sh ON sh.id = s.shift_id
  LEFT JOIN LATERAL (SELECT c.contact_by_sms, c.contact_by_whatsapp FROM member_consents c WHERE c.member_id = m.id ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1) mc ON true`;

/** A number as text_opt_outs keeps it: the hex sha256 of its E.164 form (common/hash.ts sha256Hex, in SQL). */
const phoneHashSql = (phone: string) => `encode(sha256(convert_to(${phone}, 'UTF8')), 'hex')`;

/**
 * The channel a notice to a recipient row (`r`, RECIPIENT_COLUMNS) goes by
 * (issue 24): WhatsApp, then SMS, each only when it is `enabled` (configured,
 * for an event an organisation hosts), the person consented to it, has a
 * number, and the number has not opted out there; e-mail otherwise. The one
 * rule, for the signup statement's confirmation and every other notice.
 */
function channelSql(p: SqlParams, enabled: readonly TextChannel[], r: string): string {
  const text = (channel: TextChannel) =>
    `${p.add(enabled.includes(channel))}::boolean AND ${r}.${channel}_consent AND ${r}.phone IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM text_opt_outs o WHERE o.phone_hash = ${phoneHashSql(`${r}.phone`)} AND o.channel = '${channel}')`;
  return `CASE WHEN ${text('whatsapp')} THEN 'whatsapp' WHEN ${text('sms')} THEN 'sms' ELSE 'email' END`;
}

/**
 * The event_signups table, and the seats of events and shifts.
 *
 * The capacity invariant — `going` never exceeds capacity, under any
 * concurrency and with any number of API processes — lives here.
 *
 * Rule: every change to who holds a seat of an event (or of one of its
 * shifts) first locks the event row (`lockEvent`), then the shift row, then
 * signup rows: one lock order everywhere, so no deadlocks, and all seat
 * changes of an event are serialized. That makes arrival order (the identity
 * `seq`, assigned while the lock is held) the waitlist order, and a freed
 * seat goes to the next in line before anyone else can take it. Seats are
 * taken with a conditional UPDATE (`going_count < capacity`), never
 * count-then-insert, and the database CHECK `going_count <= capacity` would
 * refuse anything else.
 */
@Injectable()
export class SignupsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---------------------------------------------------------------- seats

  /**
   * Locks the event row until the transaction ends and returns it as it is
   * now (null: no such event). FOR NO KEY UPDATE: it serializes seat changes
   * without blocking inserts that merely reference the event.
   */
  lockEvent(tx: Tx, eventId: string): Promise<Event | null> {
    return tx.getRepository(Event).createQueryBuilder('e').where('e.id = :eventId', { eventId }).setLock('for_no_key_update').getOne();
  }

  /** Locks a shift of a locked event. Null if the event has no such shift. */
  lockShift(tx: Tx, eventId: string, shiftId: string): Promise<EventShift | null> {
    return tx.getRepository(EventShift).createQueryBuilder('s').where('s.id = :shiftId AND s.event_id = :eventId', { shiftId, eventId }).setLock('for_no_key_update').getOne();
  }

  /**
   * A new signup in one statement, so that the event row — the hot row of a
   * signup burst — is locked for that statement only: locks the event (the
   * lock order above), takes a seat of the pool if the event still takes
   * signups and one is free, inserts the signup as going or waitlisted, and
   * writes what must be written with it (`parts`: the subscribers' parts —
   * the confirmation, the audit entry —, statements over the new signup as
   * RECIPIENT_COLUMNS read it, the relation `r`). Atomic without a
   * transaction: all or nothing. Returns the signup as `r`, or null when the
   * event no longer takes signups or has no such shift (nothing written: the
   * CTEs all run whether or not the INSERT returns a row, so each one that
   * writes is conditioned on the same facts — the seat is taken only of an
   * open event, and only of its own shift). A second live signup of the same
   * person is refused by the unique indexes (uq_event_signups_live_*), as a
   * 23505: the whole statement rolls back (`isLiveSignupDuplicate`).
   */
  async signUp(db: Tx, pool: SeatPool, signup: NewSignup, parts: (statement: StatementContext) => string[]): Promise<{ id: string; status: SignupStatus } | null> {
    const p = new SqlParams();
    const event = p.add(pool.eventId);
    const shift = `${p.add(pool.shiftId)}::uuid`;
    const { table, id } = seatRow(pool);
    const seat = `${p.add(id)}::uuid`;
    // A shift's seat is only taken when the shift belongs to this event: the
    // INSERT below refuses a foreign shift, but by then a data-modifying CTE
    // has already run, and its UPDATE would stand (a phantom seat).
    const ofThisEvent = pool.shiftId ? ' AND t.event_id = (SELECT id FROM ev)' : '';
    const window = p.add(`${REMINDER_WINDOW_MS / 1000} seconds`);
    const finalWindow = p.add(`${REMINDERS.final.windowMs / 1000} seconds`);
    const c = signup.consent;
    const a = signup.attribution;
    // Prepared (common/sql.ts): parsing and planning this statement cost more than running it.
    const rows = await preparedQuery<{ id: string; status: SignupStatus }>(
      db,
      `WITH ev AS (
         SELECT e.id, e.starts_at, e.status = 'published' AND coalesce(e.signup_deadline, e.ends_at) > now() AS open
           FROM events e WHERE e.id = ${event} FOR NO KEY UPDATE),
       seat AS (
         UPDATE ${table} t SET going_count = t.going_count + 1
          WHERE t.id = ${seat}${ofThisEvent} AND (SELECT open FROM ev) AND (t.capacity IS NULL OR t.going_count < t.capacity)
         RETURNING t.id),
       s AS (
         INSERT INTO event_signups (id, event_id, shift_id, status, waitlisted_at, reminder_queued_at, final_reminder_queued_at, member_id, attendee_name, guest_name, guest_email, guest_phone,
                                    source, locale, manage_token_hash, checkin_token_hash, checkin_code_hash,
                                    consent_data_processing_at, consent_contact_by_email, consent_contact_by_sms, consent_contact_by_whatsapp, consent_notice_version,
                                    promoted_by, utm_source, utm_medium, utm_campaign)
         SELECT ${p.add(signup.id)}::uuid, ev.id, ${shift},
                CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'going' ELSE 'waitlisted' END,
                CASE WHEN EXISTS (SELECT 1 FROM seat) THEN NULL ELSE clock_timestamp() END,
                -- Inside the last 24 hours the confirmation is the reminder.
                CASE WHEN ev.starts_at - now() <= ${window}::interval THEN now() END,
                CASE WHEN ev.starts_at - now() <= ${finalWindow}::interval THEN now() END,
                ${p.add(signup.memberId)}::uuid, ${p.add(signup.attendeeName ?? null)}, ${p.add(signup.guestName)}, ${p.add(signup.guestEmail)}, ${p.add(signup.guestPhone)},
                ${p.add(signup.source)}, ${p.add(signup.locale)}, ${p.add(signup.manageTokenHash)}, ${p.add(signup.checkinTokenHash)}, ${p.add(signup.checkinCodeHash)},
                ${c ? 'now()' : 'NULL'}, ${p.add(c?.contactByEmail ?? null)}::boolean, ${p.add(c?.contactBySms ?? null)}::boolean, ${p.add(c?.contactByWhatsapp ?? null)}::boolean, ${p.add(c?.noticeVersion ?? null)},
                ${a?.ref ? `(SELECT pr.id FROM event_promotions pr WHERE pr.ref = ${p.add(a.ref)} AND pr.event_id = ev.id AND pr.status = 'active')` : 'NULL'},
                ${p.add(a?.utmSource ?? null)}, ${p.add(a?.utmMedium ?? null)}, ${p.add(a?.utmCampaign ?? null)}
           FROM ev
          WHERE ev.open AND (${shift} IS NULL OR EXISTS (SELECT 1 FROM event_shifts x WHERE x.id = ${shift} AND x.event_id = ev.id))
         RETURNING *),
       r AS (SELECT ${RECIPIENT_COLUMNS} FROM s ${RECIPIENT_JOINS})${parts({ params: p, relation: 'r' })
         .map((sql, i) => `,\n       effect${i} AS (${sql})`)
         .join('')}
       SELECT id, status FROM r`,
      p.values,
    );
    return rows[0] ?? null;
  }

  /**
   * The confirmation of a new signup as a part of the statement that makes
   * it (`signUp`): one message per row of `statement.relation`, by the
   * channel `channelSql` chooses (`texts`: the channels enabled for this
   * event; a text counted against `organisationId`'s budget, with the
   * e-mail to fall back to), when there is an address or number to write
   * to; the payload for its status (`payloads`), the person's name and shift
   * filled in from the row; the dedupe key is the signup.
   */
  confirmationPart(
    statement: StatementContext,
    template: string,
    payloads: Record<'going' | 'waitlisted', Record<string, unknown>>,
    texts: { enabled: readonly TextChannel[]; organisationId: string | null },
  ): string {
    const p = statement.params;
    const org = `${p.add(texts.organisationId)}::uuid`;
    return outboxInsertSql(
      `SELECT ${p.add(template)}::text, CASE WHEN r.channel = 'email' THEN r.email ELSE r.phone END, CASE WHEN r.locale = 'en' THEN 'en' ELSE 'es' END,
              CASE WHEN r.status = 'going' THEN ${p.add(JSON.stringify(payloads.going))}::jsonb ELSE ${p.add(JSON.stringify(payloads.waitlisted))}::jsonb END
                || jsonb_build_object('name', coalesce(r.name, ''), 'shift', coalesce(r.shift, '')),
              'event_signup:' || r.id, r.channel,
              CASE WHEN r.channel <> 'email' THEN r.email END, CASE WHEN r.channel <> 'email' THEN ${org} END, r.id
         FROM (SELECT q.*, ${channelSql(p, texts.enabled, 'q')} AS channel FROM ${statement.relation} q) r
        WHERE (r.channel = 'email' AND r.email IS NOT NULL) OR r.channel <> 'email'`,
    );
  }

  /** Gives one seat back (a seat-holding signup was cancelled). */
  async release(tx: Tx, pool: SeatPool): Promise<void> {
    const { table, id } = seatRow(pool);
    await tx.query(`UPDATE ${table} SET going_count = going_count - 1 WHERE id = $1`, [id]);
  }

  /**
   * Hands every free seat of the pool to the waiting list, first come first
   * served, in `tx` — which holds the event (and shift) lock. A promotion
   * inside the last 24 hours is its own reminder. Returns the promoted ids.
   */
  async promoteWaiting(tx: Tx, event: Pick<Event, 'id' | 'startsAt'>, shiftId: string | null): Promise<string[]> {
    const { table, id } = seatRow({ eventId: event.id, shiftId });
    const [pool] = await tx.query<{ free: number | null }[]>(`SELECT capacity - going_count AS free FROM ${table} WHERE id = $1`, [id]);
    if (!pool || (pool.free !== null && pool.free <= 0)) return [];
    const soon = event.startsAt.getTime() - Date.now() <= REMINDER_WINDOW_MS;
    const verySoon = event.startsAt.getTime() - Date.now() <= REMINDERS.final.windowMs;
    const promoted = await returningRows<{ id: string }>(
      tx,
      `UPDATE event_signups s
          SET status = 'going', promoted_at = now(), updated_at = now(),
              reminder_queued_at = CASE WHEN $4 THEN now() ELSE s.reminder_queued_at END,
              final_reminder_queued_at = CASE WHEN $5 THEN now() ELSE s.final_reminder_queued_at END
        WHERE s.id IN (SELECT w.id FROM event_signups w
                        WHERE w.event_id = $1 AND w.shift_id IS NOT DISTINCT FROM $2::uuid AND w.status = 'waitlisted'
                        ORDER BY w.seq LIMIT $3 FOR UPDATE)
        RETURNING s.id, s.seq`,
      [event.id, shiftId, pool.free, soon, verySoon],
    );
    if (!promoted.length) return [];
    await tx.query(`UPDATE ${table} SET going_count = going_count + $2 WHERE id = $1`, [id, promoted.length]);
    return promoted.map((p) => p.id);
  }

  // ---------------------------------------------------------------- notices and reminders

  /** Where the selected signups are written (RECIPIENT_COLUMNS), and by which channel (`channelSql`, of the `texts` enabled), in arrival order. */
  recipients(tx: Tx, which: RecipientSelection, texts: readonly TextChannel[]): Promise<RecipientRow[]> {
    const p = new SqlParams();
    const where =
      'ids' in which ? `s.id = ANY(${p.add(which.ids)}::uuid[])${which.going ? ` AND s.status = 'going'` : ''}` : `s.event_id = ${p.add(which.liveOfEvent)} AND s.status IN ('going','waitlisted')`;
    return tx.query<RecipientRow[]>(
      `SELECT r.*, ${channelSql(p, texts, 'r')} AS channel FROM (SELECT ${RECIPIENT_COLUMNS}, s.seq FROM event_signups s ${RECIPIENT_JOINS} WHERE ${where}) r ORDER BY r.seq`,
      p.values,
    );
  }

  /**
   * Claims up to `batch` going signups of published events starting within
   * the reminder's window (24 hours, or two) that have had no such reminder,
   * for `tx`: FOR UPDATE SKIP LOCKED, so several workers never claim the
   * same signup.
   */
  claimDueReminders(tx: Tx, kind: ReminderKind, batch: number): Promise<{ id: string; event_id: string }[]> {
    const { column, windowMs } = REMINDERS[kind];
    return tx.query<{ id: string; event_id: string }[]>(
      `SELECT s.id, s.event_id FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE s.status = 'going' AND s.${column} IS NULL
          AND e.status = 'published' AND e.starts_at > now() AND e.starts_at <= now() + make_interval(secs => $1)
        ORDER BY s.event_id, s.seq
        LIMIT $2
        FOR UPDATE OF s SKIP LOCKED`,
      [windowMs / 1000, batch],
    );
  }

  async markReminded(tx: Tx, kind: ReminderKind, ids: string[]): Promise<void> {
    await tx.query(`UPDATE event_signups SET ${REMINDERS[kind].column} = now() WHERE id = ANY($1::uuid[])`, [ids]);
  }

  // ---------------------------------------------------------------- reading signups

  /**
   * The member record a login signs up with: the one held by the event's
   * host's data controller when there is one, otherwise the first linked
   * record; with its name as it is now.
   */
  async memberSigningUp(memberIds: string[], eventId: string): Promise<{ id: string; name: string } | null> {
    const [member] = await this.db.query<{ id: string; name: string }[]>(
      `SELECT m.id, m.given_name || ' ' || m.family_name AS name
         FROM members m LEFT JOIN events e ON e.id = $2
        WHERE m.id = ANY($1::uuid[]) AND m.erased_at IS NULL
        ORDER BY (m.controller_id = organisation_root(e.host_organisation_id)) IS TRUE DESC, array_position($1::uuid[], m.id)
        LIMIT 1`,
      [memberIds, eventId],
    );
    return member ?? null;
  }

  /**
   * Signup rows with their member's name and contact, in arrival order;
   * `member_contact` says whether the member is in `contactScope` (member
   * records the caller may read; null: all).
   */
  views(tx: Tx, contactScope: string[] | null, which: SignupSelection): Promise<SignupViewRow[]> {
    const p = new SqlParams();
    const scope = `${p.add(contactScope)}::uuid[]`;
    const where: string[] = [];
    let limit = '';
    if ('id' in which) where.push(`s.id = ${p.add(which.id)}`);
    else {
      where.push(`s.event_id = ${p.add(which.eventId)}`);
      if (which.status) where.push(`s.status = ${p.add(which.status)}`);
      if (which.shiftId) where.push(`s.shift_id = ${p.add(which.shiftId)}`);
      if (which.afterSeq !== undefined) where.push(`s.seq > ${p.add(which.afterSeq)}`);
      limit = `LIMIT ${p.add(which.limit)}`;
    }
    return tx.query<SignupViewRow[]>(
      `SELECT s.id, s.event_id, s.shift_id, s.member_id, s.guest_name, s.guest_email, s.guest_phone, s.status, s.source, s.seq,
              s.created_at, s.waitlisted_at, s.promoted_at, s.checked_in_at, s.cancelled_at,
              s.promoted_by, coalesce(po.name, pc.name) AS promoter_name, s.utm_source, s.utm_medium, s.utm_campaign,
              m.given_name || ' ' || m.family_name AS member_name, s.attendee_name, m.email AS member_email, m.phone AS member_phone,
              (s.member_id IS NOT NULL AND (${scope} IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = s.member_id AND ms.organisation_id = ANY(${scope})))) AS member_contact
         FROM event_signups s LEFT JOIN members m ON m.id = s.member_id
              LEFT JOIN event_promotions pr ON pr.id = s.promoted_by LEFT JOIN organisations po ON po.id = pr.organisation_id LEFT JOIN coalitions pc ON pc.id = pr.coalition_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.seq ${limit}`,
      p.values,
    );
  }

  /** A signup of the event (locked until the transaction ends with `lock`); null when the event has no such signup. */
  async load(tx: Tx, eventId: string, signupId: string, lock = false): Promise<SignupRow | null> {
    const [row] = await tx.query<SignupRow[]>(`SELECT * FROM event_signups WHERE id = $1 AND event_id = $2${lock ? ' FOR UPDATE' : ''}`, [signupId, eventId]);
    return row ?? null;
  }

  /** Whether the signup of the event is held by one of these member records. */
  async heldBy(tx: Tx, eventId: string, signupId: string, memberIds: string[]): Promise<boolean> {
    if (!memberIds.length) return false;
    const rows = await tx.query<unknown[]>('SELECT 1 FROM event_signups WHERE id = $1 AND event_id = $2 AND member_id = ANY($3::uuid[])', [signupId, eventId, memberIds]);
    return rows.length > 0;
  }

  /** The guest signup behind a manage token's hash. */
  async byTokenHash(tx: Tx, hash: string): Promise<SignupRow | null> {
    const [row] = await tx.query<SignupRow[]>('SELECT * FROM event_signups WHERE manage_token_hash = $1', [hash]);
    return row ?? null;
  }

  async pool(tx: Tx, signupId: string): Promise<SeatPool | null> {
    const [ref] = await tx.query<{ event_id: string; shift_id: string | null }[]>('SELECT event_id, shift_id FROM event_signups WHERE id = $1', [signupId]);
    return ref ? { eventId: ref.event_id, shiftId: ref.shift_id } : null;
  }

  async status(tx: Tx, signupId: string, lock = false): Promise<SignupStatus> {
    const [row] = await tx.query<{ status: SignupStatus }[]>(`SELECT status FROM event_signups WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [signupId]);
    return row.status;
  }

  // ---------------------------------------------------------------- changing signups

  /** The person confirmed they are coming (a text's SI): true the first time, for a live signup. */
  async confirm(tx: Tx, signupId: string): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `UPDATE event_signups SET confirmed_at = now(), updated_at = now() WHERE id = $1 AND confirmed_at IS NULL AND status IN ('going','waitlisted') RETURNING id`,
      [signupId],
    );
    return rows.length > 0;
  }

  /** Opt-out (issue 24): guest signups under the number, in every event, no longer consent to the channel; returns those that did, with their event's host. */
  withdrawGuestTextConsent(tx: Tx, phone: string, channel: TextChannel): Promise<{ id: string; host_organisation_id: string | null; coalition_id: string | null }[]> {
    const column = channel === 'sms' ? 'consent_contact_by_sms' : 'consent_contact_by_whatsapp';
    return returningRows<{ id: string; host_organisation_id: string | null; coalition_id: string | null }>(
      tx,
      `UPDATE event_signups s SET ${column} = false, updated_at = now() FROM events e
        WHERE e.id = s.event_id AND s.guest_phone = $1 AND s.${column}
        RETURNING s.id, e.host_organisation_id, e.coalition_id`,
      [phone],
    );
  }

  async cancel(tx: Tx, signupId: string): Promise<void> {
    await tx.query(`UPDATE event_signups SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`, [signupId]);
  }

  /** Attended (checked in now, unless already), or no-show. */
  async setAttendance(tx: Tx, signupId: string, status: 'attended' | 'no_show'): Promise<void> {
    await tx.query(`UPDATE event_signups SET status = $2, checked_in_at = CASE WHEN $2 = 'attended' THEN coalesce(checked_in_at, now()) ELSE checked_in_at END, updated_at = now() WHERE id = $1`, [
      signupId,
      status,
    ]);
  }

  // ---------------------------------------------------------------- a person's data (export, erasure)

  /** Every signup held on a person (as a member, and as a guest with the e-mail); `organisationIds`: only events hosted or co-hosted by these. */
  exportFor(tx: Tx, person: { memberId: string | null; email: string | null }, scope?: OrganisationScope): Promise<EventSignupExport[]> {
    const scoped = scope && !scope.all;
    return tx.query(
      `SELECT s.id, s.event_id AS "eventId", e.title AS "eventTitle", e.starts_at AS "eventStartsAt", s.shift_id AS "shiftId", s.status, s.source,
              s.guest_name AS "name", s.guest_email AS "email", s.guest_phone AS "phone", s.locale,
              s.consent_data_processing_at AS "consentDataProcessingAt", s.consent_contact_by_email AS "consentContactByEmail",
              s.consent_contact_by_sms AS "consentContactBySms", s.consent_contact_by_whatsapp AS "consentContactByWhatsapp", s.consent_notice_version AS "consentNoticeVersion",
              s.created_at AS "createdAt", s.checked_in_at AS "checkedInAt", s.cancelled_at AS "cancelledAt",
              (SELECT coalesce(po.name, pc.name) FROM event_promotions pr LEFT JOIN organisations po ON po.id = pr.organisation_id LEFT JOIN coalitions pc ON pc.id = pr.coalition_id
                WHERE pr.id = s.promoted_by) AS "promotedBy",
              s.utm_source AS "utmSource", s.utm_medium AS "utmMedium", s.utm_campaign AS "utmCampaign"
         FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE ((s.member_id = $1::uuid) OR ($2::citext IS NOT NULL AND s.guest_email = $2::citext))
          ${scoped ? 'AND (e.host_organisation_id = ANY($3::uuid[]) OR EXISTS (SELECT 1 FROM event_hosts h WHERE h.event_id = e.id AND h.organisation_id = ANY($3::uuid[])))' : ''}
        ORDER BY s.seq`,
      scoped ? [person.memberId, person.email, scope.ids] : [person.memberId, person.email],
    );
  }

  /**
   * A person's live signups, in event-id order (the order every multi-event
   * path locks in): the record's own wherever they are; guest signups under
   * its addresses only in its controller's events (`controllerId`), or
   * everywhere (null).
   */
  async liveOfPerson(tx: Tx, memberId: string | null, emails: string[], controllerId: string | null): Promise<string[]> {
    const live = await tx.query<{ id: string }[]>(
      `SELECT s.id FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE (s.member_id = $1::uuid OR (s.guest_email = ANY($2::citext[]) AND ($3::uuid IS NULL OR organisation_root(e.host_organisation_id) = $3::uuid)))
          AND s.status IN ('going','waitlisted') ORDER BY s.event_id, s.seq`,
      [memberId, emails, controllerId],
    );
    return live.map((s) => s.id);
  }

  /** An erased member's signups keep no name, and no check-in code leads to them any more. */
  async forgetAttendeeName(tx: Tx, memberId: string): Promise<void> {
    await tx.query(
      `UPDATE event_signups SET attendee_name = NULL, checkin_token_hash = NULL, checkin_code_hash = NULL
        WHERE member_id = $1 AND (attendee_name IS NOT NULL OR checkin_token_hash IS NOT NULL OR checkin_code_hash IS NOT NULL)`,
      [memberId],
    );
  }

  /** Guest signups under the e-mail (in the controller's events, or everywhere: null) lose their personal data; the rows stay for anonymous counts. */
  anonymiseGuest(tx: Tx, email: string, controllerId: string | null): Promise<{ id: string; host_organisation_id: string | null; coalition_id: string | null }[]> {
    return returningRows<{ id: string; host_organisation_id: string | null; coalition_id: string | null }>(
      tx,
      `UPDATE event_signups s SET guest_name = NULL, guest_email = NULL, guest_phone = NULL, manage_token_hash = NULL, checkin_token_hash = NULL, checkin_code_hash = NULL,
              consent_contact_by_email = NULL, consent_contact_by_sms = NULL, consent_contact_by_whatsapp = NULL, consent_notice_version = NULL, utm_source = NULL, utm_medium = NULL, utm_campaign = NULL,
              erased_at = now(), updated_at = now()
         FROM events e
        WHERE e.id = s.event_id AND s.guest_email = $1::citext AND ($2::uuid IS NULL OR organisation_root(e.host_organisation_id) = $2::uuid)
        RETURNING s.id, e.host_organisation_id, e.coalition_id`,
      [email, controllerId],
    );
  }
}

function seatRow(pool: SeatPool): { table: string; id: string } {
  return pool.shiftId ? { table: 'event_shifts', id: pool.shiftId } : { table: 'events', id: pool.eventId };
}

/** A second live signup of the same person: the unique indexes that allow one per person and event (or shift). */
export function isLiveSignupDuplicate(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const e = err.driverError as { code?: string; constraint?: string };
  return e.code === '23505' && (e.constraint ?? '').startsWith('uq_event_signups_live_');
}
