import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

import { UUID_PATTERN } from '../common/dto-fields';
import { byIdReader, poolQuery, returningRows, rowsReader, SqlParams } from '../common/sql';
import type { Tx } from '../database/transactions';
import { EVENT_FIELDS, SUMMARY_FIELDS, type EventFieldSpec } from './event-fields';
import { EventShift } from './event-shift.entity';
import type { SignupStatus } from './event-signup.entity';
import { Event } from './event.entity';
import type { EventRefs, SummaryRow, ViewerSignupRow } from './events.views';

/**
 * Who is looking at events, as the visibility rule needs it (EventAccess
 * makes it from the caller's roles): anonymous, a platform admin, or a user
 * with the scopes where they hold event.manage and the organisations they
 * are an active member of.
 */
export type VisibilityScope =
  { kind: 'anonymous' } | { kind: 'admin'; userId: string } | { kind: 'user'; userId: string; manageOrgIds: string[]; manageCoalitionIds: string[]; memberOrgIds: string[] };

/** What one may do with an event, beyond seeing it. */
export type EventAction = 'see' | 'manage' | 'handleSignups';

/** An event with what the viewer may do with it (EventAccess.read). */
export interface EventWithRights {
  event: Event;
  see: boolean;
  manage: boolean;
  handleSignups: boolean;
}

/** The list's filters, already resolved (organisations with their descendants). */
export interface EventListFilter {
  status: Event['status'];
  from: Date;
  to?: Date;
  /** Host or co-host among these; an empty list matches nothing. */
  organisationIds?: string[];
  /** The coalition (null: an unknown one, which matches nothing). */
  coalitionId?: string | null;
  campaignId?: string;
  region?: string;
  kind?: Event['kind'];
  /** Within `radiusM` metres (great circle) of the point; only events with coordinates the viewer may see. */
  near?: { lat: number; lng: number; radiusM: number };
  /** With the organisation or coalition filter: also the public events they promote (a live promotion, issue 22), marked with the promoter. */
  includePromoted?: boolean;
  after?: [string, string];
  limit: number;
}

/** The list's organisation and coalition filters (HostFilters): who hosts, or promotes. */
type HostFilter = Pick<EventListFilter, 'organisationIds' | 'coalitionId' | 'includePromoted'>;

/** A row of a public calendar feed. */
export interface FeedRow {
  id: string;
  title: string;
  description: string | null;
  status: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  venue: string | null;
  address: string | null;
  locality: string | null;
  region: string | null;
  country: string;
  lat: number | null;
  lng: number | null;
  online_url: string | null;
  address_visibility: string;
  revision: number;
  updated_at: Date;
  created_at: Date;
  /** Listed because the feed's organisation or coalition promotes it (issue 22): the promoter's name and its ref; null for its own events. */
  promoted_by: string | null;
  promotion_ref: string | null;
}

/** A signup of the caller's, with its event's list row (GET /me/signups). */
export type OwnSignupRow = SummaryRow & {
  signup_id: string;
  signup_status: SignupStatus;
  shift_id: string | null;
  shift_name: string | null;
  signup_created_at: Date;
  checked_in_at: Date | null;
  seq: string;
};

export interface EventRoleRow {
  user_id: string;
  role: string;
  granted_by: string | null;
  created_at: Date;
}

/** An event by id, as `findOne` reads it (read before every signup and every event page). */
const readEvent = byIdReader(Event);
const readShifts = rowsReader(EventShift, 'eventId', ['startsAt', 'name']);

/** Drafts (never published) are for those who run the event only. */
const PUBLISHED = `(e.published_at IS NOT NULL AND e.status <> 'draft')`;

/**
 * The events, event_hosts, event_roles and event_shifts tables — and the
 * one statement of who may see, manage and handle the signups of an event
 * (`visibleSql`, `managesSql`, `runsSql`): single reads and lists use the
 * same predicates.
 */
@Injectable()
export class EventsRepository {
  private plan: { sql: (p: SqlParams, viewer: VisibilityScope, id: string) => string; columns: ColumnMetadata[]; create: () => Event } | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---------------------------------------------------------------- who may see and do what (SQL over events `e`)

