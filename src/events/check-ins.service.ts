import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

import type { Caller } from '../access/caller';
import { sha256Hex } from '../common/hash';
import { badRequest, conflict, gone, notFound, type FieldError } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Transactions, type Tx } from '../database/transactions';
import { MASKED } from '../domain-events/changes';
import type { DomainEvent } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import { canonicalJson, CheckInCodes } from './check-in-codes';
import { CheckInsRepository, type DoorSignupRow, type NewCheckIn, type PoolTurnoutRow, type RecordedCheckIn } from './check-ins.repository';
import type { CheckInBatchAnswer, CheckInItemAnswer, CheckInManifest, DoorPageManifest, EventTurnout, ManifestEntry, PartnerTurnoutCounts, PoolTurnout } from './check-ins.views';
import type { CheckInBatchDto, CheckInItemDto } from './dto/check-in.dto';
import type { StoredCheckInResult } from './event-check-in.entity';
import { ATTENDANCE_STATUSES } from './event-workflow';
import { EventAccess } from './event.access';
import type { Event } from './event.entity';
import { EventsRepository } from './events.repository';
import { SeatsService } from './seats.service';
import { CHECK_IN_FROM } from './signup-workflow';

/** When a door stops taking check-ins for the event (and its manifest and door links stop working): its end plus CHECKIN_MANIFEST_HOURS. */
export function checkInClosesAt(event: Pick<Event, 'endsAt'>, hours: number): Date {
  return new Date(event.endsAt.getTime() + hours * 3_600_000);
}

/**
 * A door may work for the event: it is published or completed (409 for a
 * draft or a cancelled event: its state may still change, or says why), and
 * its check-in window has not closed (410: it never reopens — moving the
 * event's end is the organisers' only way to reopen it).
 */
export function assertDoorOpen(event: Event, hours: number): void {
  if (event.status === 'cancelled') throw conflict('event-cancelled', 'This event was cancelled.');
  if (!ATTENDANCE_STATUSES.includes(event.status)) throw conflict('event-not-published', 'This event is not published yet.');
  const closes = checkInClosesAt(event, hours);
  if (closes.getTime() <= Date.now()) throw gone('check-in-closed', `Check-in for this event closed at ${closes.toISOString()} (the event’s end plus ${hours} hours).`);
}

/** Who is at the door: a logged-in organiser or event host, or a door link. */
interface Door {
  userId: string | null;
  linkId: string | null;
  label: string;
}

/** A scan's answer before the replay rule (`already`) is applied. */
type Outcome = Omit<CheckInItemAnswer, 'clientId' | 'result' | 'firstResult'> & { result: StoredCheckInResult };

/**
 * Check-in at the door (issue 21): the manifest a door takes offline, the
 * batches of scans it sends back, turnout.
 *
 * The server trusts its own tables only: a scan names a signup by its token,
 * its short code or its id, and is resolved against event_signups at the
 * moment the batch arrives; the manifest's copy at the door is never read
 * back. Its signature (over the canonical JSON, with a key only the server
 * holds) lets the server tell a genuine copy (`verifyManifest`).
 */
