import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { AuditService, MASKED } from '../audit/audit.service';
import { sha256 } from '../auth/account-tokens.service';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { returningRows } from '../common/sql';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { CreateSignupDto, SignupQueryDto, UpdateSignupDto } from './dto/signup.dto';
import { EventAccessService } from './event-access.service';
import { EventNoticesService } from './event-notices.service';
import { EventSignup, type SignupStatus } from './event-signup.entity';
import type { EventSummary, EventView, OwnSignupView, SignupAnswer, SignupView } from './event-views';
import { Event } from './event.entity';
import { EventsService, SUMMARY_COLUMNS, summaryFromRow } from './events.service';
import { REMINDER_WINDOW_MS, SeatsService } from './seats.service';

/** Public-form budgets (PostgreSQL counters, shared by all processes). */
const SIGNUP_PER_IP = { max: 30, windowSeconds: 600 };
const SIGNUP_PER_EMAIL = { max: 10, windowSeconds: 3600 };
const TOKEN_USES_PER_IP = { max: 30, windowSeconds: 600 };

/** Who may change a signup's status to what, from what. */
const ORGANISER_TRANSITIONS: Record<UpdateSignupDto['status'], readonly SignupStatus[]> = {
  attended: ['going', 'no_show', 'attended'],
  no_show: ['going', 'attended', 'no_show'],
  cancelled: ['going', 'waitlisted', 'cancelled'],
};

