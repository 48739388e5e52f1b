import { Injectable } from '@nestjs/common';

import { AccessService } from '../access/access.service';
import { personalGrantsUserId } from '../access/api-token';
import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { forbidden, notFound } from '../common/problem';
import type { Tx } from '../database/transactions';
import type { Event } from './event.entity';
import { EventsRepository, type VisibilityScope } from './events.repository';

/** What the caller may do with one event. */
export interface EventRights {
  /** Organisers of the host organisation (or an ancestor) or of a co-host, coordinators of the host coalition, platform admins. */
  manage: boolean;
  /** `manage`, or a per-event host (event_roles): signups and check-in of this event only. */
  handleSignups: boolean;
  /** May read the event at all (404 otherwise). */
  see: boolean;
}

/**
 * Who may see, manage and handle the signups of an event: the object-level
 * layer for every events route (the guard only checked that the caller holds
 * event.manage somewhere, or is logged in). The rule is written once, as the
 * SQL predicates of EventsRepository, for single reads and lists alike; here
 * the caller becomes the parameters of those predicates. Everything fails
 * closed: an anonymous caller or an unknown relation yields "no".
 */
@Injectable()
export class EventAccess implements ResourceAccess<'manage' | 'handleSignups'> {
  constructor(
    private readonly access: AccessService,
    private readonly events: EventsRepository,
  ) {}

  /** The caller as the visibility predicates take it (scopes resolved once per request by AccessService). */
  async scope(caller: Caller): Promise<VisibilityScope> {
    if (!caller.user) return { kind: 'anonymous' };
    if (this.access.isPlatformAdmin(caller)) return { kind: 'admin', userId: caller.user.id };
    const orgs = await this.access.organisationScope(caller, 'event.manage');
    const coalitions = this.access.coalitionScope(caller, 'event.manage');
    return {
      kind: 'user',
      // Per-event host roles are a login's own: an API token acts with its grant alone.
      userId: personalGrantsUserId(caller.user),
      manageOrgIds: orgs.all ? [] : orgs.ids,
      manageCoalitionIds: coalitions.all ? [] : coalitions.ids,
      memberOrgIds: await this.access.memberOrganisationIds(caller),
    };
  }

  async allowed(caller: Caller, action: 'see' | 'manage' | 'handleSignups', ids: readonly string[]): Promise<Set<string>> {
    return this.events.allowedIds(await this.scope(caller), action, ids);
  }

  /**
   * The event with the caller's rights on it, in one read; 404 when there is
   * none or the caller may not see it (never confirm it exists) — unless
   * `proven` (a guest's manage token proves the signup: its event is theirs
   * to see even when it is no longer listed).
   */
  async read(tx: Tx, caller: Caller, id: string, proven = false): Promise<{ event: Event; rights: EventRights }> {
    const found = await this.events.readWithRights(tx, await this.scope(caller), id);
    if (!found || !(found.see || proven)) throw notFound('event');
    return { event: found.event, rights: { see: true, manage: found.manage, handleSignups: found.handleSignups } };
  }

  /** As `read`, and 403 unless the caller may `action` it. */
  async require(tx: Tx, caller: Caller, id: string, action: 'manage' | 'handleSignups', detail: string): Promise<Event> {
    const { event, rights } = await this.read(tx, caller, id);
    if (!rights[action]) throw forbidden(detail);
    return event;
  }

  /** Managers through the host itself (not a co-host): they alone choose the co-hosts. */
  async isPrimaryManager(caller: Caller, event: Pick<Event, 'hostOrganisationId' | 'coalitionId'>): Promise<boolean> {
    if (event.hostOrganisationId) return this.access.canOnOrganisation(caller, 'event.manage', event.hostOrganisationId);
    if (event.coalitionId) return this.access.canOnCoalition(caller, 'event.manage', event.coalitionId);
    return false;
  }
}