@Injectable()
export class CheckInsService {
  constructor(
    private readonly repo: CheckInsRepository,
    private readonly eventsRepo: EventsRepository,
    private readonly eventAccess: EventAccess,
    private readonly seats: SeatsService,
    private readonly codes: CheckInCodes,
    private readonly transactions: Transactions,
    private readonly changes: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The event, for the door at it: a door link of this event (DoorLinkGuard
   * checked it; another event's does not see this one: 404), or someone who
   * handles the event's signups (organisers of its hosts and co-hosts,
   * coordinators of its coalition, its per-event hosts).
   */
  private async door(tx: Tx, caller: Caller, eventId: string, label?: string): Promise<{ event: Event; door: Door }> {
    if (caller.doorLink) {
      if (caller.doorLink.eventId !== eventId) throw notFound('event');
      const event = await this.eventsRepo.byId(tx, eventId);
      if (!event) throw notFound('event');
      return { event, door: { userId: null, linkId: caller.doorLink.id, label: caller.doorLink.label } };
    }
    const event = await this.eventAccess.require(tx, caller, eventId, 'handleSignups', 'Only the organisers and hosts of this event, or a door link of it, may check people in.');
    return { event, door: { userId: caller.user!.id, linkId: null, label: label?.trim() || 'Organisers' } };
  }

  /** One audit entry per request made with a door link: which link, for what. */
  private doorLinkUse(event: Event, door: Door, route: string, details: Record<string, unknown> = {}): DomainEvent[] {
    if (!door.linkId) return [];
    const changes: Record<string, unknown> = { route: { from: null, to: route } };
    for (const [k, v] of Object.entries(details)) changes[k] = { from: null, to: v };
    return [{ action: 'door_link.use', entity: 'event_door_link', entityId: door.linkId, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes }];
  }

  // ---------------------------------------------------------------- the manifest

  async manifest(caller: Caller, eventId: string): Promise<CheckInManifest> {
    // Access first, outside the transaction (its checks may take connections of their own).
    const { event, door } = await this.door(this.transactions.auto, caller, eventId);
    assertDoorOpen(event, this.config.checkinManifestHours);
    return this.issueManifest(caller, event, door);
  }

  /**
   * The door page's copy (src/pages): the same manifest, under the same
   * rule, with what the page shows beside it — the event's title and times,
   * its shifts' names, and the door's own label.
   */
  async manifestForDoorPage(caller: Caller, eventId: string): Promise<DoorPageManifest> {
    const { event, door } = await this.door(this.transactions.auto, caller, eventId);
    assertDoorOpen(event, this.config.checkinManifestHours);
    const manifest = await this.issueManifest(caller, event, door);
    const shifts = (await this.eventsRepo.shifts(this.transactions.auto, eventId)).map((s) => ({ id: s.id, name: s.name }));
    return {
      manifest,
      event: { id: event.id, title: event.title, startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString(), timezone: event.timezone, shifts },
      door: { label: door.linkId ? door.label : null, link: !!door.linkId },
    };
  }

  private issueManifest(caller: Caller, event: Event, door: Door): Promise<CheckInManifest> {
    const eventId = event.id;
    return this.transactions.run(async (tx) => {
      const rows = await this.repo.manifest(tx, eventId);
      const pools = await this.repo.counts(tx, eventId);
      const entries: ManifestEntry[] = rows.map((r) => ({ signupId: r.id, tokenHash: r.token_hash, codeHash: r.code_hash, name: r.name, shiftId: r.shift_id, status: r.status }));
      const event_ = pools.find((p) => p.shift_id === null);
      const body = {
        eventId,
        issuedAt: new Date().toISOString(),
        expiresAt: checkInClosesAt(event, this.config.checkinManifestHours).toISOString(),
        entries,
        counts: {
          going: event_?.going ?? 0,
          attended: event_?.attended ?? 0,
          perShift: pools.filter((p) => p.shift_id !== null).map((p) => ({ shiftId: p.shift_id!, going: p.going, attended: p.attended })),
        },
      };
      await this.changes.publish(tx, caller, ...this.doorLinkUse(event, door, 'check-in-manifest', { entries: entries.length }));
      return { ...body, signature: this.codes.signDigest(sha256Hex(canonicalJson(body))) };
    });
  }

  /** Whether a manifest (as a door kept it) is one this server issued, unchanged. */
  verifyManifest(manifest: Omit<CheckInManifest, 'signature'> & { signature: string }): boolean {
    const { signature, ...body } = manifest;
    return typeof signature === 'string' && this.codes.verifyDigest(sha256Hex(canonicalJson(body)), signature);
  }

  // ---------------------------------------------------------------- a batch of scans

  /**
   * A door's queue of scans, answered in order, in one transaction: all of
   * it is recorded, or (a refused request: 400, 401, 404, 409, 410) none of
   * it. Each scan is recorded under its clientId, and sent again gets
   * `already` with what it came to the first time. Checking in follows the
   * signup workflow (CHECK_IN_FROM: a seat holder becomes attended); a
   * walk-in takes a free seat under the hard capacity rule, or is recorded
   * beyond capacity — never in the seat count. One audit entry per check-in
   * (and walk-in), with the door link's id when one did it.
   */
  async checkIns(caller: Caller, eventId: string, dto: CheckInBatchDto): Promise<CheckInBatchAnswer> {
    const items = dto.items;
    assertWellFormed(items);
    // Access first, outside the transaction (its checks may take connections of their own).
    const { event, door } = await this.door(this.transactions.auto, caller, eventId, dto.door);
    assertDoorOpen(event, this.config.checkinManifestHours);
    return this.transactions.run(async (tx) => {
      await this.repo.serializeBatches(tx, eventId);

      // Lock order (SignupsRepository): the event, its shifts, then signups. Only walk-ins change seats.
      const walkIns = items.filter((i) => i.walkIn);
      if (walkIns.length) {
        await this.seats.lockEvent(tx, eventId);
        const shifts = [...new Set(walkIns.map((i) => i.shiftId).filter((s): s is string => !!s))].sort();
        for (const shiftId of shifts) {
          if (!(await this.seats.lockShift(tx, eventId, shiftId))) {
            const at = items.findIndex((i) => i.walkIn && i.shiftId === shiftId);
            throw badRequest('unknown-shift', 'This event has no such shift.', [{ field: `items[${at}].shiftId`, message: 'unknown shift' }]);
          }
        }
      }

      const recorded = new Map(
        (
          await this.repo.recorded(
            tx,
            eventId,
            items.map((i) => i.clientId),
          )
        ).map((r) => [r.client_id, r]),
      );
      const hashOf = (i: CheckInItemDto) => (i.token ? this.codes.hash({ token: i.token }) : i.code ? this.codes.hash({ code: i.code }) : null);
      const signups = await this.repo.signups(tx, eventId, {
        tokenHashes: items.filter((i) => i.token).map((i) => this.codes.hash({ token: i.token! })!),
        codeHashes: items.map((i) => (i.code ? this.codes.hash({ code: i.code }) : null)).filter((h): h is string => h !== null),
        ids: items.map((i) => i.signupId).filter((id): id is string => !!id),
      });
      const byToken = new Map(signups.filter((s) => s.token_hash).map((s) => [s.token_hash!, s]));
      const byCode = new Map(signups.filter((s) => s.code_hash).map((s) => [s.code_hash!, s]));
      const byId = new Map(signups.map((s) => [s.id, s]));
      const find = (i: CheckInItemDto): DoorSignupRow | undefined => {
        if (i.signupId) return byId.get(i.signupId);
        const hash = hashOf(i);
        return hash === null ? undefined : i.token ? byToken.get(hash) : byCode.get(hash);
      };
      const first = new Map(
        (
          await this.repo.firstCheckIns(
            tx,
            signups.map((s) => s.id),
          )
        ).map((f) => [f.signup_id, { door: f.door_label, at: f.at }]),
      );

      const answers: CheckInItemAnswer[] = [];
      const scans: NewCheckIn[] = [];
      const attended: { signupId: string; at: Date }[] = [];
      const announced: DomainEvent[] = [];
      const inBatch = new Map<string, Outcome>();
      const replays: { index: number; recorded: RecordedCheckIn }[] = [];
      const scope = { organisationId: event.hostOrganisationId, coalitionId: event.coalitionId };
      const byLink = door.linkId ? { doorLinkId: { from: null, to: door.linkId } } : {};

      for (const item of items) {
        const before = recorded.get(item.clientId);
        if (before) {
          replays.push({ index: answers.length, recorded: before });
          answers.push({ clientId: item.clientId, result: 'already', firstResult: before.result, signupId: before.signup_id, name: null, shiftId: null });
          continue;
        }
        const same = inBatch.get(item.clientId);
        if (same) {
          answers.push({ ...same, clientId: item.clientId, result: 'already', firstResult: same.result });
          continue;
        }
        const at = new Date(item.at);
        let outcome: Outcome;
        if (at.getTime() > event.endsAt.getTime()) {
          const s = item.walkIn ? undefined : find(item);
          outcome = { result: 'late', signupId: s?.id ?? null, name: s?.name ?? null, shiftId: s?.shift_id ?? null };
        } else if (item.walkIn) {
          const id = randomUUID();
          const { tokenHash, codeHash } = this.codes.hashesFor(id);
          const shiftId = item.shiftId ?? null;
          const made = await this.repo.walkIn(tx, { id, eventId, shiftId, name: item.walkIn.name.trim(), at, tokenHash, codeHash });
          outcome = { result: 'checked_in', signupId: made.id, name: item.walkIn.name.trim(), shiftId, overCapacity: made.over_capacity };
          first.set(made.id, { door: door.label, at });
          announced.push({
            action: 'event_signup.walk_in',
            entity: 'event_signup',
            entityId: made.id,
            ...scope,
            changes: {
              status: { from: null, to: 'attended' },
              source: { from: null, to: 'walk_in' },
              guestName: { from: null, to: MASKED },
              ...(shiftId ? { shiftId: { from: null, to: shiftId } } : {}),
              overCapacity: { from: null, to: made.over_capacity },
              ...byLink,
            },
          });
        } else {
          const s = find(item);
          const who = { signupId: s?.id ?? null, name: s?.name ?? null, shiftId: s?.shift_id ?? null };
          if (!s) outcome = { ...who, result: 'unknown' };
          else if (s.status === 'cancelled') outcome = { ...who, result: 'cancelled' };
          else if (s.status === 'attended') {
            const earlier = first.get(s.id);
            outcome = { ...who, result: 'conflict', conflict: { door: earlier?.door ?? null, at: (earlier?.at ?? s.checked_in_at ?? new Date()).toISOString() } };
          } else if (!CHECK_IN_FROM.includes(s.status)) outcome = { ...who, result: 'waitlisted' };
          else {
            outcome = { ...who, result: 'checked_in' };
            attended.push({ signupId: s.id, at });
            announced.push({
              action: 'event_signup.check_in',
              entity: 'event_signup',
              entityId: s.id,
              ...scope,
              changes: { status: { from: s.status, to: 'attended' }, ...byLink },
            });
            s.status = 'attended';
            s.checked_in_at = new Date(Math.min(at.getTime(), Date.now()));
            first.set(s.id, { door: door.label, at });
          }
        }
        inBatch.set(item.clientId, outcome);
        scans.push({ clientId: item.clientId, signupId: outcome.signupId, result: outcome.result, at, walkIn: !!item.walkIn && outcome.result === 'checked_in' });
        answers.push({ ...outcome, clientId: item.clientId });
      }

      await this.describeReplays(tx, answers, replays, first);
      await this.repo.markAttended(tx, attended);
      await this.repo.record(tx, eventId, door, scans);
      await this.changes.publish(tx, caller, ...announced, ...this.doorLinkUse(event, door, 'check-ins', { items: items.length, checkedIn: announced.length }));
      return { items: answers };
    });
  }

  /** A scan sent again names what it named the first time: the signup, its name and shift, a conflict's door. */
  private async describeReplays(tx: Tx, answers: CheckInItemAnswer[], replays: { index: number; recorded: RecordedCheckIn }[], first: Map<string, { door: string | null; at: Date }>): Promise<void> {
    const ids = [...new Set(replays.map((r) => r.recorded.signup_id).filter((id): id is string => !!id))];
    if (!ids.length) return;
    const people = new Map((await this.repo.people(tx, ids)).map((p) => [p.id, p]));
    const missing = ids.filter((id) => !first.has(id));
    for (const f of missing.length ? await this.repo.firstCheckIns(tx, missing) : []) first.set(f.signup_id, { door: f.door_label, at: f.at });
    for (const { index, recorded } of replays) {
      const p = recorded.signup_id ? people.get(recorded.signup_id) : undefined;
      if (!p) continue;
      Object.assign(answers[index], { name: p.name, shiftId: p.shift_id });
      if (recorded.walk_in) answers[index].overCapacity = p.over_capacity;
      const earlier = first.get(p.id);
      if (recorded.result === 'conflict' && earlier) answers[index].conflict = { door: earlier.door, at: earlier.at.toISOString() };
    }
  }

  // ---------------------------------------------------------------- turnout

  /** For the event's organisers: seats, check-ins, no-shows (once it ended), walk-ins and those beyond capacity, per pool. */
  async turnout(caller: Caller, eventId: string): Promise<EventTurnout> {
    const tx = this.transactions.auto;
    const event = await this.eventAccess.require(tx, caller, eventId, 'manage', 'Only the organisers of this event may read its turnout.');
    const ended = event.endsAt.getTime() <= Date.now();
    const pools = await this.repo.counts(tx, eventId);
    const shifts = new Map((await this.eventsRepo.shifts(tx, eventId)).map((s) => [s.id, s]));
    const pool = (p: PoolTurnoutRow | undefined): PoolTurnout => ({
      going: p?.going ?? 0,
      attended: p?.attended ?? 0,
      noShow: ended ? (p?.not_attended ?? 0) : null,
      walkIns: p?.walk_ins ?? 0,
      overCapacity: p?.over_capacity ?? 0,
    });
    return {
      eventId,
      ended,
      capacity: event.capacity,
      ...pool(pools.find((p) => p.shift_id === null)),
      perShift: [...shifts.values()].map((s) => ({ shiftId: s.id, name: s.name, ...pool(pools.find((p) => p.shift_id === s.id)) })),
    };
  }

  /** Exact turnout of each partner's members over a coalition's ended events (the caller suppresses: MemberStatsService). */
  async partnerTurnout(coalitionId: string, partners: string[][]): Promise<{ events: number; counts: PartnerTurnoutCounts[] }> {
    const tx = this.transactions.auto;
    return { events: await this.repo.endedCoalitionEvents(tx, coalitionId), counts: await this.repo.partnerTurnout(tx, coalitionId, partners) };
  }
}

/** Each scan names exactly one thing (a token, a code, a signup or a walk-in): otherwise the whole request is refused, nothing recorded. */
function assertWellFormed(items: CheckInItemDto[]): void {
  const errors: FieldError[] = [];
  items.forEach((item, i) => {
    const named = [item.token, item.code, item.signupId, item.walkIn].filter((x) => x !== undefined).length;
    if (named !== 1) errors.push({ field: `items[${i}]`, message: 'give exactly one of token, code, signupId or walkIn' });
    if (item.shiftId && !item.walkIn) errors.push({ field: `items[${i}].shiftId`, message: 'shiftId is for walk-ins (a code names its own shift)' });
  });
  if (errors.length) throw badRequest('validation-failed', `The request has ${new Set(errors.map((e) => e.field)).size} invalid field${errors.length === 1 ? '' : 's'}.`, errors);
}
