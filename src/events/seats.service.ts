import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { notFound } from '../common/problem';
import { returningRows, SqlParams } from '../common/sql';
import { EventNoticesService, RECIPIENT_COLUMNS, RECIPIENT_JOINS, type RecipientRow } from './event-notices.service';
import { EventShift } from './event-shift.entity';
import { Event } from './event.entity';

/** Where a signup takes its seat: the event itself (shiftId null), or one of its shifts. */
export interface SeatPool {
  eventId: string;
  shiftId: string | null;
}

/** A new signup's person-level columns (event_signups), as given by the caller. */
export interface NewSignup {
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
  consent: { contactByEmail: boolean | null; contactBySms: boolean | null; noticeVersion: string | null } | null;
}

/** Within this window before the start, a new or promoted signup gets no separate reminder: its own e-mail serves. */
export const REMINDER_WINDOW_MS = 24 * 3600_000;

/**
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
export class SeatsService {
  constructor(
    private readonly notices: EventNoticesService,
    private readonly changes: DomainEvents,
  ) {}

  /**
   * Locks the event row until the transaction ends and returns it as it is
   * now. FOR NO KEY UPDATE: it serializes seat changes without blocking
   * inserts that merely reference the event.
   */
  async lockEvent(em: EntityManager, eventId: string): Promise<Event> {
    const event = await em.getRepository(Event).createQueryBuilder('e').where('e.id = :eventId', { eventId }).setLock('for_no_key_update').getOne();
    if (!event) throw notFound('event');
    return event;
  }

  /**
   * A new signup in one statement, so that the event row — the hot row of a
   * signup burst — is locked for that statement only: locks the event (the
   * lock order above), takes a seat of the pool if the event still takes
   * signups and one is free, inserts the signup as going or waitlisted, and
   * writes what must be written with it (`effects`: the confirmation, the
   * audit entry), statements over the new signup as RECIPIENT_COLUMNS read
   * it, named `r`. Atomic without a transaction: all or nothing. Returns the
   * signup as `r`, or null when the event no longer takes signups or has no
   * such shift (nothing written: the CTEs all run whether or not the INSERT
   * returns a row, so each one that writes is conditioned on the same facts —
   * the seat is taken only of an open event, and only of its own shift). A
   * second live signup of the same person is refused by the unique indexes
   * (uq_event_signups_live_*), as a 23505: the whole statement rolls back.
   */
  async signUp(db: EntityManager, pool: SeatPool, signup: NewSignup, effects: (p: SqlParams, relation: 'r') => string[]): Promise<RecipientRow | null> {
    const p = new SqlParams();
    const event = p.add(pool.eventId);
    const shift = `${p.add(pool.shiftId)}::uuid`;
    const { table, id } = this.table(pool);
    const seatRow = `${p.add(id)}::uuid`;
    // A shift's seat is only taken when the shift belongs to this event: the
    // INSERT below refuses a foreign shift, but by then a data-modifying CTE
    // has already run, and its UPDATE would stand (a phantom seat).
    const ofThisEvent = pool.shiftId ? ' AND t.event_id = (SELECT id FROM ev)' : '';
    const window = p.add(`${REMINDER_WINDOW_MS / 1000} seconds`);
    const c = signup.consent;
    const rows = await db.query<RecipientRow[]>(
      `WITH ev AS (
         SELECT e.id, e.starts_at, e.status = 'published' AND coalesce(e.signup_deadline, e.ends_at) > now() AS open
           FROM events e WHERE e.id = ${event} FOR NO KEY UPDATE),
       seat AS (
         UPDATE ${table} t SET going_count = t.going_count + 1
          WHERE t.id = ${seatRow}${ofThisEvent} AND (SELECT open FROM ev) AND (t.capacity IS NULL OR t.going_count < t.capacity)
         RETURNING t.id),
       s AS (
         INSERT INTO event_signups (event_id, shift_id, status, waitlisted_at, reminder_queued_at, member_id, attendee_name, guest_name, guest_email, guest_phone,
                                    source, locale, manage_token_hash, consent_data_processing_at, consent_contact_by_email, consent_contact_by_sms, consent_notice_version)
         SELECT ev.id, ${shift},
                CASE WHEN EXISTS (SELECT 1 FROM seat) THEN 'going' ELSE 'waitlisted' END,
                CASE WHEN EXISTS (SELECT 1 FROM seat) THEN NULL ELSE clock_timestamp() END,
                -- Inside the last 24 hours the confirmation is the reminder.
                CASE WHEN ev.starts_at - now() <= ${window}::interval THEN now() END,
                ${p.add(signup.memberId)}::uuid, ${p.add(signup.attendeeName ?? null)}, ${p.add(signup.guestName)}, ${p.add(signup.guestEmail)}, ${p.add(signup.guestPhone)},
                ${p.add(signup.source)}, ${p.add(signup.locale)}, ${p.add(signup.manageTokenHash)},
                ${c ? 'now()' : 'NULL'}, ${p.add(c?.contactByEmail ?? null)}::boolean, ${p.add(c?.contactBySms ?? null)}::boolean, ${p.add(c?.noticeVersion ?? null)}
           FROM ev
          WHERE ev.open AND (${shift} IS NULL OR EXISTS (SELECT 1 FROM event_shifts x WHERE x.id = ${shift} AND x.event_id = ev.id))
         RETURNING *),
       r AS (SELECT ${RECIPIENT_COLUMNS} FROM s ${RECIPIENT_JOINS})${effects(p, 'r')
         .map((sql, i) => `,\n       effect${i} AS (${sql})`)
         .join('')}
       SELECT * FROM r`,
      p.values,
    );
    return rows[0] ?? null;
  }

  /** Locks a shift of a locked event. Null if the event has no such shift. */
  async lockShift(em: EntityManager, eventId: string, shiftId: string): Promise<EventShift | null> {
    return em.getRepository(EventShift).createQueryBuilder('s').where('s.id = :shiftId AND s.event_id = :eventId', { shiftId, eventId }).setLock('for_no_key_update').getOne();
  }

  private table(pool: SeatPool): { table: string; id: string } {
    return pool.shiftId ? { table: 'event_shifts', id: pool.shiftId } : { table: 'events', id: pool.eventId };
  }

  /** Gives one seat back (a seat-holding signup was cancelled). */
  async release(em: EntityManager, pool: SeatPool): Promise<void> {
    const { table, id } = this.table(pool);
    await em.query(`UPDATE ${table} SET going_count = going_count - 1 WHERE id = $1`, [id]);
  }

  /**
   * Hands every free seat of the pool to the waiting list, first come first
   * served, and writes the promotion notices — in the caller's transaction,
   * which holds the event (and shift) lock. Returns the promoted signup ids.
   */
  async promote(em: EntityManager, caller: Caller, event: Event, shiftId: string | null): Promise<string[]> {
    // A cancelled, completed or finished event hands out no seats.
    if (event.status !== 'published' || event.endsAt.getTime() <= Date.now()) return [];
    const { table, id } = this.table({ eventId: event.id, shiftId });
    const [pool] = await em.query<{ free: number | null }[]>(`SELECT capacity - going_count AS free FROM ${table} WHERE id = $1`, [id]);
    if (!pool || (pool.free !== null && pool.free <= 0)) return [];
    const soon = event.startsAt.getTime() - Date.now() <= REMINDER_WINDOW_MS;
    const promoted = await returningRows<{ id: string }>(
      em,
      `UPDATE event_signups s
          SET status = 'going', promoted_at = now(), updated_at = now(),
              reminder_queued_at = CASE WHEN $4 THEN now() ELSE s.reminder_queued_at END
        WHERE s.id IN (SELECT w.id FROM event_signups w
                        WHERE w.event_id = $1 AND w.shift_id IS NOT DISTINCT FROM $2::uuid AND w.status = 'waitlisted'
                        ORDER BY w.seq LIMIT $3 FOR UPDATE)
        RETURNING s.id, s.seq`,
      [event.id, shiftId, pool.free, soon],
    );
    if (!promoted.length) return [];
    await em.query(`UPDATE ${table} SET going_count = going_count + $2 WHERE id = $1`, [id, promoted.length]);
    const ids = promoted.map((p) => p.id);
    await this.notices.promoted(em, event, ids);
    for (const signupId of ids) {
      await this.changes.publish(em, caller, {
        action: 'event_signup.promote',
        entity: 'event_signup',
        entityId: signupId,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { status: { from: 'waitlisted', to: 'going' } },
      });
    }
    return ids;
  }
}
