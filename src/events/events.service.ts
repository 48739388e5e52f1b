import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import { DomainEvents } from '../domain-events/domain-events';
import { diff } from '../domain-events/changes';
import { CampaignsService } from '../campaigns/campaigns.service';
import { LinkedDemandsService } from '../campaigns/linked-demands.service';
import { definedOnly, UUID_PATTERN } from '../common/dto-fields';
import { bindNamed, byIdReader, poolQuery, returningRows, SqlParams } from '../common/sql';
import { decodeCursor, type Page, toPage } from '../common/pagination';
import { badRequest, conflict, forbidden, notFound } from '../common/problem';
import type { CancelEventDto, CreateEventDto, CreateShiftDto, EventQueryDto, UpdateEventDto, UpdateShiftDto } from './dto/event.dto';
import { type EventRights, EventAccessService } from './event-access.service';
import { EventNoticesService } from './event-notices.service';
import { EventShift } from './event-shift.entity';
import type { EventHostView, EventSummary, EventView, OrganisationRef, ShiftView } from './event-views';
import { DEFAULT_TIMEZONE, Event } from './event.entity';
import { SeatsService } from './seats.service';

const FIELDS: (keyof Event)[] = [
  'hostOrganisationId',
  'coalitionId',
  'campaignId',
  'title',
  'description',
  'kind',
  'status',
  'visibility',
  'startsAt',
  'endsAt',
  'timezone',
  'venue',
  'address',
  'locality',
  'region',
  'country',
  'lat',
  'lng',
  'addressVisibility',
  'onlineUrl',
  'capacity',
  'signupDeadline',
  'cancelReason',
];
/** An event by id, as `findOne` reads it (read before every signup and every event page). */
export const readEvent = byIdReader(Event);

const SHIFT_FIELDS: (keyof EventShift)[] = ['name', 'description', 'startsAt', 'endsAt', 'capacity'];
/** A change to one of these is a change of time or place: people signed up are told. */
const NOTIFY_FIELDS: (keyof Event)[] = ['startsAt', 'endsAt', 'timezone', 'venue', 'address', 'locality', 'region', 'country', 'onlineUrl'];
/** Fields a PATCH may not set to null (PartialType lets null through validation). */
const REQUIRED_FIELDS = ['title', 'kind', 'visibility', 'startsAt', 'endsAt', 'timezone', 'country', 'addressVisibility', 'coHostOrganisationIds', 'demandIds'] as const;

/** The canonical IANA name (`america/lima` → `America/Lima`); validation already refused unknown zones. */
export function canonicalTimeZone(tz: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
}

/** Rows the list query selects: the summary, straight from SQL (no entity hydration on the hot path). */
export interface SummaryRow {
  id: string;
  title: string;
  kind: Event['kind'];
  status: Event['status'];
  visibility: Event['visibility'];
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  host_organisation_id: string | null;
  coalition_id: string | null;
  campaign_id: string | null;
  venue: string | null;
  address: string | null;
  locality: string | null;
  region: string | null;
  country: string;
  lat: number | null;
  lng: number | null;
  online_url: string | null;
  address_visibility: Event['addressVisibility'];
  location_hidden: boolean;
  capacity: number | null;
  going_count: number;
}

export const SUMMARY_COLUMNS = `e.id, e.title, e.kind, e.status, e.visibility, e.starts_at, e.ends_at, e.timezone, e.host_organisation_id, e.coalition_id,
  e.campaign_id, e.venue, e.locality, e.region, e.country, e.address_visibility, e.capacity, e.going_count`;

/** The keyset of the event list: start time, then id. */
export const summaryKey = (r: SummaryRow): string[] => [r.starts_at.toISOString(), r.id];

