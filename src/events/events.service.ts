import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { CampaignsService } from '../campaigns/campaigns.service';
import { LinkedDemandsService } from '../campaigns/linked-demands.service';
import { definedOnly } from '../common/dto-fields';
import { decodeCursorAs, toPage, type Page } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import { diff } from '../domain-events/changes';
import { DomainEvents } from '../domain-events/domain-events';
import { OrganisationsService } from '../organisations/organisations.service';
import { OutboxService } from '../outbox/outbox.service';
import { MAX_NEAR_RADIUS_KM, parseNear, type CancelEventDto, type CreateEventDto, type CreateShiftDto, type EventQueryDto, type UpdateEventDto, type UpdateShiftDto } from './dto/event.dto';
import { AUDITED_FIELDS, EDITABLE_FIELDS, NOTIFY_FIELDS } from './event-fields';
import type { EventShift } from './event-shift.entity';
import { canBecome, isClosed } from './event-workflow';
import { EventAccess, type EventRights } from './event.access';
import { DEFAULT_TIMEZONE, type Event } from './event.entity';
import { EventsRepository } from './events.repository';
import { eventView, shiftView, summaryFromRow, summaryKey, type EventHostView, type EventListItem, type EventView, type ShiftView } from './events.views';
import { PromotionsService } from './promotions.service';
import { SeatsService } from './seats.service';
import { EventCancelled, EventChanged } from './signup-events';

const SHIFT_FIELDS: (keyof EventShift)[] = ['name', 'description', 'startsAt', 'endsAt', 'capacity'];
/** Fields a PATCH may not set to null (PartialType lets null through validation). */
const REQUIRED_FIELDS = ['title', 'kind', 'visibility', 'startsAt', 'endsAt', 'timezone', 'country', 'addressVisibility', 'coHostOrganisationIds', 'demandIds'] as const;
const MANAGERS_ONLY = 'Only the organisers of this event’s hosts may do this.';

/** The canonical IANA name (`america/lima` → `America/Lima`); validation already refused unknown zones. */
export function canonicalTimeZone(tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
}

/** The list's `near` filter in metres (the query's validation checks the same; a caller in code gets the same 400). */
function nearFilter(q: EventQueryDto): { lat: number; lng: number; radiusM: number } | undefined {
  if (q.near === undefined && q.radiusKm === undefined) return undefined;
  const point = q.near === undefined ? null : parseNear(q.near);
  const radius = q.radiusKm;
  if (!point || radius === undefined || !(radius > 0 && radius <= MAX_NEAR_RADIUS_KM)) {
    throw badRequest('validation-failed', 'near and radiusKm go together: a point lat,lng and a radius of more than 0 and at most 500 km.', [
      { field: point ? 'radiusKm' : 'near', message: point ? 'radiusKm must be more than 0 and at most 500' : 'near must be lat,lng' },
    ]);
  }
  return { ...point, radiusM: radius * 1000 };
}

/** A 400 for a field a PATCH set to null although it is required. */
function refuseNulls<T extends object>(dto: T, fields: readonly (keyof T & string)[]): void {
  for (const field of fields) {
    if (dto[field] === null) throw badRequest('validation-failed', `${field} cannot be null.`, [{ field, message: `${field} cannot be null` }]);
  }
}

