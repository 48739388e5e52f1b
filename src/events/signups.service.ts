import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';

import { AccessService, type OrganisationScope } from '../access/access.service';
import type { Caller } from '../access/caller';
import { sha256Hex } from '../common/hash';
import { decodeCursorAs, toPage, type Page, type PageQuery } from '../common/pagination';
import { badRequest, conflict, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { MASKED } from '../domain-events/changes';
import type { DomainEvent } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import type { TextChannel } from '../outbox/outbox-message.entity';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { CheckInCodes } from './check-in-codes';
import type { CreateSignupDto, SignupQueryDto, UpdateSignupDto } from './dto/signup.dto';
import { EventNoticesService } from './event-notices.service';
import { DOOR_STATUSES, type SignupStatus } from './event-signup.entity';
import { ATTENDANCE_STATUSES } from './event-workflow';
import { EventAccess, type EventRights } from './event.access';
import type { Event } from './event.entity';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import {
  signupView,
  summaryFromRow,
  type CheckInCodeView,
  type ContactRules,
  type EventSignupExport,
  type EventSummary,
  type EventView,
  type OwnSignupView,
  type SignupAnswer,
  type SignupView,
} from './events.views';
import { normaliseRef, PromotionsService } from './promotions.service';
import { SeatsService } from './seats.service';
import { SignupCancelled, SignupCreated } from './signup-events';
import { CANCELLABLE, CHECK_IN_FROM, organiserMayMove } from './signup-workflow';
import { isLiveSignupDuplicate, SignupsRepository, type SignupRow } from './signups.repository';

/** Public-form budgets (PostgreSQL counters, shared by all processes). */
const SIGNUP_PER_IP = { max: 30, windowSeconds: 600 };
/** Per e-mail (guests) or per member. */
const SIGNUP_PER_PERSON = { max: 10, windowSeconds: 3600 };
const TOKEN_USES_PER_IP = { max: 30, windowSeconds: 600 };

@Injectable()
export class SignupsService {
  constructor(
    private readonly repo: SignupsRepository,
    private readonly eventsRepo: EventsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly eventAccess: EventAccess,
    private readonly events: EventsService,
    private readonly seats: SeatsService,
    private readonly changes: DomainEvents,
    private readonly limiter: RateLimitService,
    private readonly codes: CheckInCodes,
    private readonly promotions: PromotionsService,
    private readonly notices: EventNoticesService,
  ) {}

  // ---------------------------------------------------------------- signing up

  /**
   * A guest (name, e-mail, consent) or a logged-in member (no guest fields)
   * signs up. The seat is taken under the event's lock (SignupsRepository):
   * going while seats are free, waitlisted after. The confirmation e-mail and
   * the audit entry are written by the same statement (the subscribers' parts
   * of SignupCreated). A guest's answer is the same whether or not the e-mail
   * belongs to someone known: it is never looked up.
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
    const db = this.transactions.auto;
    const { event } = await this.events.visible(db, caller, eventId);
    this.assertOpen(event);
    // "Also join the promoter's list" (issue 22): null unless asked, with a live promotion's ref.
    const join = await this.promotions.joinRequest(db, eventId, dto, person);
    const shiftId = dto.shiftId ?? null;
    // The id is chosen here: the check-in codes are derived from it, only their hashes are written, and the confirmation carries them.
    const signupId = randomUUID();
    const { tokenHash, codeHash } = this.codes.hashesFor(signupId);
    const checkIn = { id: signupId, checkinTokenHash: tokenHash, checkinCodeHash: codeHash };
    const created = new SignupCreated(
      event,
      {
        eventId: { from: null, to: eventId },
        ...(shiftId ? { shiftId: { from: null, to: shiftId } } : {}),
        status: { from: null, to: null },
        source: { from: null, to: person.kind === 'guest' ? 'guest_form' : 'member' },
        ...(person.kind === 'guest'
          ? { guestName: { from: null, to: MASKED }, guestEmail: { from: null, to: MASKED }, ...(person.phone ? { guestPhone: { from: null, to: MASKED } } : {}) }
          : { memberId: { from: null, to: person.memberId } }),
      },
      manageToken,
      { token: this.codes.tokenFor(signupId), code: this.codes.shortCodeFor(signupId) },
    );
    const attribution = { ref: normaliseRef(dto.ref), utmSource: dto.utmSource ?? null, utmMedium: dto.utmMedium ?? null, utmCampaign: dto.utmCampaign ?? null };
    try {
      // One statement, no transaction: the seat, the signup, and the subscribers' parts — its confirmation and its audit entry.
      // With the join box ticked, that statement runs in a transaction after the promoter's record is made: both or neither.
      const signup = await this.withJoin(join, caller, (tx) =>
        this.repo.signUp(
          tx,
          { eventId, shiftId },
          person.kind === 'guest'
            ? {
                ...checkIn,
                memberId: null,
                guestName: person.name,
                guestEmail: person.email,
                guestPhone: person.phone,
                source: 'guest_form',
                locale: dto.locale ?? 'es',
                manageTokenHash: sha256Hex(manageToken!),
                consent: {
                  contactByEmail: dto.consent?.contactByEmail ?? null,
                  contactBySms: dto.consent?.contactBySms ?? null,
                  contactByWhatsapp: dto.consent?.contactByWhatsapp ?? null,
                  noticeVersion: dto.consent?.noticeVersion ?? null,
                },
                attribution,
              }
            : {
                ...checkIn,
                memberId: person.memberId,
                attendeeName: person.name,
                guestName: null,
                guestEmail: null,
                guestPhone: null,
                source: 'member',
                locale: 'es',
                manageTokenHash: null,
                consent: null,
                attribution,
              },
          (statement) => this.changes.inStatement(caller, created, statement),
        ),
      );
      if (!signup) {
        // Nothing was written: the event closed meanwhile, or it has no such shift. Say which, from the row as it is now.
        this.assertOpen((await this.events.visible(db, caller, eventId)).event);
        throw badRequest('unknown-shift', 'This event has no such shift.', [{ field: 'shiftId', message: 'unknown shift' }]);
      }
      const status = signup.status as SignupAnswer['status'];
      return { id: signup.id, eventId, shiftId, status, ...(manageToken ? { manageToken } : {}), checkIn: this.checkInOf(signup.id)! };
    } catch (err) {
      if (isLiveSignupDuplicate(err)) {
        const who = person.kind === 'guest' ? 'This e-mail is' : 'You are';
        throw conflict('already-signed-up', `${who} already signed up for this ${shiftId ? 'shift' : 'event'}.`);
      }
      throw err;
    }
  }

  /**
   * Runs a new signup's statement on its own, or — when the person also
   * joins the promoter's list — in a transaction after announcing that
   * (PromoterListJoinRequested: the members module makes the record), so
   * that a refused signup (full, closed, a duplicate) leaves no record behind.
   */
  private async withJoin<T>(join: DomainEvent | null, caller: Caller, write: (tx: Tx) => Promise<T | null>): Promise<T | null> {
    if (!join) return write(this.transactions.auto);
    const nothing = new Error('nothing written');
    try {
      return await this.transactions.run(async (tx) => {
        await this.changes.publish(tx, caller, join);
        const row = await write(tx);
        if (row === null) throw nothing; // the statement wrote nothing: neither does the join
        return row;
      });
    } catch (err) {
      if (err === nothing) return null;
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
  private async whoSignsUp(
    caller: Caller,
    dto: CreateSignupDto,
    eventId: string,
  ): Promise<{ kind: 'guest'; name: string; email: string; phone: string | null } | { kind: 'member'; memberId: string; name: string }> {
    const guestFields = dto.name !== undefined || dto.email !== undefined || dto.phone !== undefined || dto.consent !== undefined;
    const memberIds = caller.user?.memberIds ?? [];
    if (!guestFields && memberIds.length) {
      const member = await this.repo.memberSigningUp(memberIds, eventId);
      if (member) return { kind: 'member', memberId: member.id, name: member.name };
    }
    const errors: { field: string; message: string }[] = [];
    if (!dto.name?.trim()) errors.push({ field: 'name', message: 'name is required for a guest signup' });
    if (!dto.email) errors.push({ field: 'email', message: 'email is required for a guest signup' });
    if (!dto.consent) errors.push({ field: 'consent.dataProcessing', message: 'dataProcessing must be true' });
    if (errors.length) {
      const detail =
        guestFields || !caller.user
          ? 'A guest signup needs a name, an e-mail and consent to the processing of that data.'
          : 'Your login is not linked to a member: sign up as a guest, with a name, an e-mail and consent to the processing of that data.';
      throw badRequest('validation-failed', detail, errors);
    }
    return { kind: 'guest', name: dto.name!.trim(), email: dto.email!.trim(), phone: dto.phone ?? null };
  }

  /** The check-in token and short code of a signup that may still come to the door; null otherwise (cancelled: the code would be refused). */
  checkInOf(signupId: string, status: SignupStatus = 'going'): CheckInCodeView | null {
    if (!DOOR_STATUSES.includes(status)) return null;
    return { token: this.codes.tokenFor(signupId), code: this.codes.shortCodeFor(signupId) };
  }

  /** Only published events take signups, until the deadline (or the end). Checked on the locked, fresh row. */
  private assertOpen(event: Event): void {
    if (event.status === 'cancelled') throw conflict('event-cancelled', 'This event was cancelled.');
    if (event.status === 'completed') throw conflict('event-over', 'This event is over.');
    if (event.status !== 'published') throw conflict('event-not-published', 'This event is not published yet.');
    const closes = event.signupDeadline ?? event.endsAt;
    if (closes.getTime() <= Date.now())
      throw conflict(event.signupDeadline ? 'signup-deadline-passed' : 'event-over', event.signupDeadline ? 'Signups for this event have closed.' : 'This event is over.');
  }

  // ---------------------------------------------------------------- cancelling

  /**
   * Cancels one signup and, when it held a seat, hands the seat to the next
   * in line — all in `tx`'s transaction, under the event lock. Idempotent: an
   * already cancelled signup is left as is. Returns whether it changed and
   * the promoted signup ids.
   */
  async cancelInTransaction(tx: Tx, caller: Caller, signupId: string, audit: { personal: boolean } = { personal: false }): Promise<{ changed: boolean; promoted: string[] }> {
    const pool = await this.repo.pool(tx, signupId);
    if (!pool) throw notFound('signup');
    // Lock order: event, shift, signup (SignupsRepository).
    const event = await this.seats.lockEvent(tx, pool.eventId);
    if (pool.shiftId) await this.seats.lockShift(tx, pool.eventId, pool.shiftId);
    const current = await this.repo.status(tx, signupId, true);
    if (current === 'cancelled') return { changed: false, promoted: [] };
    if (!CANCELLABLE.includes(current)) throw conflict('signup-not-cancellable', `This signup is ${current}; it can no longer be cancelled.`);
    await this.repo.cancel(tx, signupId);
    await this.changes.publish(tx, caller, new SignupCancelled(event, signupId, { status: { from: current, to: 'cancelled' }, ...(audit.personal ? { by: { from: null, to: 'the person' } } : {}) }));
    let promoted: string[] = [];
    if (current === 'going') {
      await this.seats.release(tx, pool);
      promoted = await this.seats.promote(tx, caller, event, pool.shiftId);
    }
    return { changed: true, promoted };
  }

  // ---------------------------------------------------------------- answers by text (issue 24)

  /**
   * A text's answer to the day-before question about `signupId` (the last
   * one asked of that number: TextInbound): SI confirms it (`confirmedAt`),
   * NO cancels it through the cancel path — the seat goes to the next in
   * line, audited as the person's own change. Then one short answer goes
   * back to the number on its channel. Inside the reply's transaction.
   */
  async answerByText(tx: Tx, caller: Caller, signupId: string, answer: 'confirm' | 'cancel', reply: { channel: TextChannel; to: string; locale: string }): Promise<void> {
    const pool = await this.repo.pool(tx, signupId);
    if (!pool) throw notFound('signup');
    const event = await this.existing(tx, pool.eventId);
    if (answer === 'cancel') await this.cancelInTransaction(tx, { ...caller, user: null }, signupId, { personal: true });
    else if (await this.repo.confirm(tx, signupId)) {
      await this.changes.publish(
        tx,
        { ...caller, user: null },
        {
          action: 'event_signup.confirm',
          entity: 'event_signup',
          entityId: signupId,
          organisationId: event.hostOrganisationId,
          coalitionId: event.coalitionId,
          changes: { confirmedAt: { from: null, to: 'now' }, by: { from: null, to: `the person, by ${reply.channel === 'sms' ? 'SMS' : 'WhatsApp'}` } },
        },
      );
    }
    await this.notices.answer(tx, event, signupId, { ...reply, answer: answer === 'confirm' ? 'confirmed' : 'cancelled' });
  }

  /** Opt-out (issue 24): guest signups under the number no longer consent to the channel, each audited under its event's host. */
  async withdrawGuestTextConsent(tx: Tx, caller: Caller, phone: string, channel: TextChannel): Promise<number> {
    const field = channel === 'sms' ? 'consentContactBySms' : 'consentContactByWhatsapp';
    const rows = await this.repo.withdrawGuestTextConsent(tx, phone, channel);
    for (const r of rows) {
      await this.changes.publish(
        tx,
        { ...caller, user: null },
        {
          action: 'event_signup.consent',
          entity: 'event_signup',
          entityId: r.id,
          organisationId: r.host_organisation_id,
          coalitionId: r.coalition_id,
          changes: { [field]: { from: true, to: false }, by: { from: null, to: `a ${channel === 'sms' ? 'SMS' : 'WhatsApp'} opt-out reply` } },
        },
      );
    }
    return rows.length;
  }

  // ---------------------------------------------------------------- organisers and event hosts

  private async contactRules(tx: Tx, caller: Caller, event: Event): Promise<ContactRules> {
    if (this.access.isPlatformAdmin(caller)) return { guests: true, memberScope: { all: true } };
    const memberScope = await this.access.organisationScope(caller, 'member.read');
    const orgs = [event.hostOrganisationId, ...(await this.eventsRepo.coHostIds(tx, event.id))].filter((x): x is string => !!x);
    let guests = false;
    for (const orgId of orgs) if (!guests && (await this.access.canOnOrganisation(caller, 'member.read', orgId))) guests = true;
    return { guests, memberScope };
  }

  private async viewOf(tx: Tx, rules: ContactRules, signupId: string): Promise<SignupView> {
    const [row] = await this.repo.views(tx, scopeIds(rules), { id: signupId });
    return signupView(row, rules);
  }

  /** The event for someone handling its signups: organisers of the hosts, or the event's per-event hosts. */
  private handled(tx: Tx, caller: Caller, eventId: string): Promise<Event> {
    return this.eventAccess.require(tx, caller, eventId, 'handleSignups', 'Only the organisers and hosts of this event may handle its signups.');
  }

  /** Signups in arrival order; contact details only as `contactRules` allows. */
  async list(caller: Caller, eventId: string, q: SignupQueryDto): Promise<Page<SignupView>> {
    const tx = this.transactions.auto;
    const event = await this.handled(tx, caller, eventId);
    const rules = await this.contactRules(tx, caller, event);
    const after = decodeCursorAs<[string]>(q.cursor, 'integer');
    const rows = await this.repo.views(tx, scopeIds(rules), { eventId, status: q.status, shiftId: q.shift, afterSeq: after ? String(after[0]) : undefined, limit: q.limit + 1 });
    return toPage(
      rows,
      q.limit,
      (r) => [r.seq],
      (r) => signupView(r, rules),
    );
  }

  private async loadSignup(tx: Tx, eventId: string, signupId: string, lock = false): Promise<SignupRow> {
    const row = await this.repo.load(tx, eventId, signupId, lock);
    if (!row) throw notFound('signup');
    return row;
  }

  /**
   * Organisers and event hosts mark attended / no_show / cancelled; a member
   * may cancel their own signup (guests use their token instead).
   */
  async update(caller: Caller, eventId: string, signupId: string, dto: UpdateSignupDto): Promise<SignupView> {
    return this.transactions.run(async (tx) => {
      const own = await this.repo.heldBy(tx, eventId, signupId, caller.user?.memberIds ?? []);
      const event = own && dto.status === 'cancelled' ? await this.existing(tx, eventId) : await this.handled(tx, caller, eventId);
      const before = await this.loadSignup(tx, eventId, signupId);
      if (dto.status === 'cancelled') {
        await this.cancelInTransaction(tx, caller, signupId);
      } else {
        if (!ATTENDANCE_STATUSES.includes(event.status)) throw conflict('event-not-open', `This event is ${event.status}.`);
        const current = await this.loadSignup(tx, eventId, signupId, true);
        if (!organiserMayMove(current.status, dto.status)) throw conflict('invalid-transition', `A ${current.status} signup cannot become ${dto.status}.`);
        if (current.status !== dto.status) {
          await this.repo.setAttendance(tx, signupId, dto.status);
          await this.changes.publish(tx, caller, {
            action: 'event_signup.update',
            entity: 'event_signup',
            entityId: signupId,
            organisationId: event.hostOrganisationId,
            coalitionId: event.coalitionId,
            changes: { status: { from: before.status, to: dto.status } },
          });
        }
      }
      return this.viewOf(tx, await this.contactRules(tx, caller, event), signupId);
    });
  }

  /** Check-in at the door: going → attended. Idempotent: checking in twice changes nothing the second time. */
  async checkIn(caller: Caller, eventId: string, signupId: string): Promise<SignupView> {
    return this.transactions.run(async (tx) => {
      const event = await this.handled(tx, caller, eventId);
      if (!ATTENDANCE_STATUSES.includes(event.status)) throw conflict('event-not-open', `This event is ${event.status}.`);
      const current = await this.loadSignup(tx, eventId, signupId, true);
      if (!CHECK_IN_FROM.includes(current.status)) throw conflict('not-going', `This signup is ${current.status}: it holds no seat to check in to.`);
      if (current.status !== 'attended') {
        await this.repo.setAttendance(tx, signupId, 'attended');
        await this.changes.publish(tx, caller, {
          action: 'event_signup.check_in',
          entity: 'event_signup',
          entityId: signupId,
          organisationId: event.hostOrganisationId,
          coalitionId: event.coalitionId,
          changes: { status: { from: current.status, to: 'attended' } },
        });
      }
      return this.viewOf(tx, await this.contactRules(tx, caller, event), signupId);
    });
  }

  /** An event known to exist (a signup references it). */
  private async existing(tx: Tx, eventId: string): Promise<Event> {
    const event = await this.eventsRepo.byId(tx, eventId);
    if (!event) throw notFound('event');
    return event;
  }

  // ---------------------------------------------------------------- guests, with their secret

  /** Counts a use of a manage token against the caller's address (before any transaction opens). */
  private async limitTokenUse(caller: Caller): Promise<void> {
    await this.limiter.consume({ key: `signup-token:ip:${caller.ip}`, ...TOKEN_USES_PER_IP });
  }

  /** The guest's signup behind a manage token; the same 404 for unknown, erased and malformed tokens. */
  private async byToken(tx: Tx, token: string): Promise<SignupRow> {
    const row = await this.repo.byTokenHash(tx, sha256Hex(token));
    if (!row) throw notFound('signup');
    return row;
  }

  /** What a guest sees with their token: their signup and the event, with the address once they hold a seat. */
  async lookup(caller: Caller, token: string): Promise<{ signup: SignupView; event: EventView; checkIn: CheckInCodeView | null }> {
    await this.limitTokenUse(caller);
    const tx = this.transactions.auto;
    const row = await this.byToken(tx, token);
    // The token proves the signup: the guest sees its event even when it is no longer listed.
    const { event, rights }: { event: Event; rights: EventRights } = await this.eventAccess.read(tx, caller, row.event_id, true);
    const seated = row.status === 'going' || row.status === 'attended';
    const view = await this.events.view(tx, caller, event, rights);
    if (seated && view.locationHidden) Object.assign(view, { address: event.address, lat: event.lat, lng: event.lng, onlineUrl: event.onlineUrl, locationHidden: false });
    // The guest's own data: all of it.
    return { signup: await this.viewOf(tx, { guests: true, memberScope: { all: false, ids: [] } }, row.id), event: view, checkIn: this.checkInOf(row.id, row.status) };
  }

  /** A guest cancels with their token. Idempotent; a freed seat goes to the next in line at once. */
  async cancelByToken(caller: Caller, token: string): Promise<{ id: string; status: SignupStatus }> {
    await this.limitTokenUse(caller);
    return this.transactions.run(async (tx) => {
      const row = await this.byToken(tx, token);
      await this.cancelInTransaction(tx, { ...caller, user: null }, row.id, { personal: true });
      return { id: row.id, status: await this.repo.status(tx, row.id) };
    });
  }

  // ---------------------------------------------------------------- a person's own signups

  /** GET /me/signups: the signups of every member record linked to the caller's login, newest first. */
  async mine(caller: Caller, q: PageQuery): Promise<Page<OwnSignupView>> {
    const memberIds = caller.user?.memberIds ?? [];
    if (!memberIds.length) return { items: [], nextCursor: null };
    const after = decodeCursorAs<[string]>(q.cursor, 'integer');
    const rows = await this.eventsRepo.ownSignupsPage(memberIds, q.limit + 1, after ? String(after[0]) : null);
    return toPage(
      rows,
      q.limit,
      (r) => [r.seq],
      (r): OwnSignupView => {
        const summary: EventSummary = summaryFromRow(r);
        if (summary.locationHidden) Object.assign(summary, { address: null, lat: null, lng: null, onlineUrl: null });
        return {
          id: r.signup_id,
          status: r.signup_status,
          shiftId: r.shift_id,
          shiftName: r.shift_name,
          createdAt: r.signup_created_at,
          checkedInAt: r.checked_in_at,
          checkIn: this.checkInOf(r.signup_id, r.signup_status),
          event: summary,
        };
      },
    );
  }

  // ---------------------------------------------------------------- hooks for the members module (export, erasure)

  /**
   * Every signup held on a person — as a member, and as a guest with their
   * e-mail — for the person's data export (GET /members/:id/export,
   * GET /me/export). `scope`: only events hosted or co-hosted by these
   * organisations (an org_admin's export of what their organisations hold);
   * omit it for the person themselves or a platform admin.
   */
  exportFor(tx: Tx, person: { memberId: string | null; email: string | null }, scope?: OrganisationScope): Promise<EventSignupExport[]> {
    return this.repo.exportFor(tx, person, scope);
  }

  /**
   * Erasing a person (inside the erasure's transaction): their live signups
   * — as a member, and as a guest under any of `emails` in the controller's
   * events — are cancelled, the seats going to the next in line; their guest
   * signups lose the personal data (name, e-mail, phone, token, consent
   * details), the rows staying for anonymous counts. The member row itself
   * is the members module's to anonymise.
   */
  async erasePerson(tx: Tx, caller: Caller, person: { memberId: string; emails: string[]; controllerId: string | null }): Promise<void> {
    // Events locked in id order (as every multi-event path does: no deadlock between two erasures).
    for (const id of await this.repo.liveOfPerson(tx, person.memberId, person.emails, person.controllerId)) await this.cancelInTransaction(tx, caller, id);
    await this.repo.forgetAttendeeName(tx, person.memberId);
    for (const email of new Set(person.emails.map((e) => e.toLowerCase()))) {
      for (const r of await this.repo.anonymiseGuest(tx, email, person.controllerId)) {
        await this.changes.publish(tx, caller, {
          action: 'event_signup.erase',
          entity: 'event_signup',
          entityId: r.id,
          organisationId: r.host_organisation_id,
          coalitionId: r.coalition_id,
          changes: { guestName: { from: MASKED, to: null }, guestEmail: { from: MASKED, to: null } },
        });
      }
    }
  }
}

/** The member records whose contact the caller may read (null: all). */
function scopeIds(rules: ContactRules): string[] | null {
  return rules.memberScope.all ? null : rules.memberScope.ids;
}
