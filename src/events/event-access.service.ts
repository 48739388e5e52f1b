import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { Event } from './event.entity';

/** The columns access decisions are made from. */
export type EventAccessRow = Pick<Event, 'id' | 'hostOrganisationId' | 'coalitionId' | 'status' | 'visibility' | 'publishedAt'>;

/** What the caller may do with one event. */
export interface EventRights {
  /** Organisers of the host organisation (or an ancestor) or of a co-host, coordinators of the host coalition, platform admins. */
  manage: boolean;
  /** `manage`, or a per-event host (event_roles): signups and check-in of this event only. */
  handleSignups: boolean;
  /** May read the event at all (404 otherwise). */
  see: boolean;
}

/** A SQL predicate plus its named parameters, for list queries. */
export interface SqlFilter {
  sql: string;
  params: Record<string, unknown>;
}

/**
 * Who may see and who may manage an event: the object-level layer for every
 * events route (the guard only checked that the caller holds event.manage
 * somewhere, or is logged in). Everything here fails closed: an anonymous
 * caller or an unknown relation yields "no".
 */
@Injectable()
export class EventAccessService {
  constructor(private readonly access: AccessService) {}

  async coHostIds(em: EntityManager, eventId: string): Promise<string[]> {
    const rows = await em.query<{ organisation_id: string }[]>('SELECT organisation_id FROM event_hosts WHERE event_id = $1', [eventId]);
    return rows.map((r) => r.organisation_id);
  }

  /** Full management: edit, publish, cancel, shifts, hosts, signups. */
  async canManage(em: EntityManager, caller: Caller, event: EventAccessRow): Promise<boolean> {
    if (!caller.user) return false;
    if (this.access.isPlatformAdmin(caller)) return true;
    if (await this.isPrimaryManager(caller, event)) return true;
    for (const orgId of await this.coHostIds(em, event.id)) {
      if (await this.access.canOnOrganisation(caller, 'event.manage', orgId)) return true;
    }
    return false;
  }

  /** Managers through the host itself (not a co-host): they alone choose the co-hosts. */
  async isPrimaryManager(caller: Caller, event: Pick<Event, 'hostOrganisationId' | 'coalitionId'>): Promise<boolean> {
    if (event.hostOrganisationId) return this.access.canOnOrganisation(caller, 'event.manage', event.hostOrganisationId);
    if (event.coalitionId) return this.access.canOnCoalition(caller, 'event.manage', event.coalitionId);
    return false;
  }

  async isEventHost(em: EntityManager, caller: Caller, eventId: string): Promise<boolean> {
    if (!caller.user) return false;
    const rows = await em.query<unknown[]>(`SELECT 1 FROM event_roles WHERE event_id = $1 AND user_id = $2 AND role = 'host'`, [eventId, caller.user.id]);
    return rows.length > 0;
  }

  /**
   * Organisations whose active members count as "members of the hosts": the
   * host organisation and the co-hosts; for a coalition event, its active
   * partners too.
   */
  private async memberAudience(em: EntityManager, event: EventAccessRow): Promise<string[]> {
    const rows = await em.query<{ id: string }[]>(
      `SELECT $2::uuid AS id WHERE $2::uuid IS NOT NULL
       UNION SELECT organisation_id FROM event_hosts WHERE event_id = $1
       UNION SELECT organisation_id FROM coalition_partners WHERE coalition_id = $3::uuid AND status = 'active'`,
      [event.id, event.hostOrganisationId, event.coalitionId],
    );
    return rows.map((r) => r.id);
  }

  async rights(em: EntityManager, caller: Caller, event: EventAccessRow): Promise<EventRights> {
    const manage = await this.canManage(em, caller, event);
    const handleSignups = manage || (await this.isEventHost(em, caller, event.id));
    let see = handleSignups;
    // Drafts (never published) are for those who run the event only.
    if (!see && event.publishedAt && event.status !== 'draft') {
      if (event.visibility === 'public') see = true;
      else if (event.visibility === 'members' && caller.user) {
        const mine = await this.access.memberOrganisationIds(caller);
        if (mine.length) see = (await this.memberAudience(em, event)).some((id) => mine.includes(id));
      }
    }
    return { manage, handleSignups, see };
  }

  /**
   * The same decision as `rights().see`, as a SQL predicate over events
   * aliased `e`, for lists: the caller's scopes are parameters, so a caller
   * with none gets the public part only, never everything.
   */
  async visibleFilter(caller: Caller): Promise<SqlFilter> {
    const published = `(e.published_at IS NOT NULL AND e.status <> 'draft')`;
    if (!caller.user) return { sql: `(${published} AND e.visibility = 'public')`, params: {} };
    if (this.access.isPlatformAdmin(caller)) return { sql: 'TRUE', params: {} };
    const manage = await this.runsFilter(caller);
    const memberOrgIds = await this.access.memberOrganisationIds(caller);
    const members = memberOrgIds.length
      ? ` OR (e.visibility = 'members' AND (e.host_organisation_id = ANY(:vMemberOrgs)
             OR EXISTS (SELECT 1 FROM event_hosts vh WHERE vh.event_id = e.id AND vh.organisation_id = ANY(:vMemberOrgs))
             OR EXISTS (SELECT 1 FROM coalition_partners vp WHERE vp.coalition_id = e.coalition_id AND vp.status = 'active' AND vp.organisation_id = ANY(:vMemberOrgs))))`
      : '';
    return {
      sql: `((${published} AND (e.visibility = 'public'${members})) OR ${manage.sql})`,
      params: { ...manage.params, vMemberOrgs: memberOrgIds },
    };
  }

  /** Events the caller runs (manages, or hosts per event), as a SQL predicate over `e`. */
  async runsFilter(caller: Caller): Promise<SqlFilter> {
    if (!caller.user) return { sql: 'FALSE', params: {} };
    if (this.access.isPlatformAdmin(caller)) return { sql: 'TRUE', params: {} };
    const orgs = await this.access.organisationScope(caller, 'event.manage');
    const coalitions = this.access.coalitionScope(caller, 'event.manage');
    const orgIds = orgs.all ? [] : orgs.ids;
    const coalitionIds = coalitions.all ? [] : coalitions.ids;
    return {
      sql: `(e.host_organisation_id = ANY(:mOrgs) OR e.coalition_id = ANY(:mCoalitions)
             OR EXISTS (SELECT 1 FROM event_hosts mh WHERE mh.event_id = e.id AND mh.organisation_id = ANY(:mOrgs))
             OR EXISTS (SELECT 1 FROM event_roles mr WHERE mr.event_id = e.id AND mr.user_id = :mUser))`,
      params: { mOrgs: orgIds, mCoalitions: coalitionIds, mUser: caller.user.id },
    };
  }
}