export function summaryFromRow(r: SummaryRow): EventSummary {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind,
    status: r.status,
    visibility: r.visibility,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    timezone: r.timezone,
    hostOrganisationId: r.host_organisation_id,
    coalitionId: r.coalition_id,
    campaignId: r.campaign_id,
    venue: r.venue,
    address: r.address,
    locality: r.locality,
    region: r.region,
    country: r.country,
    lat: r.lat,
    lng: r.lng,
    onlineUrl: r.online_url,
    addressVisibility: r.address_visibility,
    locationHidden: r.location_hidden,
    capacity: r.capacity,
    goingCount: r.going_count,
  };
}

export const shiftView = (s: EventShift): ShiftView => ({
  id: s.id,
  eventId: s.eventId,
  name: s.name,
  description: s.description,
  startsAt: s.startsAt,
  endsAt: s.endsAt,
  capacity: s.capacity,
  goingCount: s.goingCount,
  spotsLeft: s.capacity === null ? null : Math.max(0, s.capacity - s.goingCount),
});

@Injectable()
export class EventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly access: AccessService,
    private readonly eventAccess: EventAccessService,
    private readonly changes: DomainEvents,
    private readonly notices: EventNoticesService,
    private readonly seats: SeatsService,
    private readonly campaigns: CampaignsService,
    private readonly linked: LinkedDemandsService,
  ) {}

  // ---------------------------------------------------------------- reading

  /** The event if the caller may see it, with their rights on it; 404 otherwise (never confirm it exists). */
  async visible(em: EntityManager, caller: Caller, id: string): Promise<{ event: Event; rights: EventRights }> {
    const event = await readEvent(em, id);
    if (!event) throw notFound('event');
    const rights = await this.eventAccess.rights(em, caller, event);
    if (!rights.see) throw notFound('event');
    return { event, rights };
  }

  /** As `visible`, and 403 unless the caller manages it. */
  async managed(em: EntityManager, caller: Caller, id: string): Promise<Event> {
    const { event, rights } = await this.visible(em, caller, id);
    if (!rights.manage) throw forbidden('Only the organisers of this event’s hosts may do this.');
    return event;
  }

  async get(caller: Caller, id: string): Promise<EventView> {
    const { event, rights } = await this.visible(this.db.manager, caller, id);
    return this.view(this.db.manager, caller, event, rights);
  }

  /** The caller's own live signups to an event (a member's), which also make them an attendee. */
  private async ownSignups(em: EntityManager, caller: Caller, eventId: string): Promise<{ id: string; status: EventView['viewer']['signups'][number]['status']; shift_id: string | null }[]> {
    const memberIds = caller.user?.memberIds ?? [];
    if (!memberIds.length) return [];
    return em.query(`SELECT id, status, shift_id FROM event_signups WHERE event_id = $1 AND member_id = ANY($2::uuid[]) AND status <> 'cancelled' ORDER BY seq`, [eventId, memberIds]);
  }

  async view(em: EntityManager, caller: Caller, event: Event, rights: EventRights): Promise<EventView> {
    const mine = await this.ownSignups(em, caller, event.id);
    // Attendees are those holding a seat; the waiting list sees a public address only.
    const attendee = mine.some((s) => s.status === 'going' || s.status === 'attended');
    const showLocation = event.addressVisibility === 'public' || rights.handleSignups || attendee;
    const [refs] = await em.query<{ host: OrganisationRef | null; coalition: EventView['coalition']; campaign: EventView['campaign']; co_hosts: OrganisationRef[] }[]>(
      `SELECT
         (SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'shortName', o.short_name) FROM organisations o WHERE o.id = $2) AS host,
         (SELECT json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) FROM coalitions c WHERE c.id = $3) AS coalition,
         (SELECT json_build_object('id', k.id, 'title', k.title) FROM campaigns k WHERE k.id = $4) AS campaign,
         coalesce((SELECT json_agg(json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'shortName', o.short_name) ORDER BY o.name)
                     FROM event_hosts h JOIN organisations o ON o.id = h.organisation_id WHERE h.event_id = $1), '[]') AS co_hosts`,
      [event.id, event.hostOrganisationId, event.coalitionId, event.campaignId],
    );
    const now = Date.now();
    return {
      id: event.id,
      title: event.title,
      description: event.description,
      kind: event.kind,
      status: event.status,
      visibility: event.visibility,
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      timezone: event.timezone,
      hostOrganisationId: event.hostOrganisationId,
      coalitionId: event.coalitionId,
      campaignId: event.campaignId,
      hostOrganisation: refs.host,
      coalition: refs.coalition,
      coHosts: refs.co_hosts,
      campaign: refs.campaign,
      venue: event.venue,
      address: showLocation ? event.address : null,
      locality: event.locality,
      region: event.region,
      country: event.country,
      lat: showLocation ? event.lat : null,
      lng: showLocation ? event.lng : null,
      onlineUrl: showLocation ? event.onlineUrl : null,
      addressVisibility: event.addressVisibility,
      locationHidden: !showLocation,
      capacity: event.capacity,
      goingCount: event.goingCount,
      spotsLeft: event.capacity === null ? null : Math.max(0, event.capacity - event.goingCount),
      signupDeadline: event.signupDeadline,
      signupsOpen: event.status === 'published' && (event.signupDeadline ?? event.endsAt).getTime() > now,
      cancelReason: event.cancelReason,
      publishedAt: event.publishedAt,
      cancelledAt: event.cancelledAt,
      revision: event.revision,
      createdAt: event.createdAt,
      updatedAt: event.updatedAt,
      demands: await this.linked.read(em, caller, 'event_demands', 'event_id', event.id),
      viewer: { canManage: rights.manage, canHandleSignups: rights.handleSignups, signups: mine.map((s) => ({ id: s.id, status: s.status, shiftId: s.shift_id })) },
    };
  }

  /** An organisation or coalition filter value (id or slug) to its id; null when there is none such. */
  private async resolveId(table: 'organisations' | 'coalitions', value: string): Promise<string | null> {
    const byId = UUID_PATTERN.test(value);
    const [row] = await this.db.query<{ id: string }[]>(`SELECT id FROM ${table} WHERE ${byId ? 'id = $1::uuid' : 'slug = $1'}`, [byId ? value : value.toLowerCase()]);
    return row?.id ?? null;
  }

  /**
   * Lists events the caller may see, in start order, keyset-paginated. The
   * anonymous first page is a hot path: one indexed query
   * (ix_events_listing), only the summary columns, no entity hydration.
   */
  async list(caller: Caller, q: EventQueryDto): Promise<Page<EventSummary>> {
    const p = new SqlParams();
    const visible = await this.eventAccess.visibleFilter(caller);
    const location = await this.locationShownSql(caller);
    const shown = bindNamed(location.sql, location.params, p);
    const where = [bindNamed(visible.sql, visible.params, p), `e.status = ${p.add(q.status ?? 'published')}`, `e.starts_at >= ${p.add(q.from ? new Date(q.from) : new Date())}`];
    if (q.to) where.push(`e.starts_at < ${p.add(new Date(q.to))}`);
    if (q.organisation) {
      const orgId = await this.resolveId('organisations', q.organisation);
      const orgs = p.add(orgId ? await this.access.descendants([orgId]) : []);
      where.push(`(e.host_organisation_id = ANY(${orgs}::uuid[]) OR EXISTS (SELECT 1 FROM event_hosts fh WHERE fh.event_id = e.id AND fh.organisation_id = ANY(${orgs}::uuid[])))`);
    }
    if (q.coalition) where.push(`e.coalition_id = ${p.add(await this.resolveId('coalitions', q.coalition))}`);
    if (q.campaign) where.push(`e.campaign_id = ${p.add(q.campaign)}`);
    if (q.region) where.push(`e.region = ${p.add(q.region)}`);
    if (q.kind) where.push(`e.kind = ${p.add(q.kind)}`);
    const after = decodeCursor<[string, string]>(q.cursor);
    if (after) {
      const at = new Date(after[0]);
      if (Number.isNaN(at.getTime()) || !UUID_PATTERN.test(after[1])) throw badRequest('invalid-cursor', 'The cursor is not one this API issued.', [{ field: 'cursor', message: 'cursor is not valid' }]);
      where.push(`(e.starts_at, e.id) > (${p.add(at)}, ${p.add(after[1])}::uuid)`);
    }
    // Plain SQL (no query builder, no entities): the anonymous first page is the busiest query of a mobilisation day.
    const rows = await poolQuery<SummaryRow>(
      this.db,
      `SELECT ${SUMMARY_COLUMNS},
              CASE WHEN ${shown} THEN e.address END AS address, CASE WHEN ${shown} THEN e.lat END AS lat,
              CASE WHEN ${shown} THEN e.lng END AS lng, CASE WHEN ${shown} THEN e.online_url END AS online_url,
              NOT (${shown}) AS location_hidden
         FROM events e
        WHERE ${where.join(' AND ')}
        ORDER BY e.starts_at, e.id
        LIMIT ${q.limit + 1}`,
      p.values,
    );
    return toPage(rows, q.limit, summaryKey, summaryFromRow);
  }

  /** When an event's location is shown to the caller, as SQL over `e`: public addresses; for attendees and those who run it, all. */
  private async locationShownSql(caller: Caller): Promise<{ sql: string; params: Record<string, unknown> }> {
    if (!caller.user) return { sql: `e.address_visibility = 'public'`, params: {} };
    const runs = await this.eventAccess.runsFilter(caller);
    const memberIds = caller.user.memberIds;
    const attendee = memberIds.length
      ? ` OR EXISTS (SELECT 1 FROM event_signups ls WHERE ls.event_id = e.id AND ls.member_id = ANY(:lMembers) AND ls.status IN ('going','attended'))`
      : '';
    return { sql: `(e.address_visibility = 'public' OR ${runs.sql}${attendee})`, params: { ...runs.params, ...(memberIds.length ? { lMembers: memberIds } : {}) } };
  }

  // ---------------------------------------------------------------- writing

  private parseTimes(startsAt: Date, endsAt: Date, signupDeadline: Date | null): void {
    if (endsAt.getTime() <= startsAt.getTime()) throw badRequest('invalid-times', 'The event must end after it starts.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    if (signupDeadline && signupDeadline.getTime() > endsAt.getTime()) {
      throw badRequest('invalid-times', 'Signups cannot close after the event ends.', [{ field: 'signupDeadline', message: 'signupDeadline must not be after endsAt' }]);
    }
  }

  /** Co-hosts must be organisations of this platform, other than the host. */
  private async checkCoHosts(em: EntityManager, ids: string[], hostId: string | null): Promise<void> {
    if (!ids.length) return;
    if (hostId && ids.includes(hostId)) throw badRequest('invalid-co-host', 'The host organisation cannot also be a co-host.', [{ field: 'coHostOrganisationIds', message: 'contains the host organisation' }]);
    const found = await em.query<{ id: string; external: boolean }[]>('SELECT id, external FROM organisations WHERE id = ANY($1::uuid[])', [ids]);
    if (found.length !== ids.length) throw badRequest('unknown-organisation', 'A co-host organisation does not exist.', [{ field: 'coHostOrganisationIds', message: 'unknown organisation' }]);
    if (found.some((o) => o.external)) throw badRequest('external-organisation', 'An external organisation cannot co-host events here.', [{ field: 'coHostOrganisationIds', message: 'external organisation' }]);
  }

  /** The campaign must be one the caller can see and still open. */
  private async checkCampaign(em: EntityManager, caller: Caller, campaignId: string | null | undefined): Promise<void> {
    if (!campaignId) return;
    const campaign = await this.campaigns.findVisible(em, caller, campaignId);
    if (!campaign) throw badRequest('unknown-campaign', 'There is no such campaign.', [{ field: 'campaignId', message: 'unknown campaign' }]);
    if (campaign.status === 'closed') throw conflict('campaign-closed', 'This campaign is closed: it takes no new events.');
  }

  private async setCoHosts(em: EntityManager, eventId: string, ids: string[]): Promise<void> {
    await em.query('DELETE FROM event_hosts WHERE event_id = $1 AND NOT (organisation_id = ANY($2::uuid[]))', [eventId, ids]);
    if (ids.length) await em.query('INSERT INTO event_hosts (event_id, organisation_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [eventId, ids]);
  }

  async create(caller: Caller, dto: CreateEventDto): Promise<EventView> {
    if (!dto.hostOrganisationId === !dto.coalitionId) {
      throw badRequest('invalid-host', 'Give exactly one of hostOrganisationId and coalitionId.', [{ field: 'hostOrganisationId', message: 'exactly one of hostOrganisationId, coalitionId is required' }]);
    }
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    const signupDeadline = dto.signupDeadline ? new Date(dto.signupDeadline) : null;
    this.parseTimes(startsAt, endsAt, signupDeadline);
    const coHosts = dto.coHostOrganisationIds ?? [];
    const demandIds = dto.demandIds ?? [];
    const event = await this.db.transaction(async (em) => {
      if (dto.hostOrganisationId) {
        const [org] = await em.query<{ external: boolean }[]>('SELECT external FROM organisations WHERE id = $1', [dto.hostOrganisationId]);
        if (!org) throw badRequest('unknown-organisation', 'The host organisation does not exist.', [{ field: 'hostOrganisationId', message: 'unknown organisation' }]);
        if (org.external) throw badRequest('external-organisation', 'An external organisation cannot host events here.', [{ field: 'hostOrganisationId', message: 'external organisation' }]);
        if (!(await this.access.canOnOrganisation(caller, 'event.manage', dto.hostOrganisationId))) throw forbidden('You may only create events for organisations you organise.');
      } else {
        const [c] = await em.query<{ id: string }[]>('SELECT id FROM coalitions WHERE id = $1', [dto.coalitionId]);
        if (!c) throw badRequest('unknown-coalition', 'The coalition does not exist.', [{ field: 'coalitionId', message: 'unknown coalition' }]);
        if (!this.access.canOnCoalition(caller, 'event.manage', dto.coalitionId!)) throw forbidden('Only the coalition’s coordinators create coalition events.');
      }
      await this.checkCoHosts(em, coHosts, dto.hostOrganisationId ?? null);
      await this.checkCampaign(em, caller, dto.campaignId);
      await this.linked.check(em, caller, demandIds);
      const saved = await em.save(
        Event,
        em.create(Event, {
          hostOrganisationId: dto.hostOrganisationId ?? null,
          coalitionId: dto.coalitionId ?? null,
          campaignId: dto.campaignId ?? null,
          title: dto.title,
          description: dto.description ?? null,
          kind: dto.kind,
          visibility: dto.visibility ?? 'public',
          startsAt,
          endsAt,
          timezone: canonicalTimeZone(dto.timezone ?? DEFAULT_TIMEZONE),
          venue: dto.venue ?? null,
          address: dto.address ?? null,
          locality: dto.locality ?? null,
          region: dto.region ?? null,
          country: dto.country ?? 'PE',
          lat: dto.lat ?? null,
          lng: dto.lng ?? null,
          addressVisibility: dto.addressVisibility ?? 'public',
          onlineUrl: dto.onlineUrl ?? null,
          capacity: dto.capacity ?? null,
          signupDeadline,
          createdBy: caller.user?.id ?? null,
        }),
      );
      await this.setCoHosts(em, saved.id, coHosts);
      await this.linked.replace(em, 'event_demands', 'event_id', saved.id, demandIds);
      await this.changes.publish(em, caller, {
        action: 'event.create',
        entity: 'event',
        entityId: saved.id,
        organisationId: saved.hostOrganisationId,
        coalitionId: saved.coalitionId,
        changes: {
          ...diff(null, saved, FIELDS),
          ...(coHosts.length ? { coHostOrganisationIds: { from: null, to: coHosts } } : {}),
          ...(demandIds.length ? { demandIds: { from: null, to: demandIds } } : {}),
        },
      });
      return saved;
    });
    return this.get(caller, event.id);
  }

  async update(caller: Caller, id: string, dto: UpdateEventDto): Promise<EventView> {
    for (const field of REQUIRED_FIELDS) {
      if (dto[field] === null) throw badRequest('validation-failed', `${field} cannot be null.`, [{ field, message: `${field} cannot be null` }]);
    }
    await this.db.transaction(async (em) => {
      await this.managed(em, caller, id);
      // From here on, this transaction owns the event's seats (see SeatsService).
      const before = await this.seats.lockEvent(em, id);
      if (before.status === 'cancelled' || before.status === 'completed') throw conflict('event-closed', `This event is ${before.status}; it can no longer be edited.`);
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
      if (dto.campaignId !== undefined && dto.campaignId !== before.campaignId) await this.checkCampaign(em, caller, dto.campaignId);
      const changes: Record<string, { from: unknown; to: unknown }> = diff(before, after, FIELDS);
      if (demandIds !== undefined) {
        await this.linked.check(em, caller, demandIds);
        const previous = await this.linked.replace(em, 'event_demands', 'event_id', id, demandIds);
        if (previous.length !== demandIds.length || previous.some((x) => !demandIds.includes(x))) changes.demandIds = { from: previous, to: demandIds };
      }
      if (coHostOrganisationIds !== undefined) {
        const current = await this.eventAccess.coHostIds(em, id);
        const same = current.length === coHostOrganisationIds.length && current.every((x) => coHostOrganisationIds.includes(x));
        if (!same) {
          // Co-hosts gain management of the event: only the host's own organisers choose them.
          if (!this.access.isPlatformAdmin(caller) && !(await this.eventAccess.isPrimaryManager(caller, before))) throw forbidden('Only the host’s organisers choose the co-hosts.');
          await this.checkCoHosts(em, coHostOrganisationIds, before.hostOrganisationId);
          await this.setCoHosts(em, id, coHostOrganisationIds);
          changes.coHostOrganisationIds = { from: current, to: coHostOrganisationIds };
        }
      }
      if (!Object.keys(changes).length) return;
      const noticed = before.status === 'published' && NOTIFY_FIELDS.some((f) => f in changes);
      if (noticed) after.revision = before.revision + 1;
      await em.update(Event, { id }, {
        campaignId: after.campaignId,
        title: after.title,
        description: after.description,
        kind: after.kind,
        visibility: after.visibility,
        startsAt: after.startsAt,
        endsAt: after.endsAt,
        timezone: after.timezone,
        venue: after.venue,
        address: after.address,
        locality: after.locality,
        region: after.region,
        country: after.country,
        lat: after.lat,
        lng: after.lng,
        addressVisibility: after.addressVisibility,
        onlineUrl: after.onlineUrl,
        capacity: after.capacity,
        signupDeadline: after.signupDeadline,
        revision: after.revision,
      });
      await this.changes.publish(em, caller, { action: 'event.update', entity: 'event', entityId: id, organisationId: before.hostOrganisationId, coalitionId: before.coalitionId, changes });
      if (noticed) await this.notices.changed(em, after);
      // More seats (or no limit any more): the waiting list moves up now, in this transaction.
      if (after.capacity === null || (before.capacity !== null && after.capacity > before.capacity)) await this.seats.promote(em, caller, after, null);
    });
    return this.get(caller, id);
  }

  async publish(caller: Caller, id: string): Promise<EventView> {
    await this.db.transaction(async (em) => {
      await this.managed(em, caller, id);
      const event = await this.seats.lockEvent(em, id);
      if (event.status === 'published') return;
      if (event.status !== 'draft') throw conflict('not-a-draft', `This event is ${event.status}; only drafts can be published.`);
      if (event.endsAt.getTime() <= Date.now()) throw conflict('event-over', 'This event has already ended.');
      await em.update(Event, { id }, { status: 'published', publishedAt: new Date() });
      await this.changes.publish(em, caller, { action: 'event.publish', entity: 'event', entityId: id, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes: { status: { from: 'draft', to: 'published' } } });
    });
    return this.get(caller, id);
  }

  /** Cancels the event and tells everyone signed up (going or waiting), in the same transaction. */
  async cancel(caller: Caller, id: string, dto: CancelEventDto): Promise<EventView> {
    await this.db.transaction(async (em) => {
      await this.managed(em, caller, id);
      const event = await this.seats.lockEvent(em, id);
      if (event.status === 'cancelled' || event.status === 'completed') throw conflict('event-closed', `This event is already ${event.status}.`);
      const cancelledAt = new Date();
      await em.update(Event, { id }, { status: 'cancelled', cancelReason: dto.reason, cancelledAt });
      await this.changes.publish(em, caller, {
        action: 'event.cancel',
        entity: 'event',
        entityId: id,
        organisationId: event.hostOrganisationId,
        coalitionId: event.coalitionId,
        changes: { status: { from: event.status, to: 'cancelled' }, cancelReason: { from: null, to: dto.reason } },
      });
      await this.notices.cancelled(em, { ...event, cancelReason: dto.reason });
    });
    return this.get(caller, id);
  }

  /** Marks a published event that has started as completed (it then takes no signups or edits). */
  async complete(caller: Caller, id: string): Promise<EventView> {
    await this.db.transaction(async (em) => {
      await this.managed(em, caller, id);
      const event = await this.seats.lockEvent(em, id);
      if (event.status === 'completed') return;
      if (event.status !== 'published') throw conflict('not-published', `This event is ${event.status}; only a published event can be completed.`);
      if (event.startsAt.getTime() > Date.now()) throw conflict('not-started', 'This event has not started yet.');
      await em.update(Event, { id }, { status: 'completed' });
      await this.changes.publish(em, caller, { action: 'event.complete', entity: 'event', entityId: id, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes: { status: { from: 'published', to: 'completed' } } });
    });
    return this.get(caller, id);
  }

  // ---------------------------------------------------------------- shifts

  async shifts(caller: Caller, eventId: string): Promise<ShiftView[]> {
    await this.visible(this.db.manager, caller, eventId);
    const rows = await this.db.getRepository(EventShift).find({ where: { eventId }, order: { startsAt: 'ASC', name: 'ASC' } });
    return rows.map(shiftView);
  }

  async createShift(caller: Caller, eventId: string, dto: CreateShiftDto): Promise<ShiftView> {
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt.getTime() <= startsAt.getTime()) throw badRequest('invalid-times', 'The shift must end after it starts.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
    return this.db.transaction(async (em) => {
      await this.managed(em, caller, eventId);
      const event = await this.seats.lockEvent(em, eventId);
      if (event.status === 'cancelled' || event.status === 'completed') throw conflict('event-closed', `This event is ${event.status}.`);
      const shift = await em.save(EventShift, em.create(EventShift, { eventId, name: dto.name, description: dto.description ?? null, startsAt, endsAt, capacity: dto.capacity ?? null }));
      await this.changes.publish(em, caller, { action: 'event_shift.create', entity: 'event_shift', entityId: shift.id, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes: diff(null, shift, SHIFT_FIELDS) });
      return shiftView(shift);
    });
  }

  async updateShift(caller: Caller, eventId: string, shiftId: string, dto: UpdateShiftDto): Promise<ShiftView> {
    for (const field of ['name', 'startsAt', 'endsAt'] as const) {
      if (dto[field] === null) throw badRequest('validation-failed', `${field} cannot be null.`, [{ field, message: `${field} cannot be null` }]);
    }
    return this.db.transaction(async (em) => {
      await this.managed(em, caller, eventId);
      const event = await this.seats.lockEvent(em, eventId);
      const before = await this.seats.lockShift(em, eventId, shiftId);
      if (!before) throw notFound('shift');
      if (event.status === 'cancelled' || event.status === 'completed') throw conflict('event-closed', `This event is ${event.status}.`);
      const after: EventShift = {
        ...before,
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.description !== undefined ? { description: dto.description } : {}),
        ...(dto.startsAt !== undefined ? { startsAt: new Date(dto.startsAt) } : {}),
        ...(dto.endsAt !== undefined ? { endsAt: new Date(dto.endsAt) } : {}),
        ...(dto.capacity !== undefined ? { capacity: dto.capacity } : {}),
      };
      if (after.endsAt.getTime() <= after.startsAt.getTime()) throw badRequest('invalid-times', 'The shift must end after it starts.', [{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
      if (after.capacity !== null && after.capacity < before.goingCount) throw conflict('capacity-below-seats', `${before.goingCount} people already hold this shift; the capacity cannot go below that.`);
      const changes = diff(before, after, SHIFT_FIELDS);
      if (!Object.keys(changes).length) return shiftView(before);
      await em.update(EventShift, { id: shiftId }, { name: after.name, description: after.description, startsAt: after.startsAt, endsAt: after.endsAt, capacity: after.capacity });
      await this.changes.publish(em, caller, { action: 'event_shift.update', entity: 'event_shift', entityId: shiftId, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes });
      if (after.capacity === null || (before.capacity !== null && after.capacity > before.capacity)) await this.seats.promote(em, caller, event, shiftId);
      return shiftView((await em.findOne(EventShift, { where: { id: shiftId } }))!);
    });
  }

  // ---------------------------------------------------------------- per-event hosts

  async hosts(caller: Caller, eventId: string): Promise<EventHostView[]> {
    await this.managed(this.db.manager, caller, eventId);
    const rows = await this.db.query<{ user_id: string; role: string; granted_by: string | null; created_at: Date }[]>(
      'SELECT user_id, role, granted_by, created_at FROM event_roles WHERE event_id = $1 ORDER BY created_at, id',
      [eventId],
    );
    return rows.map((r) => ({ eventId, userId: r.user_id, role: r.role, grantedBy: r.granted_by, createdAt: r.created_at }));
  }

  /** Makes a user a host of this one event (signups and check-in only). Idempotent. */
  async grantHost(caller: Caller, eventId: string, userId: string): Promise<EventHostView> {
    return this.db.transaction(async (em) => {
      const event = await this.managed(em, caller, eventId);
      const [user] = await em.query<{ id: string }[]>('SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL', [userId]);
      if (!user) throw badRequest('unknown-user', 'There is no such user.', [{ field: 'userId', message: 'unknown user' }]);
      const inserted = await em.query<{ created_at: Date; granted_by: string | null }[]>(
        `INSERT INTO event_roles (event_id, user_id, role, granted_by) VALUES ($1, $2, 'host', $3)
         ON CONFLICT (event_id, user_id, role) DO NOTHING RETURNING created_at, granted_by`,
        [eventId, userId, caller.user?.id ?? null],
      );
      if (inserted.length) {
        await this.changes.publish(em, caller, { action: 'event_role.grant', entity: 'event', entityId: eventId, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes: { host: { from: null, to: userId } } });
        return { eventId, userId, role: 'host', grantedBy: inserted[0].granted_by, createdAt: inserted[0].created_at };
      }
      const [existing] = await em.query<{ created_at: Date; granted_by: string | null }[]>(`SELECT created_at, granted_by FROM event_roles WHERE event_id = $1 AND user_id = $2 AND role = 'host'`, [eventId, userId]);
      return { eventId, userId, role: 'host', grantedBy: existing.granted_by, createdAt: existing.created_at };
    });
  }

  async revokeHost(caller: Caller, eventId: string, userId: string): Promise<void> {
    await this.db.transaction(async (em) => {
      const event = await this.managed(em, caller, eventId);
      const rows = await returningRows<{ id: string }>(em, `DELETE FROM event_roles WHERE event_id = $1 AND user_id = $2 AND role = 'host' RETURNING id`, [eventId, userId]);
      if (!rows.length) throw notFound('event host');
      await this.changes.publish(em, caller, { action: 'event_role.revoke', entity: 'event', entityId: eventId, organisationId: event.hostOrganisationId, coalitionId: event.coalitionId, changes: { host: { from: userId, to: null } } });
    });
  }
}