  /**
   * May the viewer see the event: published and public; members-only for
   * active members of the host, a co-host or (coalition events) an active
   * partner; anything for those who run it. The viewer's scopes are
   * parameters, so one with none gets the public part only, never everything.
   */
  private visibleSql(p: SqlParams, v: VisibilityScope): string {
    if (v.kind === 'anonymous') return `(${PUBLISHED} AND e.visibility = 'public')`;
    if (v.kind === 'admin') return 'TRUE';
    const orgs = v.memberOrgIds.length ? p.add(v.memberOrgIds) : null;
    const members = orgs
      ? ` OR (e.visibility = 'members' AND (e.host_organisation_id = ANY(${orgs})
             OR EXISTS (SELECT 1 FROM event_hosts vh WHERE vh.event_id = e.id AND vh.organisation_id = ANY(${orgs}))
             OR EXISTS (SELECT 1 FROM coalition_partners vp WHERE vp.coalition_id = e.coalition_id AND vp.status = 'active' AND vp.organisation_id = ANY(${orgs}))))`
      : '';
    return `((${PUBLISHED} AND (e.visibility = 'public'${members})) OR ${this.runsSql(p, v)})`;
  }

  /** Full management: organisers of the host organisation (or an ancestor) or of a co-host, coordinators of the host coalition, platform admins. */
  private managesSql(p: SqlParams, v: VisibilityScope): string {
    if (v.kind === 'anonymous') return 'FALSE';
    if (v.kind === 'admin') return 'TRUE';
    const orgs = p.add(v.manageOrgIds);
    return `(e.host_organisation_id = ANY(${orgs}) OR e.coalition_id = ANY(${p.add(v.manageCoalitionIds)})
             OR EXISTS (SELECT 1 FROM event_hosts mh WHERE mh.event_id = e.id AND mh.organisation_id = ANY(${orgs})))`;
  }

  /** Events the viewer runs: manages, or hosts per event (event_roles: signups and check-in). */
  private runsSql(p: SqlParams, v: VisibilityScope): string {
    if (v.kind !== 'user') return this.managesSql(p, v);
    return `(${this.managesSql(p, v)} OR EXISTS (SELECT 1 FROM event_roles mr WHERE mr.event_id = e.id AND mr.user_id = ${p.add(v.userId)}))`;
  }

  private actionSql(p: SqlParams, v: VisibilityScope, action: EventAction): string {
    return action === 'see' ? this.visibleSql(p, v) : action === 'manage' ? this.managesSql(p, v) : this.runsSql(p, v);
  }