/** 400 unless the shift or event ends after it starts. */
function checkEnds(what: 'event' | 'shift', startsAt: Date, endsAt: Date): void {
  if (endsAt.getTime() <= startsAt.getTime()) throw badRequest('invalid-times', `The ${what} must end after it starts.`, [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
}

@Injectable()
export class EventsService {
  constructor(
    private readonly repo: EventsRepository,
    private readonly transactions: Transactions,
    private readonly access: AccessService,
    private readonly eventAccess: EventAccess,
    private readonly changes: DomainEvents,
    private readonly seats: SeatsService,
    private readonly campaigns: CampaignsService,
    private readonly linked: LinkedDemandsService,
    private readonly organisations: OrganisationsService,
    private readonly promotions: PromotionsService,
    private readonly outbox: OutboxService,
  ) {}

  // ---------------------------------------------------------------- reading

  /** The event if the caller may see it, with their rights on it; 404 otherwise (never confirm it exists). */
  visible(tx: Tx, caller: Caller, id: string): Promise<{ event: Event; rights: EventRights }> {
    return this.eventAccess.read(tx, caller, id);
  }

  /** As `visible`, and 403 unless the caller manages it. */
  managed(tx: Tx, caller: Caller, id: string): Promise<Event> {
    return this.eventAccess.require(tx, caller, id, 'manage', MANAGERS_ONLY);
  }

  async get(caller: Caller, id: string): Promise<EventView> {
    const tx = this.transactions.auto;
    const { event, rights } = await this.visible(tx, caller, id);
    return this.view(tx, caller, event, rights);
  }

  async view(tx: Tx, caller: Caller, event: Event, rights: EventRights): Promise<EventView> {
    const memberIds = caller.user?.memberIds ?? [];
    // The caller's own live signups to it (a member's), which also make them an attendee.
    const mine = memberIds.length ? await this.repo.ownSignups(tx, event.id, memberIds) : [];
    const refs = await this.repo.refs(tx, event);
    const demands = await this.linked.visible(tx, caller, await this.repo.demandIds(tx, event.id));
    const reach = rights.handleSignups ? await this.outbox.reachOfEvent(tx, event.id) : null;
    return eventView(event, rights, { refs, mine, demands, reach });
  }

  /**
   * Lists events the caller may see, in start order, keyset-paginated (the
   * anonymous first page is the busiest query: EventsRepository.list).
   */
  async list(caller: Caller, q: EventQueryDto): Promise<Page<EventListItem>> {
    const after = decodeCursorAs<[string, string]>(q.cursor, 'timestamp', 'uuid');
    const { organisationIds, coalitionId } = await this.hostFilter(q);
    const rows = await this.repo.list(await this.eventAccess.scope(caller), caller.user?.memberIds ?? [], {
      status: q.status ?? 'published',
      from: q.from ? new Date(q.from) : new Date(),
      to: q.to ? new Date(q.to) : undefined,
      organisationIds,
      coalitionId,
      campaignId: q.campaign,
      region: q.region,
      kind: q.kind,
      near: nearFilter(q),
      includePromoted: q.includePromoted === 'true',
      after: after ?? undefined,
      limit: q.limit,
    });
    return toPage(rows, q.limit, summaryKey, summaryFromRow);
  }

  /** The list's `organisation` (with its sub-organisations) and `coalition` filters as ids; an unknown one matches nothing. */
  private async hostFilter(q: { organisation?: string; coalition?: string }): Promise<{ organisationIds?: string[]; coalitionId?: string | null }> {
    let organisationIds: string[] | undefined;
    if (q.organisation) {
      const org = await this.repo.findByIdOrSlug('organisations', q.organisation);
      organisationIds = org ? await this.access.descendants([org.id]) : [];
    }
    const coalitionId = q.coalition ? ((await this.repo.findByIdOrSlug('coalitions', q.coalition))?.id ?? null) : undefined;
    return { organisationIds, coalitionId };
  }

  /**
   * The regions of the upcoming published events the caller may see, of an
   * organisation (with its sub-organisations) or a coalition, in
   * alphabetical order: the choices of a page's region filter.
   */
  async upcomingRegions(caller: Caller, q: { organisation?: string; coalition?: string; includePromoted?: boolean }): Promise<string[]> {
    return this.repo.upcomingRegions(await this.eventAccess.scope(caller), { ...(await this.hostFilter(q)), includePromoted: q.includePromoted, from: new Date() });
  }

  // ---------------------------------------------------------------- writing

  private parseTimes(startsAt: Date, endsAt: Date, signupDeadline: Date | null): void {
    checkEnds('event', startsAt, endsAt);
    if (signupDeadline && signupDeadline.getTime() > endsAt.getTime()) {
      throw badRequest('invalid-times', 'Signups cannot close after the event ends.', [{ field: 'signupDeadline', message: 'signupDeadline must not be after endsAt' }]);
    }
  }

  /** Co-hosts must be organisations of this platform, other than the host. */
  private async checkCoHosts(tx: Tx, ids: string[], hostId: string | null): Promise<void> {
    if (!ids.length) return;
    if (hostId && ids.includes(hostId))
      throw badRequest('invalid-co-host', 'The host organisation cannot also be a co-host.', [{ field: 'coHostOrganisationIds', message: 'contains the host organisation' }]);
    await this.organisations.requireInternalAll(tx, ids, {
      unknown: () => badRequest('unknown-organisation', 'A co-host organisation does not exist.', [{ field: 'coHostOrganisationIds', message: 'unknown organisation' }]),
      external: () => badRequest('external-organisation', 'An external organisation cannot co-host events here.', [{ field: 'coHostOrganisationIds', message: 'external organisation' }]),
    });
  }

  /** The campaign must be one the caller can see and still open. */
  private async checkCampaign(tx: Tx, caller: Caller, campaignId: string | null | undefined): Promise<void> {
    if (!campaignId) return;
    const campaign = await this.campaigns.findVisible(tx, caller, campaignId);
    if (!campaign) throw badRequest('unknown-campaign', 'There is no such campaign.', [{ field: 'campaignId', message: 'unknown campaign' }]);
    if (campaign.status === 'closed') throw conflict('campaign-closed', 'This campaign is closed: it takes no new events.');
  }

  async create(caller: Caller, dto: CreateEventDto): Promise<EventView> {
    if (!dto.hostOrganisationId === !dto.coalitionId) {
      throw badRequest('invalid-host', 'Give exactly one of hostOrganisationId and coalitionId.', [
        { field: 'hostOrganisationId', message: 'exactly one of hostOrganisationId, coalitionId is required' },
      ]);
    }
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    const signupDeadline = dto.signupDeadline ? new Date(dto.signupDeadline) : null;
    this.parseTimes(startsAt, endsAt, signupDeadline);
    const coHosts = dto.coHostOrganisationIds ?? [];
    const demandIds = dto.demandIds ?? [];
    const event = await this.transactions.run(async (tx) => {
      if (dto.hostOrganisationId) {
        await this.organisations.requireInternal(tx, dto.hostOrganisationId, {
          unknown: () => badRequest('unknown-organisation', 'The host organisation does not exist.', [{ field: 'hostOrganisationId', message: 'unknown organisation' }]),
          external: () => badRequest('external-organisation', 'An external organisation cannot host events here.', [{ field: 'hostOrganisationId', message: 'external organisation' }]),
        });
        if (!(await this.access.canOnOrganisation(caller, 'event.manage', dto.hostOrganisationId))) throw forbidden('You may only create events for organisations you organise.');
      } else {
        if (!(await this.repo.coalitionExists(tx, dto.coalitionId!))) throw badRequest('unknown-coalition', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'unknown coalition' }]);
        if (!this.access.canOnCoalition(caller, 'event.manage', dto.coalitionId!)) throw forbidden('Only the coalition’s coordinators create coalition events.');
      }
      await this.checkCoHosts(tx, coHosts, dto.hostOrganisationId ?? null);
      await this.checkCampaign(tx, caller, dto.campaignId);
      await this.linked.check(tx, caller, demandIds);
      // The editable fields as given (EVENT_FIELDS), null when not; the defaults and conversions below.
      const given: Partial<Event> = {};
      for (const f of EDITABLE_FIELDS) (given as Record<string, unknown>)[f] = (dto as unknown as Record<string, unknown>)[f] ?? null;
      const saved = await this.repo.insert(tx, {
        ...given,
        hostOrganisationId: dto.hostOrganisationId ?? null,
        coalitionId: dto.coalitionId ?? null,
        visibility: dto.visibility ?? 'public',
        startsAt,
        endsAt,
        timezone: canonicalTimeZone(dto.timezone ?? DEFAULT_TIMEZONE),
        country: dto.country ?? 'PE',
        addressVisibility: dto.addressVisibility ?? 'public',
        signupDeadline,
        createdBy: caller.user?.id ?? null,
      });
      await this.repo.setCoHosts(tx, saved.id, coHosts);
      await this.repo.replaceDemands(tx, saved.id, demandIds);
      await this.changes.publish(tx, caller, {
        action: 'event.create',
        entity: 'event',
        entityId: saved.id,
        organisationId: saved.hostOrganisationId,
        coalitionId: saved.coalitionId,
        changes: {
          ...diff(null, saved, AUDITED_FIELDS),
          ...(coHosts.length ? { coHostOrganisationIds: { from: null, to: coHosts } } : {}),
          ...(demandIds.length ? { demandIds: { from: null, to: demandIds } } : {}),
        },
      });
      return saved;
    });
    return this.get(caller, event.id);
  }

  async update(caller: Caller, id: string, dto: UpdateEventDto): Promise<EventView> {
    refuseNulls(dto, REQUIRED_FIELDS);
    await this.transactions.run(async (tx) => {
      await this.managed(tx, caller, id);
      // From here on, this transaction owns the event's seats (see SignupsRepository).
      const before = await this.seats.lockEvent(tx, id);
      if (isClosed(before.status)) throw conflict('event-closed', `This event is ${before.status}; it can no longer be edited.`);
      const { coHostOrganisationIds, demandIds, startsAt, endsAt, signupDeadline, timezone, ...plain } = dto;
      const after: Event = {
        ...before,
        ...definedOnly(plain),
        ...(startsAt !== undefined ? { startsAt: new Date(startsAt) } : {}),
        ...(endsAt !== undefined ? { endsAt: new Date(endsAt) } : {}),
        ...(signupDeadline !== undefined ? { signupDeadline: signupDeadline === null ? null : new Date(signupDeadline) } : {}),
        ...(timezone !== undefined ? { timezone: canonicalTimeZone(timezone) } : {}),
      };
      this.parseTimes(after.startsAt, after.endsAt, after.signupDeadline);
      if (after.capacity !== null && after.capacity < before.goingCount) {
        throw conflict('capacity-below-seats', `${before.goingCount} people already hold a seat; the capacity cannot go below that.`);
      }
      if (dto.campaignId !== undefined && dto.campaignId !== before.campaignId) await this.checkCampaign(tx, caller, dto.campaignId);
      const changes: Record<string, { from: unknown; to: unknown }> = diff(before, after, AUDITED_FIELDS);
      if (demandIds !== undefined) {
        await this.linked.check(tx, caller, demandIds);
        const previous = await this.repo.replaceDemands(tx, id, demandIds);
        if (previous.length !== demandIds.length || previous.some((x) => !demandIds.includes(x))) changes.demandIds = { from: previous, to: demandIds };
      }
      if (coHostOrganisationIds !== undefined) {
        const current = await this.repo.coHostIds(tx, id);
        const same = current.length === coHostOrganisationIds.length && current.every((x) => coHostOrganisationIds.includes(x));
        if (!same) {
          // Co-hosts gain management of the event: only the host's own organisers choose them.
          if (!this.access.isPlatformAdmin(caller) && !(await this.eventAccess.isPrimaryManager(caller, before))) throw forbidden('Only the host’s organisers choose the co-hosts.');
          await this.checkCoHosts(tx, coHostOrganisationIds, before.hostOrganisationId);
          await this.repo.setCoHosts(tx, id, coHostOrganisationIds);
          changes.coHostOrganisationIds = { from: current, to: coHostOrganisationIds };
        }
      }
      if (!Object.keys(changes).length) return;
      const timeOrPlace = before.status === 'published' && NOTIFY_FIELDS.some((f) => f in changes);
      if (timeOrPlace) after.revision = before.revision + 1;
      const values: Partial<Event> = { revision: after.revision };
      for (const f of EDITABLE_FIELDS) (values as Record<string, unknown>)[f] = after[f];
      await this.repo.update(tx, id, values);
      // The audit entry; for a change of time or place, the notices to everyone signed up.
      await this.changes.publish(tx, caller, new EventChanged(after, changes, timeOrPlace));
      // No longer public: its promotions end with it (issue 22).
      if (before.visibility === 'public' && after.visibility !== 'public') await this.promotions.endForEvent(tx, caller, after);
      // More seats (or no limit any more): the waiting list moves up now, in this transaction.
      if (after.capacity === null || (before.capacity !== null && after.capacity > before.capacity)) await this.seats.promote(tx, caller, after, null);
    });
    return this.get(caller, id);
  }

  async publish(caller: Caller, id: string): Promise<EventView> {
    await this.transactions.run(async (tx) => {
      await this.managed(tx, caller, id);
      const event = await this.seats.lockEvent(tx, id);
      if (event.status === 'published') return;
      if (!canBecome(event.status, 'published')) throw conflict('not-a-draft', `This event is ${event.status}; only drafts can be published.`);
      if (event.endsAt.getTime() <= Date.now()) throw conflict('event-over', 'This event has already ended.');
      await this.repo.update(tx, id, { status: 'published', publishedAt: new Date() });
      await this.changes.publish(tx, caller, {
        action: 'event.publish',
        entity: 'event',
        entityId: id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { status: { from: 'draft', to: 'published' } },
      });
    });
    return this.get(caller, id);
  }

  /** Cancels the event and tells everyone signed up (going or waiting), in the same transaction. */
  async cancel(caller: Caller, id: string, dto: CancelEventDto): Promise<EventView> {
    await this.transactions.run(async (tx) => {
      await this.managed(tx, caller, id);
      const event = await this.seats.lockEvent(tx, id);
      if (!canBecome(event.status, 'cancelled')) throw conflict('event-closed', `This event is already ${event.status}.`);
      const cancelledAt = new Date();
      await this.repo.update(tx, id, { status: 'cancelled', cancelReason: dto.reason, cancelledAt });
      await this.changes.publish(
        tx,
        caller,
        new EventCancelled({ ...event, cancelReason: dto.reason }, { status: { from: event.status, to: 'cancelled' }, cancelReason: { from: null, to: dto.reason } }),
      );
    });
    return this.get(caller, id);
  }

  /** Marks a published event that has started as completed (it then takes no signups or edits). */
  async complete(caller: Caller, id: string): Promise<EventView> {
    await this.transactions.run(async (tx) => {
      await this.managed(tx, caller, id);
      const event = await this.seats.lockEvent(tx, id);
      if (event.status === 'completed') return;
      if (!canBecome(event.status, 'completed')) throw conflict('not-published', `This event is ${event.status}; only a published event can be completed.`);
      if (event.startsAt.getTime() > Date.now()) throw conflict('not-started', 'This event has not started yet.');
      await this.repo.update(tx, id, { status: 'completed' });
      await this.changes.publish(tx, caller, {
        action: 'event.complete',
        entity: 'event',
        entityId: id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { status: { from: 'published', to: 'completed' } },
      });
    });
    return this.get(caller, id);
  }

  // ---------------------------------------------------------------- shifts

  async shifts(caller: Caller, eventId: string): Promise<ShiftView[]> {
    await this.visible(this.transactions.auto, caller, eventId);
    return (await this.repo.shifts(this.transactions.auto, eventId)).map(shiftView);
  }

  /**
   * The shifts of an event whose view the caller holds (`get` made it, which
   * checked that they may see it), without reading the event again: the
   * event pages show both.
   */
  async shiftsOf(event: EventView): Promise<ShiftView[]> {
    return (await this.repo.shifts(this.transactions.auto, event.id)).map(shiftView);
  }

  async createShift(caller: Caller, eventId: string, dto: CreateShiftDto): Promise<ShiftView> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    checkEnds('shift', startsAt, endsAt);
    return this.transactions.run(async (tx) => {
      await this.managed(tx, caller, eventId);
      const event = await this.seats.lockEvent(tx, eventId);
      if (isClosed(event.status)) throw conflict('event-closed', `This event is ${event.status}.`);
      const shift = await this.repo.insertShift(tx, { eventId, name: dto.name, description: dto.description ?? null, startsAt, endsAt, capacity: dto.capacity ?? null });
      await this.changes.publish(tx, caller, {
        action: 'event_shift.create',
        entity: 'event_shift',
        entityId: shift.id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: diff(null, shift, SHIFT_FIELDS),
      });
      return shiftView(shift);
    });
  }

  async updateShift(caller: Caller, eventId: string, shiftId: string, dto: UpdateShiftDto): Promise<ShiftView> {
    refuseNulls(dto, ['name', 'startsAt', 'endsAt']);
    return this.transactions.run(async (tx) => {
      await this.managed(tx, caller, eventId);
      const event = await this.seats.lockEvent(tx, eventId);
      const before = await this.seats.lockShift(tx, eventId, shiftId);
      if (!before) throw notFound('shift');
      if (isClosed(event.status)) throw conflict('event-closed', `This event is ${event.status}.`);
      const after: EventShift = {
        ...before,
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.description !== undefined ? { description: dto.description } : {}),
        ...(dto.startsAt !== undefined ? { startsAt: new Date(dto.startsAt) } : {}),
        ...(dto.endsAt !== undefined ? { endsAt: new Date(dto.endsAt) } : {}),
        ...(dto.capacity !== undefined ? { capacity: dto.capacity } : {}),
      };
      checkEnds('shift', after.startsAt, after.endsAt);
      if (after.capacity !== null && after.capacity < before.goingCount)
        throw conflict('capacity-below-seats', `${before.goingCount} people already hold this shift; the capacity cannot go below that.`);
      const changes = diff(before, after, SHIFT_FIELDS);
      if (!Object.keys(changes).length) return shiftView(before);
      await this.repo.updateShift(tx, shiftId, { name: after.name, description: after.description, startsAt: after.startsAt, endsAt: after.endsAt, capacity: after.capacity });
      await this.changes.publish(tx, caller, {
        action: 'event_shift.update',
        entity: 'event_shift',
        entityId: shiftId,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes,
      });
      if (after.capacity === null || (before.capacity !== null && after.capacity > before.capacity)) await this.seats.promote(tx, caller, event, shiftId);
      return shiftView((await this.repo.shiftById(tx, shiftId))!);
    });
  }

  // ---------------------------------------------------------------- per-event hosts

  async hosts(caller: Caller, eventId: string): Promise<EventHostView[]> {
    await this.managed(this.transactions.auto, caller, eventId);
    const rows = await this.repo.hostRoles(eventId);
    return rows.map((r) => ({ eventId, userId: r.user_id, role: r.role, grantedBy: r.granted_by, createdAt: r.created_at }));
  }

  /** Makes a user a host of this one event (signups and check-in only). Idempotent. */
  async grantHost(caller: Caller, eventId: string, userId: string): Promise<EventHostView> {
    return this.transactions.run(async (tx) => {
      const event = await this.managed(tx, caller, eventId);
      if (!(await this.repo.activeUserExists(tx, userId))) throw badRequest('unknown-user', 'There is no such user.', [{ field: 'userId', message: 'unknown user' }]);
      const inserted = await this.repo.insertHost(tx, eventId, userId, caller.user?.id ?? null);
      if (inserted) {
        await this.changes.publish(tx, caller, {
          action: 'event_role.grant',
          entity: 'event',
          entityId: eventId,
          organisationId: event.hostOrganisationId,
          coalitionId: event.coalitionId,
          changes: { host: { from: null, to: userId } },
        });
        return { eventId, userId, role: 'host', grantedBy: inserted.granted_by, createdAt: inserted.created_at };
      }
      const existing = await this.repo.hostRole(tx, eventId, userId);
      return { eventId, userId, role: 'host', grantedBy: existing.granted_by, createdAt: existing.created_at };
    });
  }

  async revokeHost(caller: Caller, eventId: string, userId: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const event = await this.managed(tx, caller, eventId);
      if (!(await this.repo.deleteHost(tx, eventId, userId))) throw notFound('event host');
      await this.changes.publish(tx, caller, {
        action: 'event_role.revoke',
        entity: 'event',
        entityId: eventId,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { host: { from: userId, to: null } },
      });
    });
  }
}