interface SignupRow {
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

/** The anonymous placeholder for a person whose data was erased. */
const ERASED = '—';

@Injectable()
export class SignupsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly eventAccess: EventAccessService,
    private readonly events: EventsService,
    private readonly seats: SeatsService,
    private readonly notices: EventNoticesService,
    private readonly audit: AuditService,
    private readonly limiter: RateLimitService,
  ) {}

  // ---------------------------------------------------------------- signing up

  /**
   * A guest (name, e-mail, consent) or — TODO(members) — a logged-in member
   * signs up. The seat is taken under the event's lock (SeatsService): going
   * while seats are free, waitlisted after. The confirmation e-mail and the
   * audit entry are written in the same transaction. The answer is the same
   * whether or not the e-mail belongs to someone known: it is never looked up.
   */
  async signUp(caller: Caller, eventId: string, dto: CreateSignupDto): Promise<SignupAnswer> {
    const guest = this.guestDetails(dto);
    await this.limiter.consume({ key: `signup:ip:${caller.ip}`, ...SIGNUP_PER_IP }, { key: `signup:email:${guest.email.toLowerCase()}`, ...SIGNUP_PER_EMAIL });
    const manageToken = randomBytes(32).toString('base64url');
    // Visibility first (404 for what the caller may not see), outside the
    // transaction: the access checks may use their own connections, and a
    // request must never hold one connection while waiting for another.
    await this.events.visible(this.db.manager, caller, eventId);
    return this.db.transaction(async (em) => {
      const event = await this.seats.lockEvent(em, eventId);
      this.assertOpen(event);
      const shiftId = dto.shiftId ?? null;
      if (shiftId && !(await this.seats.lockShift(em, eventId, shiftId))) {
        throw badRequest('unknown-shift', 'This event has no such shift.', [{ field: 'shiftId', message: 'unknown shift' }]);
      }
      const [duplicate] = await em.query<unknown[]>(
        `SELECT 1 FROM event_signups WHERE event_id = $1 AND shift_id IS NOT DISTINCT FROM $2::uuid AND guest_email = $3 AND status IN ('going','waitlisted','attended')`,
        [eventId, shiftId, guest.email],
      );
      if (duplicate) throw conflict('already-signed-up', shiftId ? 'This e-mail is already signed up for this shift.' : 'This e-mail is already signed up for this event.');

      const seated = await this.seats.take(em, { eventId, shiftId });
      const now = new Date();
      const signup = await em.save(
        EventSignup,
        em.create(EventSignup, {
          eventId,
          shiftId,
          memberId: null,
          guestName: guest.name,
          guestEmail: guest.email,
          guestPhone: guest.phone,
          status: seated ? 'going' : 'waitlisted',
          source: 'guest_form',
          locale: dto.locale ?? 'es',
          manageTokenHash: sha256(manageToken),
          consentDataProcessingAt: now,
          consentContactByEmail: dto.consent?.contactByEmail ?? null,
          consentContactBySms: dto.consent?.contactBySms ?? null,
          consentNoticeVersion: dto.consent?.noticeVersion ?? null,
          waitlistedAt: seated ? null : now,
          // Inside the last 24 hours the confirmation is the reminder.
          reminderQueuedAt: event.startsAt.getTime() - now.getTime() <= REMINDER_WINDOW_MS ? now : null,
        }),
      );
      await this.notices.signupConfirmation(em, event, signup.id, manageToken);
      await this.audit.record(em, caller, {
        action: 'event_signup.create',
        entity: 'event_signup',
        entityId: signup.id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: {
          eventId: { from: null, to: eventId },
          ...(shiftId ? { shiftId: { from: null, to: shiftId } } : {}),
          status: { from: null, to: signup.status },
          source: { from: null, to: 'guest_form' },
          guestName: { from: null, to: MASKED },
          guestEmail: { from: null, to: MASKED },
          ...(guest.phone ? { guestPhone: { from: null, to: MASKED } } : {}),
        },
      });
      return { id: signup.id, eventId, shiftId, status: seated ? 'going' : 'waitlisted', manageToken };
    });
  }

  /** Guest fields, all or nothing. */
  private guestDetails(dto: CreateSignupDto): { name: string; email: string; phone: string | null } {
    const errors: { field: string; message: string }[] = [];
    if (!dto.name?.trim()) errors.push({ field: 'name', message: 'name is required for a guest signup' });
    if (!dto.email) errors.push({ field: 'email', message: 'email is required for a guest signup' });
    if (!dto.consent) errors.push({ field: 'consent.dataProcessing', message: 'dataProcessing must be true' });
    // TODO(members): without guest fields, a logged-in user with a linked member signs up as that member.
    if (errors.length) throw badRequest('validation-failed', 'A guest signup needs a name, an e-mail and consent to the processing of that data.', errors);
    return { name: dto.name!.trim(), email: dto.email!.trim(), phone: dto.phone ?? null };
  }

  /** Only published events take signups, until the deadline (or the end). Checked on the locked, fresh row. */
  private assertOpen(event: Event): void {
    if (event.status === 'cancelled') throw conflict('event-cancelled', 'This event was cancelled.');
    if (event.status === 'completed') throw conflict('event-over', 'This event is over.');
    if (event.status !== 'published') throw conflict('event-not-published', 'This event is not published yet.');
    const closes = event.signupDeadline ?? event.endsAt;
    if (closes.getTime() <= Date.now()) throw conflict(event.signupDeadline ? 'signup-deadline-passed' : 'event-over', event.signupDeadline ? 'Signups for this event have closed.' : 'This event is over.');
  }

  // ---------------------------------------------------------------- cancelling

  /**
   * Cancels one signup and, when it held a seat, hands the seat to the next
   * in line — all in `em`'s transaction, under the event lock. Idempotent: an
   * already cancelled signup is left as is. Returns the new status and the
   * promoted signup ids.
   */
  async cancelInTransaction(em: EntityManager, caller: Caller, signupId: string, audit: { personal: boolean } = { personal: false }): Promise<{ changed: boolean; promoted: string[] }> {
    const [ref] = await em.query<{ event_id: string; shift_id: string | null }[]>('SELECT event_id, shift_id FROM event_signups WHERE id = $1', [signupId]);
    if (!ref) throw notFound('signup');
    // Lock order: event, shift, signup (SeatsService).
    const event = await this.seats.lockEvent(em, ref.event_id);
    if (ref.shift_id) await this.seats.lockShift(em, ref.event_id, ref.shift_id);
    const [current] = await em.query<{ status: SignupStatus }[]>('SELECT status FROM event_signups WHERE id = $1 FOR UPDATE', [signupId]);
    if (current.status === 'cancelled') return { changed: false, promoted: [] };
    if (current.status !== 'going' && current.status !== 'waitlisted') throw conflict('signup-not-cancellable', `This signup is ${current.status}; it can no longer be cancelled.`);
    await em.query(`UPDATE event_signups SET status = 'cancelled', cancelled_at = now(), updated_at = now() WHERE id = $1`, [signupId]);
    await this.audit.record(em, caller, {
      action: 'event_signup.cancel',
      entity: 'event_signup',
      entityId: signupId,
      organisationId: event.hostOrganisationId,
      coalitionId: event.coalitionId,
      changes: { status: { from: current.status, to: 'cancelled' }, ...(audit.personal ? { by: { from: null, to: 'the person' } } : {}) },
    });
    let promoted: string[] = [];
    if (current.status === 'going') {
      await this.seats.release(em, { eventId: ref.event_id, shiftId: ref.shift_id });
      promoted = await this.seats.promote(em, caller, event, ref.shift_id);
    }
    return { changed: true, promoted };
  }

  // ---------------------------------------------------------------- organisers and event hosts

  /** Contact details of guests: for member-data readers of a host organisation (organisers, org_admins), never coordinators or per-event hosts. */
  private async showsContacts(em: EntityManager, caller: Caller, event: Event): Promise<boolean> {
    if (this.access.isPlatformAdmin(caller)) return true;
    const orgs = [event.hostOrganisationId, ...(await this.eventAccess.coHostIds(em, event.id))].filter((x): x is string => !!x);
    for (const orgId of orgs) if (await this.access.canOnOrganisation(caller, 'member.read', orgId)) return true;
    return false;
  }

  private signupView(r: SignupRow, contacts: boolean): SignupView {
    return {
      id: r.id,
      eventId: r.event_id,
      shiftId: r.shift_id,
      status: r.status,
      kind: r.member_id ? 'member' : 'guest',
      memberId: r.member_id,
      name: r.guest_name ?? ERASED,
      ...(contacts ? { email: r.guest_email, phone: r.guest_phone } : {}),
      seq: r.seq,
      source: r.source,
      createdAt: r.created_at,
      waitlistedAt: r.waitlisted_at,
      promotedAt: r.promoted_at,
      checkedInAt: r.checked_in_at,
      cancelledAt: r.cancelled_at,
    };
  }

  /** The event for someone handling its signups: organisers of the hosts, or the event's per-event hosts. */
  private async handled(em: EntityManager, caller: Caller, eventId: string): Promise<Event> {
    const { event, rights } = await this.events.visible(em, caller, eventId);
    if (!rights.handleSignups) throw forbidden('Only the organisers and hosts of this event may handle its signups.');
    return event;
  }

  /** Signups in arrival order; personal contact only as `showsContacts` allows. */
  async list(caller: Caller, eventId: string, q: SignupQueryDto): Promise<Page<SignupView>> {
    const em = this.db.manager;
    const event = await this.handled(em, caller, eventId);
    const contacts = await this.showsContacts(em, caller, event);
    const params: unknown[] = [eventId];
    let where = 's.event_id = $1';
    if (q.status) where += ` AND s.status = $${params.push(q.status)}`;
    if (q.shift) where += ` AND s.shift_id = $${params.push(q.shift)}`;
    const after = decodeCursor<[string]>(q.cursor);
    if (after) {
      if (!/^\d+$/.test(String(after[0]))) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      where += ` AND s.seq > $${params.push(after[0])}`;
    }
    const rows = await em.query<SignupRow[]>(`SELECT s.* FROM event_signups s WHERE ${where} ORDER BY s.seq LIMIT $${params.push(q.limit + 1)}`, params);
    return toPage(rows, q.limit, (r) => [r.seq], (r) => this.signupView(r, contacts));
  }

  private async loadSignup(em: EntityManager, eventId: string, signupId: string, lock = false): Promise<SignupRow> {
    const [row] = await em.query<SignupRow[]>(`SELECT * FROM event_signups WHERE id = $1 AND event_id = $2${lock ? ' FOR UPDATE' : ''}`, [signupId, eventId]);
    if (!row) throw notFound('signup');
    return row;
  }

  /**
   * Organisers and event hosts mark attended / no_show / cancelled; a member
   * may cancel their own signup (guests use their token instead).
   */
  async update(caller: Caller, eventId: string, signupId: string, dto: UpdateSignupDto): Promise<SignupView> {
    return this.db.transaction(async (em) => {
      const memberId = caller.user?.memberId;
      const [own] = memberId ? await em.query<unknown[]>('SELECT 1 FROM event_signups WHERE id = $1 AND event_id = $2 AND member_id = $3', [signupId, eventId, memberId]) : [];
      const event = own && dto.status === 'cancelled' ? await em.findOneOrFail(Event, { where: { id: eventId } }) : await this.handled(em, caller, eventId);
      const before = await this.loadSignup(em, eventId, signupId);
      if (dto.status === 'cancelled') {
        await this.cancelInTransaction(em, caller, signupId);
      } else {
        if (event.status !== 'published' && event.status !== 'completed') throw conflict('event-not-open', `This event is ${event.status}.`);
        const current = await this.loadSignup(em, eventId, signupId, true);
        if (!ORGANISER_TRANSITIONS[dto.status].includes(current.status)) throw conflict('invalid-transition', `A ${current.status} signup cannot become ${dto.status}.`);
        if (current.status !== dto.status) {
          await em.query(
            `UPDATE event_signups SET status = $2, checked_in_at = CASE WHEN $2 = 'attended' THEN coalesce(checked_in_at, now()) ELSE checked_in_at END, updated_at = now() WHERE id = $1`,
            [signupId, dto.status],
          );
          await this.audit.record(em, caller, {
            action: 'event_signup.update',
            entity: 'event_signup',
            entityId: signupId,
            organisationId: event.hostOrganisationId,
            coalitionId: event.coalitionId,
            changes: { status: { from: before.status, to: dto.status } },
          });
        }
      }
      return this.signupView(await this.loadSignup(em, eventId, signupId), await this.showsContacts(em, caller, event));
    });
  }

  /** Check-in at the door: going → attended. Idempotent: checking in twice changes nothing the second time. */
  async checkIn(caller: Caller, eventId: string, signupId: string): Promise<SignupView> {
    return this.db.transaction(async (em) => {
      const event = await this.handled(em, caller, eventId);
      if (event.status !== 'published' && event.status !== 'completed') throw conflict('event-not-open', `This event is ${event.status}.`);
      const current = await this.loadSignup(em, eventId, signupId, true);
      if (current.status === 'waitlisted' || current.status === 'cancelled') throw conflict('not-going', `This signup is ${current.status}: it holds no seat to check in to.`);
      if (current.status !== 'attended') {
        await em.query(`UPDATE event_signups SET status = 'attended', checked_in_at = coalesce(checked_in_at, now()), updated_at = now() WHERE id = $1`, [signupId]);
        await this.audit.record(em, caller, {
          action: 'event_signup.check_in',
          entity: 'event_signup',
          entityId: signupId,
          organisationId: event.hostOrganisationId,
          coalitionId: event.coalitionId,
          changes: { status: { from: current.status, to: 'attended' } },
        });
      }
      return this.signupView(await this.loadSignup(em, eventId, signupId), await this.showsContacts(em, caller, event));
    });
  }

  // ---------------------------------------------------------------- guests, with their secret

  /** Counts a use of a manage token against the caller's address (before any transaction opens). */
  private async limitTokenUse(caller: Caller): Promise<void> {
    await this.limiter.consume({ key: `signup-token:ip:${caller.ip}`, ...TOKEN_USES_PER_IP });
  }

  /** The guest's signup behind a manage token; the same 404 for unknown, erased and malformed tokens. */
  private async byToken(em: EntityManager, token: string): Promise<SignupRow> {
    const [row] = await em.query<SignupRow[]>('SELECT * FROM event_signups WHERE manage_token_hash = $1', [sha256(token)]);
    if (!row) throw notFound('signup');
    return row;
  }

  /** What a guest sees with their token: their signup and the event, with the address once they hold a seat. */
  async lookup(caller: Caller, token: string): Promise<{ signup: SignupView; event: EventView }> {
    await this.limitTokenUse(caller);
    const em = this.db.manager;
    const row = await this.byToken(em, token);
    const { event, rights } = await this.eventForGuest(em, caller, row);
    const seated = row.status === 'going' || row.status === 'attended';
    const view = await this.events.view(em, caller, event, rights);
    if (seated && view.locationHidden) Object.assign(view, { address: event.address, lat: event.lat, lng: event.lng, onlineUrl: event.onlineUrl, locationHidden: false });
    return { signup: this.signupView(row, true), event: view };
  }

  /** The token proves the signup: the guest sees its event even when it is no longer listed. */
  private async eventForGuest(em: EntityManager, caller: Caller, row: SignupRow): Promise<{ event: Event; rights: Awaited<ReturnType<EventAccessService['rights']>> }> {
    const event = await em.findOneOrFail(Event, { where: { id: row.event_id } });
    const rights = await this.eventAccess.rights(em, caller, event);
    return { event, rights: { ...rights, see: true } };
  }

  /** A guest cancels with their token. Idempotent; a freed seat goes to the next in line at once. */
  async cancelByToken(caller: Caller, token: string): Promise<{ id: string; status: SignupStatus }> {
    await this.limitTokenUse(caller);
    return this.db.transaction(async (em) => {
      const row = await this.byToken(em, token);
      await this.cancelInTransaction(em, { ...caller, user: null }, row.id, { personal: true });
      const [after] = await em.query<{ status: SignupStatus }[]>('SELECT status FROM event_signups WHERE id = $1', [row.id]);
      return { id: row.id, status: after.status };
    });
  }

  // ---------------------------------------------------------------- a person's own signups

  /** GET /me/signups: the signups of the caller's linked member, newest first. */
  async mine(caller: Caller, q: PageQuery): Promise<Page<OwnSignupView>> {
    const memberId = caller.user?.memberId;
    if (!memberId) return { items: [], nextCursor: null };
    const after = decodeCursor<[string]>(q.cursor);
    if (after && !/^\d+$/.test(String(after[0]))) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
    const rows = await this.db.query<(Record<string, unknown> & { signup_id: string; signup_status: SignupStatus; shift_id: string | null; shift_name: string | null; signup_created_at: Date; checked_in_at: Date | null; seq: string })[]>(
      `SELECT s.id AS signup_id, s.status AS signup_status, s.shift_id, sh.name AS shift_name, s.created_at AS signup_created_at, s.checked_in_at, s.seq,
              ${SUMMARY_COLUMNS}, e.address, e.lat, e.lng, e.online_url,
              (e.address_visibility <> 'public' AND s.status NOT IN ('going','attended')) AS location_hidden
         FROM event_signups s JOIN events e ON e.id = s.event_id LEFT JOIN event_shifts sh ON sh.id = s.shift_id
        WHERE s.member_id = $1 ${after ? 'AND s.seq < $3' : ''}
        ORDER BY s.seq DESC LIMIT $2`,
      after ? [memberId, q.limit + 1, after[0]] : [memberId, q.limit + 1],
    );
    return toPage(rows, q.limit, (r) => [r.seq], (r): OwnSignupView => {
      const summary: EventSummary = summaryFromRow(r as unknown as Parameters<typeof summaryFromRow>[0]);
      if (summary.locationHidden) Object.assign(summary, { address: null, lat: null, lng: null, onlineUrl: null });
      return { id: r.signup_id, status: r.signup_status, shiftId: r.shift_id, shiftName: r.shift_name, createdAt: r.signup_created_at, checkedInAt: r.checked_in_at, event: summary };
    });
  }

  // ---------------------------------------------------------------- hooks for the members module (export, erasure)

  /** Every signup held on a person: by member id and as a guest with this e-mail. For GET /members/:id/export. */
  async exportFor(em: EntityManager, person: { memberId: string | null; email: string | null }): Promise<Record<string, unknown>[]> {
    return em.query(
      `SELECT s.id, s.event_id AS "eventId", e.title AS "eventTitle", e.starts_at AS "eventStartsAt", s.shift_id AS "shiftId", s.status, s.source,
              s.guest_name AS "name", s.guest_email AS "email", s.guest_phone AS "phone", s.locale,
              s.consent_data_processing_at AS "consentDataProcessingAt", s.consent_contact_by_email AS "consentContactByEmail",
              s.consent_contact_by_sms AS "consentContactBySms", s.consent_notice_version AS "consentNoticeVersion",
              s.created_at AS "createdAt", s.checked_in_at AS "checkedInAt", s.cancelled_at AS "cancelledAt"
         FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE (s.member_id = $1::uuid) OR ($2::citext IS NOT NULL AND s.guest_email = $2::citext)
        ORDER BY s.seq`,
      [person.memberId, person.email],
    );
  }

  /**
   * Erasure: a person's guest signups lose their personal data (name,
   * e-mail, phone, token, consent details) and the live ones are cancelled,
   * their seats going to the next in line; the rows stay for anonymous counts.
   * Call it inside the erasure's transaction. Returns how many were erased.
   */
  async eraseGuestData(em: EntityManager, caller: Caller, email: string): Promise<number> {
    const live = await em.query<{ id: string }[]>(
      `SELECT s.id FROM event_signups s WHERE s.guest_email = $1::citext AND s.status IN ('going','waitlisted') ORDER BY s.event_id, s.seq`,
      [email],
    );
    for (const s of live) await this.cancelInTransaction(em, caller, s.id);
    const erased = await returningRows<{ id: string; host_organisation_id: string | null; coalition_id: string | null }>(
      em,
      `UPDATE event_signups s SET guest_name = NULL, guest_email = NULL, guest_phone = NULL, manage_token_hash = NULL,
              consent_contact_by_email = NULL, consent_contact_by_sms = NULL, consent_notice_version = NULL, erased_at = now(), updated_at = now()
         FROM events e
        WHERE e.id = s.event_id AND s.guest_email = $1::citext
        RETURNING s.id, e.host_organisation_id, e.coalition_id`,
      [email],
    );
    for (const r of erased) {
      await this.audit.record(em, caller, {
        action: 'event_signup.erase',
        entity: 'event_signup',
        entityId: r.id,
        organisationId: r.host_organisation_id,
        coalitionId: r.coalition_id,
        changes: { guestName: { from: MASKED, to: null }, guestEmail: { from: MASKED, to: null } },
      });
    }
    return erased.length;
  }
}