  /** Of `ids`, those the viewer may `action`. */
  async allowedIds(viewer: VisibilityScope, action: EventAction, ids: readonly string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const p = new SqlParams();
    const rows = await this.db.query<{ id: string }[]>(`SELECT e.id FROM events e WHERE e.id = ANY(${p.add(ids)}::uuid[]) AND ${this.actionSql(p, viewer, action)}`, p.values);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * One event, hydrated as `findOne` reads it, with what the viewer may do
   * with it — one statement (the read before every event page and signup):
   * the predicates are columns of the row. Null when there is no such event.
   */
  async readWithRights(tx: Tx, viewer: VisibilityScope, id: string): Promise<EventWithRights | null> {
    const plan = this.readPlan();
    const p = new SqlParams();
    const row = (await tx.query<Record<string, unknown>[]>(plan.sql(p, viewer, id), p.values))[0];
    if (!row) return null;
    const event = plan.create();
    for (const c of plan.columns) c.setEntityValue(event, this.db.driver.prepareHydratedValue(row[c.databaseName], c));
    return { event, see: row.__see === true, manage: row.__manage === true, handleSignups: row.__runs === true };
  }

  private readPlan(): NonNullable<EventsRepository['plan']> {
    if (!this.plan) {
      const meta = this.db.getMetadata(Event);
      const columns = meta.columns.filter((c) => c.isSelect && !c.isVirtual);
      const list = columns.map((c) => `e."${c.databaseName}"`).join(', ');
      this.plan = {
        sql: (p, v, id) => {
          const key = p.add(id);
          return `SELECT ${list}, ${this.visibleSql(p, v)} AS "__see", ${this.managesSql(p, v)} AS "__manage", ${this.runsSql(p, v)} AS "__runs" FROM events e WHERE e.id = ${key}`;
        },
        columns,
        create: () => meta.create() as Event,
      };
    }
    return this.plan;
  }

  // ---------------------------------------------------------------- reading

  /** An event by id, as `findOne` reads it (plain SQL made once from the entity: the hot path's read). */
  byId(tx: Tx, id: string): Promise<Event | null> {
    return readEvent(tx, id);
  }

  async coHostIds(tx: Tx, eventId: string): Promise<string[]> {
    const rows = await tx.query<{ organisation_id: string }[]>('SELECT organisation_id FROM event_hosts WHERE event_id = $1', [eventId]);
    return rows.map((r) => r.organisation_id);
  }

  /** The host, coalition, campaign and co-hosts an event page names. */
  async refs(tx: Tx, event: Event): Promise<EventRefs> {
    const [refs] = await tx.query<EventRefs[]>(
      `SELECT
         (SELECT json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'shortName', o.short_name) FROM organisations o WHERE o.id = $2) AS host,
         (SELECT json_build_object('id', c.id, 'slug', c.slug, 'name', c.name) FROM coalitions c WHERE c.id = $3) AS coalition,
         (SELECT json_build_object('id', k.id, 'title', k.title) FROM campaigns k WHERE k.id = $4) AS campaign,
         coalesce((SELECT json_agg(json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'shortName', o.short_name) ORDER BY o.name)
                     FROM event_hosts h JOIN organisations o ON o.id = h.organisation_id WHERE h.event_id = $1), '[]') AS co_hosts`,
      [event.id, event.hostOrganisationId, event.coalitionId, event.campaignId],
    );
    return refs;
  }

  /** The live signups of these member records to an event, in arrival order. */
  ownSignups(tx: Tx, eventId: string, memberIds: string[]): Promise<ViewerSignupRow[]> {
    return tx.query(`SELECT id, status, shift_id FROM event_signups WHERE event_id = $1 AND member_id = ANY($2::uuid[]) AND status <> 'cancelled' ORDER BY seq`, [eventId, memberIds]);
  }

  /** An organisation or coalition (id or slug) to its id and name; null when there is none such. */
  async findByIdOrSlug(table: 'organisations' | 'coalitions', value: string): Promise<{ id: string; name: string } | null> {
    const byId = UUID_PATTERN.test(value);
    const [row] = await this.db.query<{ id: string; name: string }[]>(`SELECT id, name FROM ${table} WHERE ${byId ? 'id = $1::uuid' : 'slug = $1'}`, [value.toLowerCase()]);
    return row ?? null;
  }

  /** The list row's columns over `e`: the location's only where `shown` (SQL) holds (EVENT_FIELDS). */
  private summaryColumns(shown: string, hidden: string): string {
    return SUMMARY_FIELDS.map((f) => {
      const spec: EventFieldSpec = EVENT_FIELDS[f];
      if (spec.computed) return `${hidden} AS ${spec.column}`;
      return spec.location && shown !== 'TRUE' ? `CASE WHEN ${shown} THEN e.${spec.column} END AS ${spec.column}` : `e.${spec.column}`;
    }).join(', ');
  }

  /** When an event's location is shown to the viewer, as SQL over `e`: public addresses; for attendees and those who run it, all. */
  private locationShownSql(p: SqlParams, v: VisibilityScope, memberIds: string[]): string {
    if (v.kind === 'anonymous') return `e.address_visibility = 'public'`;
    const attendee = memberIds.length ? ` OR EXISTS (SELECT 1 FROM event_signups ls WHERE ls.event_id = e.id AND ls.member_id = ANY(${p.add(memberIds)}) AND ls.status IN ('going','attended'))` : '';
    return `(e.address_visibility = 'public' OR ${this.runsSql(p, v)}${attendee})`;
  }

  /**
   * The organisation filter (events hosted or co-hosted among these
   * organisations) and the coalition filter (its own events) as SQL over
   * `e`; with `includePromoted`, each also takes the public events that it
   * promotes (a live promotion, issue 22), and `promoter` is then the name
   * and ref of the promoter a row is listed for (null for a row of its own).
   */
  private hostFilters(p: SqlParams, q: HostFilter): { where: string[]; promoter: { name: string; ref: string } | null } {
    const arms: { own: string; promotions: string }[] = [];
    if (q.organisationIds) {
      const orgs = p.add(q.organisationIds);
      arms.push({
        own: `(e.host_organisation_id = ANY(${orgs}::uuid[]) OR EXISTS (SELECT 1 FROM event_hosts fh WHERE fh.event_id = e.id AND fh.organisation_id = ANY(${orgs}::uuid[])))`,
        promotions: `FROM event_promotions fp JOIN organisations fo ON fo.id = fp.organisation_id WHERE fp.event_id = e.id AND fp.status = 'active' AND fp.organisation_id = ANY(${orgs}::uuid[])`,
      });
    }
    if (q.coalitionId !== undefined) {
      const coalition = `${p.add(q.coalitionId)}::uuid`;
      arms.push({
        own: `e.coalition_id = ${coalition}`,
        promotions: `FROM event_promotions fp JOIN coalitions fo ON fo.id = fp.coalition_id WHERE fp.event_id = e.id AND fp.status = 'active' AND fp.coalition_id = ${coalition}`,
      });
    }
    if (!q.includePromoted || !arms.length) return { where: arms.map((a) => a.own), promoter: null };
    const first = (column: string) => `coalesce(${arms.map((a) => `CASE WHEN (${a.own}) IS NOT TRUE THEN (SELECT ${column} ${a.promotions} ORDER BY fo.name, fp.id LIMIT 1) END`).join(', ')})`;
    return {
      where: arms.map((a) => `(${a.own} OR (e.visibility = 'public' AND EXISTS (SELECT 1 ${a.promotions})))`),
      promoter: { name: first('fo.name'), ref: first('fp.ref') },
    };
  }

  /**
   * Events the viewer may see, in start order, keyset-paginated. The
   * anonymous first page is a hot path: one indexed query
   * (ix_events_listing), only the summary columns, no entity hydration.
   */
  async list(viewer: VisibilityScope, memberIds: string[], q: EventListFilter): Promise<SummaryRow[]> {
    const p = new SqlParams();
    const shown = this.locationShownSql(p, viewer, memberIds);
    const where = [this.visibleSql(p, viewer), `e.status = ${p.add(q.status)}`, `e.starts_at >= ${p.add(q.from)}`];
    if (q.to) where.push(`e.starts_at < ${p.add(q.to)}`);
    const hosts = this.hostFilters(p, q);
    where.push(...hosts.where);
    if (q.campaignId) where.push(`e.campaign_id = ${p.add(q.campaignId)}`);
    if (q.region) where.push(`e.region = ${p.add(q.region)}`);
    if (q.kind) where.push(`e.kind = ${p.add(q.kind)}`);
    if (q.near) {
      const centre = `event_earth(${p.add(q.near.lat)}::float8, ${p.add(q.near.lng)}::float8)`;
      const radius = `${p.add(q.near.radiusM)}::float8`;
      // The box test is what the GiST index ix_events_earth answers (its expression and its WHERE,
      // repeated so that the planner may use it; event_earth is ll_to_earth safe for autovacuum: the
      // migration EventsNear); the distance then cuts the box to the circle. A location the viewer
      // may not see never matches: a radius search would give it away.
      where.push(
        `e.lat IS NOT NULL AND e.lng IS NOT NULL AND ${shown}
         AND earth_box(${centre}, ${radius}) @> event_earth(e.lat, e.lng)
         AND earth_distance(${centre}, event_earth(e.lat, e.lng)) <= ${radius}`,
      );
    }
    if (q.after) where.push(`(e.starts_at, e.id) > (${p.add(new Date(q.after[0]))}, ${p.add(q.after[1])}::uuid)`);
    // Plain SQL through the pool (no query builder, no entities): the anonymous first page is the busiest query of a mobilisation day.
    return poolQuery<SummaryRow>(
      this.db,
      `SELECT ${this.summaryColumns(shown, `NOT (${shown})`)}${hosts.promoter ? `, ${hosts.promoter.name} AS promoted_by, ${hosts.promoter.ref} AS promotion_ref` : ''}
         FROM events e
        WHERE ${where.join(' AND ')}
        ORDER BY e.starts_at, e.id
        LIMIT ${q.limit + 1}`,
      p.values,
    );
  }

  /** The distinct regions of the published events from `from` on that the viewer may see, among these hosts (at most 200). */
  async upcomingRegions(viewer: VisibilityScope, q: { from: Date } & HostFilter): Promise<string[]> {
    const p = new SqlParams();
    const where = [this.visibleSql(p, viewer), `e.status = 'published'`, `e.starts_at >= ${p.add(q.from)}`, 'e.region IS NOT NULL'];
    where.push(...this.hostFilters(p, q).where);
    const rows = await this.db.query<{ region: string }[]>(`SELECT DISTINCT e.region FROM events e WHERE ${where.join(' AND ')} ORDER BY 1 LIMIT 200`, p.values);
    return rows.map((r) => r.region);
  }

  /** The signups of these member records, newest first, each with its event's list row (the location as the signup's status allows). */
  ownSignupsPage(memberIds: string[], limit: number, afterSeq: string | null): Promise<OwnSignupRow[]> {
    const p = new SqlParams();
    const members = p.add(memberIds);
    const where = [`s.member_id = ANY(${members}::uuid[])`];
    if (afterSeq !== null) where.push(`s.seq < ${p.add(afterSeq)}`);
    return this.db.query<OwnSignupRow[]>(
      `SELECT s.id AS signup_id, s.status AS signup_status, s.shift_id, sh.name AS shift_name, s.created_at AS signup_created_at, s.checked_in_at, s.seq,
              ${this.summaryColumns('TRUE', `(e.address_visibility <> 'public' AND s.status NOT IN ('going','attended'))`)}
         FROM event_signups s JOIN events e ON e.id = s.event_id LEFT JOIN event_shifts sh ON sh.id = s.shift_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.seq DESC LIMIT ${p.add(limit)}`,
      p.values,
    );
  }

  /**
   * Published public events (cancelled and completed ones too) for a public
   * calendar feed, in start order: an organisation's or a coalition's own,
   * and those it promotes (issue 22), marked with the promoter.
   */
  feed(filter: { pastDays: number; max: number; organisationIds?: string[]; coalitionId?: string | null; campaignId?: string }): Promise<FeedRow[]> {
    const p = new SqlParams();
    const where = [
      `e.visibility = 'public' AND e.published_at IS NOT NULL AND e.status IN ('published','cancelled','completed')`,
      `e.starts_at >= now() - make_interval(days => ${p.add(filter.pastDays)})`,
    ];
    const hosts = this.hostFilters(p, { ...filter, includePromoted: true });
    where.push(...hosts.where);
    if (filter.campaignId) where.push(`e.campaign_id = ${p.add(filter.campaignId)}::uuid`);
    return this.db.query<FeedRow[]>(
      `SELECT e.id, e.title, e.description, e.status, e.starts_at, e.ends_at, e.timezone, e.venue, e.address, e.locality, e.region, e.country,
              e.lat, e.lng, e.online_url, e.address_visibility, e.revision, e.updated_at, e.created_at,
              ${hosts.promoter ? `${hosts.promoter.name} AS promoted_by, ${hosts.promoter.ref} AS promotion_ref` : 'NULL AS promoted_by, NULL AS promotion_ref'}
         FROM events e WHERE ${where.join(' AND ')} ORDER BY e.starts_at, e.id LIMIT ${p.add(filter.max)}`,
      p.values,
    );
  }

  /** A campaign's title, unless it is a draft (a feed's name). */
  async openCampaignTitle(campaignId: string): Promise<string | null> {
    const [k] = await this.db.query<{ title: string }[]>(`SELECT title FROM campaigns WHERE id = $1 AND status <> 'draft'`, [campaignId]);
    return k?.title ?? null;
  }

  // ---------------------------------------------------------------- checks made before writing

  async coalitionExists(tx: Tx, id: string): Promise<boolean> {
    const [c] = await tx.query<{ id: string }[]>('SELECT id FROM coalitions WHERE id = $1', [id]);
    return !!c;
  }

  async activeUserExists(tx: Tx, userId: string): Promise<boolean> {
    const [user] = await tx.query<{ id: string }[]>('SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL', [userId]);
    return !!user;
  }

  // ---------------------------------------------------------------- writing events

  insert(tx: Tx, values: Partial<Event>): Promise<Event> {
    return tx.save(Event, tx.create(Event, values));
  }

  async update(tx: Tx, id: string, values: Partial<Event>): Promise<void> {
    await tx.update(Event, { id }, values);
  }

  async setCoHosts(tx: Tx, eventId: string, ids: string[]): Promise<void> {
    await tx.query('DELETE FROM event_hosts WHERE event_id = $1 AND NOT (organisation_id = ANY($2::uuid[]))', [eventId, ids]);
    if (ids.length) await tx.query('INSERT INTO event_hosts (event_id, organisation_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [eventId, ids]);
  }

  // ---------------------------------------------------------------- shifts

  /** The demands this event pushes (event_demands), by id. */
  async demandIds(tx: Tx, eventId: string): Promise<string[]> {
    const rows = await tx.query<{ demand_id: string }[]>('SELECT demand_id FROM event_demands WHERE event_id = $1 ORDER BY demand_id', [eventId]);
    return rows.map((r) => r.demand_id);
  }

  /** Replaces the demands this event pushes; returns the previous ids (for the audit entry). */
  async replaceDemands(tx: Tx, eventId: string, ids: string[]): Promise<string[]> {
    const before = await this.demandIds(tx, eventId);
    await tx.query('DELETE FROM event_demands WHERE event_id = $1 AND NOT (demand_id = ANY($2::uuid[]))', [eventId, ids]);
    if (ids.length) await tx.query('INSERT INTO event_demands (event_id, demand_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING', [eventId, ids]);
    return before;
  }

  /** An event's shifts in start order, then by name (plain SQL made once: every event page reads them). */
  shifts(tx: Tx, eventId: string): Promise<EventShift[]> {
    return readShifts(tx, eventId);
  }

  insertShift(tx: Tx, values: Partial<EventShift>): Promise<EventShift> {
    return tx.save(EventShift, tx.create(EventShift, values));
  }

  async updateShift(tx: Tx, id: string, values: Partial<EventShift>): Promise<void> {
    await tx.update(EventShift, { id }, values);
  }

  shiftById(tx: Tx, id: string): Promise<EventShift | null> {
    return tx.findOne(EventShift, { where: { id } });
  }

  // ---------------------------------------------------------------- per-event hosts (event_roles)

  hostRoles(eventId: string): Promise<EventRoleRow[]> {
    return this.db.query<EventRoleRow[]>('SELECT user_id, role, granted_by, created_at FROM event_roles WHERE event_id = $1 ORDER BY created_at, id', [eventId]);
  }

  /** Makes the user a host of the event; null when they already were (nothing written). */
  async insertHost(tx: Tx, eventId: string, userId: string, grantedBy: string | null): Promise<{ created_at: Date; granted_by: string | null } | null> {
    const inserted = await tx.query<{ created_at: Date; granted_by: string | null }[]>(
      `INSERT INTO event_roles (event_id, user_id, role, granted_by) VALUES ($1, $2, 'host', $3)
       ON CONFLICT (event_id, user_id, role) DO NOTHING RETURNING created_at, granted_by`,
      [eventId, userId, grantedBy],
    );
    return inserted[0] ?? null;
  }

  async hostRole(tx: Tx, eventId: string, userId: string): Promise<{ created_at: Date; granted_by: string | null }> {
    const [existing] = await tx.query<{ created_at: Date; granted_by: string | null }[]>(`SELECT created_at, granted_by FROM event_roles WHERE event_id = $1 AND user_id = $2 AND role = 'host'`, [
      eventId,
      userId,
    ]);
    return existing;
  }

  /** Whether there was such a host to remove. */
  async deleteHost(tx: Tx, eventId: string, userId: string): Promise<boolean> {
    const rows = await returningRows<{ id: string }>(tx, `DELETE FROM event_roles WHERE event_id = $1 AND user_id = $2 AND role = 'host' RETURNING id`, [eventId, userId]);
    return rows.length > 0;
  }
}
