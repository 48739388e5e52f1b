import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { AccessService, type OrganisationScope } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { MASKED } from '../domain-events/changes';
import type { DomainEvent } from '../domain-events/domain-event';
import { sha256 } from '../auth/account-tokens.service';
import { decodeCursor, type Page, type PageQuery, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { returningRows, SqlParams } from '../common/sql';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { CreateSignupDto, SignupQueryDto, UpdateSignupDto } from './dto/signup.dto';
import { EventAccessService } from './event-access.service';
import { EventNoticesService } from './event-notices.service';
import { type SignupStatus } from './event-signup.entity';
import type { EventSignupExport, EventSummary, EventView, OwnSignupView, SignupAnswer, SignupView } from './event-views';
import { Event } from './event.entity';
import { EventsService, SUMMARY_COLUMNS, summaryFromRow } from './events.service';
import { SeatsService } from './seats.service';

/** Public-form budgets (PostgreSQL counters, shared by all processes). */
const SIGNUP_PER_IP = { max: 30, windowSeconds: 600 };
/** Per e-mail (guests) or per member. */
const SIGNUP_PER_PERSON = { max: 10, windowSeconds: 3600 };
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

/** A signup row joined with its member (name, contact) and whether the caller may see that member's contact. */
interface SignupViewRow extends SignupRow {
  member_name: string | null;
  attendee_name: string | null;
  member_email: string | null;
  member_phone: string | null;
  member_contact: boolean;
}

/**
 * Who sees which contact details in signup lists: guests' e-mail and phone
 * for member-data readers of a host organisation (`guests`); a member's only
 * for member-data readers of an organisation the member belongs to
 * (`memberScope`) — the members module's own rule, so a partner never reads
 * another partner's members through an event.
 */
interface ContactRules {
  guests: boolean;
  memberScope: OrganisationScope;
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
    private readonly changes: DomainEvents,
    private readonly limiter: RateLimitService,
  ) {}

  // ---------------------------------------------------------------- signing up

  /**
   * A guest (name, e-mail, consent) or a logged-in member (no guest fields)
   * signs up. The seat is taken under the event's lock (SeatsService): going
   * while seats are free, waitlisted after. The confirmation e-mail and the
   * audit entry are written in the same transaction. A guest's answer is the
   * same whether or not the e-mail belongs to someone known: it is never
   * looked up.
   */
  async signUp(caller: Caller, eventId: string, dto: CreateSignupDto): Promise<SignupAnswer> {
    const person = await this.whoSignsUp(caller, dto, eventId);
    await this.limiter.consume(
      { key: `signup:ip:${caller.ip}`, ...SIGNUP_PER_IP },
      person.kind === 'guest' ? { key: `signup:email:${person.email.toLowerCase()}`, ...SIGNUP_PER_PERSON } : { key: `signup:member:${person.memberId}`, ...SIGNUP_PER_PERSON },
    );
    const manageToken = person.kind === 'guest' ? randomBytes(32).toString('base64url') : null;
    // Visibility first (404 for what the caller may not see), outside the
    // transaction: the access checks may use their own connections, and a
    // request must never hold one connection while waiting for another. The
    // open check here answers the common case early; the statement that takes
    // the seat checks it again on the locked row.
    const { event } = await this.events.visible(this.db.manager, caller, eventId);
    this.assertOpen(event);
    const shiftId = dto.shiftId ?? null;
    const created: DomainEvent = {
      action: 'event_signup.create',
      entity: 'event_signup',
      entityId: null,
      organisationId: event.hostOrganisationId,
      coalitionId: event.coalitionId,
      changes: {
        eventId: { from: null, to: eventId },
        ...(shiftId ? { shiftId: { from: null, to: shiftId } } : {}),
        status: { from: null, to: null },
        source: { from: null, to: person.kind === 'guest' ? 'guest_form' : 'member' },
        ...(person.kind === 'guest'
          ? { guestName: { from: null, to: MASKED }, guestEmail: { from: null, to: MASKED }, ...(person.phone ? { guestPhone: { from: null, to: MASKED } } : {}) }
          : { memberId: { from: null, to: person.memberId } }),
      },
    };
    try {
      // One statement, no transaction: the seat, the signup, its confirmation and its audit entry (SeatsService.signUp).
      const signup = await this.seats.signUp(
        this.db.manager,
        { eventId, shiftId },
        person.kind === 'guest'
          ? {
              memberId: null,
              guestName: person.name,
              guestEmail: person.email,
              guestPhone: person.phone,
              source: 'guest_form',
              locale: dto.locale ?? 'es',
              manageTokenHash: sha256(manageToken!),
              consent: { contactByEmail: dto.consent?.contactByEmail ?? null, contactBySms: dto.consent?.contactBySms ?? null, noticeVersion: dto.consent?.noticeVersion ?? null },
            }
          : { memberId: person.memberId, attendeeName: person.name, guestName: null, guestEmail: null, guestPhone: null, source: 'member', locale: 'es', manageTokenHash: null, consent: null },
        (p, r) => [
          this.notices.signupConfirmationSql(p, r, event, manageToken),
          ...this.changes.inStatement(caller, created, { params: p, relation: r }),
        ],
      );
      if (!signup) {
        // Nothing was written: the event closed meanwhile, or it has no such shift. Say which, from the row as it is now.
        this.assertOpen(await this.events.visible(this.db.manager, caller, eventId).then((v) => v.event));
        throw badRequest('unknown-shift', 'This event has no such shift.', [{ field: 'shiftId', message: 'unknown shift' }]);
      }
      const status = signup.status as SignupAnswer['status'];
      return { id: signup.id, eventId, shiftId, status, ...(manageToken ? { manageToken } : {}) };
    } catch (err) {
      if (isLiveSignupDuplicate(err)) {
        const who = person.kind === 'guest' ? 'This e-mail is' : 'You are';
        throw conflict('already-signed-up', `${who} already signed up for this ${shiftId ? 'shift' : 'event'}.`);
      }
      throw err;
    }
  }

  /**
   * Guest fields given: a guest, all of them required. None: the logged-in
   * caller's own member record (a login without one must sign up as a
   * guest) — the record held by the event's host's data controller when the
   * login has one there, otherwise its first linked record. Its name as it
   * is now goes with the signup: the managers of an event outside the
   * record's controller see that name and nothing else of the record.
   */
  private async whoSignsUp(caller: Caller, dto: CreateSignupDto, eventId: string): Promise<{ kind: 'guest'; name: string; email: string; phone: string | null } | { kind: 'member'; memberId: string; name: string }> {
    const guestFields = dto.name !== undefined || dto.email !== undefined || dto.phone !== undefined || dto.consent !== undefined;
    const memberIds = caller.user?.memberIds ?? [];
    if (!guestFields && memberIds.length) {
      const [member] = await this.db.query<{ id: string; name: string }[]>(
        `SELECT m.id, m.given_name || ' ' || m.family_name AS name
           FROM members m LEFT JOIN events e ON e.id = $2
          WHERE m.id = ANY($1::uuid[]) AND m.erased_at IS NULL
          ORDER BY (m.controller_id = organisation_root(e.host_organisation_id)) IS TRUE DESC, array_position($1::uuid[], m.id)
          LIMIT 1`,
        [memberIds, eventId],
      );
      if (member) return { kind: 'member', memberId: member.id, name: member.name };
    }
    const errors: { field: string; message: string }[] = [];
    if (!dto.name?.trim()) errors.push({ field: 'name', message: 'name is required for a guest signup' });
    if (!dto.email) errors.push({ field: 'email', message: 'email is required for a guest signup' });
    if (!dto.consent) errors.push({ field: 'consent.dataProcessing', message: 'dataProcessing must be true' });
    if (errors.length) {
      const detail = guestFields || !caller.user
        ? 'A guest signup needs a name, an e-mail and consent to the processing of that data.'
        : 'Your login is not linked to a member: sign up as a guest, with a name, an e-mail and consent to the processing of that data.';
      throw badRequest('validation-failed', detail, errors);
    }
    return { kind: 'guest', name: dto.name!.trim(), email: dto.email!.trim(), phone: dto.phone ?? null };
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
    await this.changes.publish(em, caller, {
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

  private async contactRules(em: EntityManager, caller: Caller, event: Event): Promise<ContactRules> {
    if (this.access.isPlatformAdmin(caller)) return { guests: true, memberScope: { all: true } };
    const memberScope = await this.access.organisationScope(caller, 'member.read');
    const orgs = [event.hostOrganisationId, ...(await this.eventAccess.coHostIds(em, event.id))].filter((x): x is string => !!x);
    let guests = false;
    for (const orgId of orgs) if (!guests && (await this.access.canOnOrganisation(caller, 'member.read', orgId))) guests = true;
    return { guests, memberScope };
  }

  /** Signup views for `where` (over `s`), in arrival order; `params` continue after the contact scope parameter ($1). */
  private async views(em: EntityManager, rules: ContactRules, where: string, params: unknown[], tail = ''): Promise<(SignupView & { seq: string })[]> {
    const scope = rules.memberScope.all ? null : rules.memberScope.ids;
    const rows = await em.query<SignupViewRow[]>(
      `SELECT s.id, s.event_id, s.shift_id, s.member_id, s.guest_name, s.guest_email, s.guest_phone, s.status, s.source, s.seq,
              s.created_at, s.waitlisted_at, s.promoted_at, s.checked_in_at, s.cancelled_at,
              m.given_name || ' ' || m.family_name AS member_name, s.attendee_name, m.email AS member_email, m.phone AS member_phone,
              (s.member_id IS NOT NULL AND ($1::uuid[] IS NULL OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.member_id = s.member_id AND ms.organisation_id = ANY($1::uuid[])))) AS member_contact
         FROM event_signups s LEFT JOIN members m ON m.id = s.member_id
        WHERE ${where}
        ORDER BY s.seq ${tail}`,
      [scope, ...params],
    );
    return rows.map((r) => this.signupView(r, rules));
  }

  /**
   * A member signup is a `member` (id, name, contact) only for a caller who
   * may read the record (member.read in its controller); for anyone else —
   * the managers of an event hosted by another controller or a coalition —
   * it is an `attendee`: the name given at signup, no id, no organisation,
   * no contact.
   */
  private signupView(r: SignupViewRow, rules: ContactRules): SignupView {
    const member = r.member_id !== null;
    const known = member && r.member_contact;
    const contact = member ? (known ? { email: r.member_email, phone: r.member_phone } : null) : rules.guests ? { email: r.guest_email, phone: r.guest_phone } : null;
    return {
      id: r.id,
      eventId: r.event_id,
      shiftId: r.shift_id,
      status: r.status,
      kind: member ? (known ? 'member' : 'attendee') : 'guest',
      memberId: known ? r.member_id : null,
      name: (member ? (known ? r.member_name : r.attendee_name) : r.guest_name) ?? ERASED,
      ...(contact ?? {}),
      seq: r.seq,
      source: r.source,
      createdAt: r.created_at,
      waitlistedAt: r.waitlisted_at,
      promotedAt: r.promoted_at,
      checkedInAt: r.checked_in_at,
      cancelledAt: r.cancelled_at,
    };
  }

  private async viewOf(em: EntityManager, rules: ContactRules, signupId: string): Promise<SignupView> {
    const [view] = await this.views(em, rules, 's.id = $2', [signupId]);
    return view;
  }

  /** The event for someone handling its signups: organisers of the hosts, or the event's per-event hosts. */
  private async handled(em: EntityManager, caller: Caller, eventId: string): Promise<Event> {
    const { event, rights } = await this.events.visible(em, caller, eventId);
    if (!rights.handleSignups) throw forbidden('Only the organisers and hosts of this event may handle its signups.');
    return event;
  }

  /** Signups in arrival order; contact details only as `contactRules` allows. */
  async list(caller: Caller, eventId: string, q: SignupQueryDto): Promise<Page<SignupView>> {
    const em = this.db.manager;
    const event = await this.handled(em, caller, eventId);
    const rules = await this.contactRules(em, caller, event);
    const p = new SqlParams();
    p.add(null); // $1: the contact scope, filled in by `views`
    const where = [`s.event_id = ${p.add(eventId)}`];
    if (q.status) where.push(`s.status = ${p.add(q.status)}`);
    if (q.shift) where.push(`s.shift_id = ${p.add(q.shift)}`);
    const after = decodeCursor<[string]>(q.cursor);
    if (after) {
      if (!/^\d+$/.test(String(after[0]))) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      where.push(`s.seq > ${p.add(after[0])}`);
    }
    const limit = `LIMIT ${p.add(q.limit + 1)}`;
    const rows = await this.views(em, rules, where.join(' AND '), p.values.slice(1), limit);
    return toPage(rows, q.limit, (r) => [r.seq]);
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
      const memberIds = caller.user?.memberIds ?? [];
      const [own] = memberIds.length ? await em.query<unknown[]>('SELECT 1 FROM event_signups WHERE id = $1 AND event_id = $2 AND member_id = ANY($3::uuid[])', [signupId, eventId, memberIds]) : [];
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
          await this.changes.publish(em, caller, {
            action: 'event_signup.update',
            entity: 'event_signup',
            entityId: signupId,
            organisationId: event.hostOrganisationId,
            coalitionId: event.coalitionId,
            changes: { status: { from: before.status, to: dto.status } },
          });
        }
      }
      return this.viewOf(em, await this.contactRules(em, caller, event), signupId);
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
        await this.changes.publish(em, caller, {
          action: 'event_signup.check_in',
          entity: 'event_signup',
          entityId: signupId,
          organisationId: event.hostOrganisationId,
          coalitionId: event.coalitionId,
          changes: { status: { from: current.status, to: 'attended' } },
        });
      }
      return this.viewOf(em, await this.contactRules(em, caller, event), signupId);
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
    // The guest's own data: all of it.
    return { signup: await this.viewOf(em, { guests: true, memberScope: { all: false, ids: [] } }, row.id), event: view };
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

  /** GET /me/signups: the signups of every member record linked to the caller's login, newest first. */
  async mine(caller: Caller, q: PageQuery): Promise<Page<OwnSignupView>> {
    const memberIds = caller.user?.memberIds ?? [];
    if (!memberIds.length) return { items: [], nextCursor: null };
    const after = decodeCursor<[string]>(q.cursor);
    if (after && !/^\d+$/.test(String(after[0]))) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
    const rows = await this.db.query<(Record<string, unknown> & { signup_id: string; signup_status: SignupStatus; shift_id: string | null; shift_name: string | null; signup_created_at: Date; checked_in_at: Date | null; seq: string })[]>(
      `SELECT s.id AS signup_id, s.status AS signup_status, s.shift_id, sh.name AS shift_name, s.created_at AS signup_created_at, s.checked_in_at, s.seq,
              ${SUMMARY_COLUMNS}, e.address, e.lat, e.lng, e.online_url,
              (e.address_visibility <> 'public' AND s.status NOT IN ('going','attended')) AS location_hidden
         FROM event_signups s JOIN events e ON e.id = s.event_id LEFT JOIN event_shifts sh ON sh.id = s.shift_id
        WHERE s.member_id = ANY($1::uuid[]) ${after ? 'AND s.seq < $3' : ''}
        ORDER BY s.seq DESC LIMIT $2`,
      after ? [memberIds, q.limit + 1, after[0]] : [memberIds, q.limit + 1],
    );
    return toPage(rows, q.limit, (r) => [r.seq], (r): OwnSignupView => {
      const summary: EventSummary = summaryFromRow(r as unknown as Parameters<typeof summaryFromRow>[0]);
      if (summary.locationHidden) Object.assign(summary, { address: null, lat: null, lng: null, onlineUrl: null });
      return { id: r.signup_id, status: r.signup_status, shiftId: r.shift_id, shiftName: r.shift_name, createdAt: r.signup_created_at, checkedInAt: r.checked_in_at, event: summary };
    });
  }

  // ---------------------------------------------------------------- hooks for the members module (export, erasure)

  /**
   * Every signup held on a person — as a member, and as a guest with their
   * e-mail — for the person's data export (GET /members/:id/export,
   * GET /me/export). `scope`: only events hosted or co-hosted by these
   * organisations (an org_admin's export of what their organisations hold);
   * omit it for the person themselves or a platform admin.
   */
  async exportFor(em: EntityManager, person: { memberId: string | null; email: string | null }, scope?: OrganisationScope): Promise<EventSignupExport[]> {
    const scoped = scope && !scope.all;
    return em.query(
      `SELECT s.id, s.event_id AS "eventId", e.title AS "eventTitle", e.starts_at AS "eventStartsAt", s.shift_id AS "shiftId", s.status, s.source,
              s.guest_name AS "name", s.guest_email AS "email", s.guest_phone AS "phone", s.locale,
              s.consent_data_processing_at AS "consentDataProcessingAt", s.consent_contact_by_email AS "consentContactByEmail",
              s.consent_contact_by_sms AS "consentContactBySms", s.consent_notice_version AS "consentNoticeVersion",
              s.created_at AS "createdAt", s.checked_in_at AS "checkedInAt", s.cancelled_at AS "cancelledAt"
         FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE ((s.member_id = $1::uuid) OR ($2::citext IS NOT NULL AND s.guest_email = $2::citext))
          ${scoped ? 'AND (e.host_organisation_id = ANY($3::uuid[]) OR EXISTS (SELECT 1 FROM event_hosts h WHERE h.event_id = e.id AND h.organisation_id = ANY($3::uuid[])))' : ''}
        ORDER BY s.seq`,
      scoped ? [person.memberId, person.email, scope.ids] : [person.memberId, person.email],
    );
  }

  /**
   * Erasing a person (inside the erasure's transaction): their live signups
   * as a member are cancelled — the seats go to the next in line — and their
   * guest signups under any of `emails` lose the personal data
   * (`eraseGuestData`). The member row itself is the members module's to
   * anonymise.
   */
  async erasePerson(em: EntityManager, caller: Caller, person: { memberId: string; emails: string[]; controllerId: string | null }): Promise<void> {
    await this.cancelLive(em, caller, person.memberId, person.emails, person.controllerId);
    await em.query('UPDATE event_signups SET attendee_name = NULL WHERE member_id = $1 AND attendee_name IS NOT NULL', [person.memberId]);
    for (const email of new Set(person.emails.map((e) => e.toLowerCase()))) await this.anonymiseGuest(em, caller, email, person.controllerId);
  }

  /** Cancels a person's live signups, events locked in id order (as every multi-event path does: no deadlock between two erasures). */
  private async cancelLive(em: EntityManager, caller: Caller, memberId: string | null, emails: string[], controllerId: string | null = null): Promise<void> {
    // The record's own signups wherever they are; guest signups under its addresses only in its controller's events (`controllerId`), or everywhere (null).
    const live = await em.query<{ id: string }[]>(
      `SELECT s.id FROM event_signups s JOIN events e ON e.id = s.event_id
        WHERE (s.member_id = $1::uuid OR (s.guest_email = ANY($2::citext[]) AND ($3::uuid IS NULL OR organisation_root(e.host_organisation_id) = $3::uuid)))
          AND s.status IN ('going','waitlisted') ORDER BY s.event_id, s.seq`,
      [memberId, emails, controllerId],
    );
    for (const s of live) await this.cancelInTransaction(em, caller, s.id);
  }

  /**
   * Erasure: a person's guest signups lose their personal data (name,
   * e-mail, phone, token, consent details) and the live ones are cancelled,
   * their seats going to the next in line; the rows stay for anonymous counts.
   * Call it inside the erasure's transaction. Returns how many were erased.
   */
  async eraseGuestData(em: EntityManager, caller: Caller, email: string): Promise<number> {
    await this.cancelLive(em, caller, null, [email]);
    return this.anonymiseGuest(em, caller, email);
  }

  private async anonymiseGuest(em: EntityManager, caller: Caller, email: string, controllerId: string | null = null): Promise<number> {
    const erased = await returningRows<{ id: string; host_organisation_id: string | null; coalition_id: string | null }>(
      em,
      `UPDATE event_signups s SET guest_name = NULL, guest_email = NULL, guest_phone = NULL, manage_token_hash = NULL,
              consent_contact_by_email = NULL, consent_contact_by_sms = NULL, consent_notice_version = NULL, erased_at = now(), updated_at = now()
         FROM events e
        WHERE e.id = s.event_id AND s.guest_email = $1::citext AND ($2::uuid IS NULL OR organisation_root(e.host_organisation_id) = $2::uuid)
        RETURNING s.id, e.host_organisation_id, e.coalition_id`,
      [email, controllerId],
    );
    for (const r of erased) {
      await this.changes.publish(em, caller, {
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

/** The unique indexes that allow one live signup per person and event (or shift). */
function isLiveSignupDuplicate(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const e = err.driverError as { code?: string; constraint?: string };
  return e.code === '23505' && (e.constraint ?? '').startsWith('uq_event_signups_live_');
}
