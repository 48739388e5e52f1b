import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import type { AuthUser, Caller, RoleGrant } from './caller';
import { grantAllows, type Permission, type ScopedRole } from './permissions';

/** Organisation ids a caller may act on, or every organisation. */
export type OrganisationScope = { all: true } | { all: false; ids: string[] };

interface RequestCache {
  scopes: Map<Permission, Promise<OrganisationScope>>;
  ancestors: Map<string, Promise<string[]>>;
  memberOf?: Promise<string[]>;
}

/** The user's roles on organisations that grant `permission`. */
const organisationRoles = (user: AuthUser, permission: Permission): RoleGrant[] => user.roles.filter((r) => r.organisationId && grantAllows(r, permission));

/**
 * The one place that answers "may this caller do P on that record?". It
 * resolves scopes with its own queries over the organisation tree (one
 * recursive CTE each), so every feature module — the organisations module
 * included — can depend on it without a cycle. Results are cached per
 * request: the cache is keyed by the request's AuthUser object, which dies
 * with the request.
 */
@Injectable()
export class AccessService {
  private readonly cache = new WeakMap<AuthUser, RequestCache>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private cacheFor(user: AuthUser): RequestCache {
    let c = this.cache.get(user);
    if (!c) {
      c = { scopes: new Map(), ancestors: new Map() };
      this.cache.set(user, c);
    }
    return c;
  }

  /**
   * Every organisation where `permission` applies: the organisations of the
   * caller's roles granting it, and all their descendants. Pass the result to
   * list queries so that a forgotten filter returns nothing, not everything.
   */
  organisationScope(caller: Caller, permission: Permission): Promise<OrganisationScope> {
    const user = caller.user;
    if (!user) return Promise.resolve({ all: false, ids: [] });
    if (user.isPlatformAdmin) return Promise.resolve({ all: true });
    const cache = this.cacheFor(user);
    let scope = cache.scopes.get(permission);
    if (!scope) {
      const roots = organisationRoles(user, permission).map((r) => r.organisationId!);
      scope = roots.length === 0 ? Promise.resolve({ all: false, ids: [] }) : this.descendants(roots).then((ids) => ({ all: false as const, ids }));
      cache.scopes.set(permission, scope);
    }
    return scope;
  }

  /**
   * `permission`'s scope as whole data controllers, when every role of the
   * caller granting it sits on a top-level organisation (and so covers its
   * controller: the organisation and all its descendants): those
   * organisations. Null when some such role sits lower (`organisationScope`
   * then lists the organisations), when the caller holds none, or for the
   * platform's administrators (whose scope is everything). No query: the
   * roles come with the request.
   */
  wholeControllers(caller: Caller, permission: Permission): string[] | null {
    const user = caller.user;
    if (!user || user.isPlatformAdmin) return null;
    const granting = organisationRoles(user, permission);
    if (granting.length === 0 || !granting.every((r) => r.topLevel === true)) return null;
    return [...new Set(granting.map((r) => r.organisationId!))];
  }

  /** The data controllers (top-level organisations) of the given organisations; of every organisation when null. */
  async controllersOf(organisationIds: string[] | null): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      organisationIds === null ? `SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id` : `SELECT DISTINCT organisation_root(id) AS id FROM unnest($1::uuid[]) AS o(id) ORDER BY 1`,
      organisationIds === null ? [] : [organisationIds],
    );
    return rows.map((r) => r.id).filter(Boolean);
  }

  /** The data controllers of the caller's roles granting `permission` (every controller for the platform's administrators). */
  scopeControllers(caller: Caller, permission: Permission): Promise<string[]> {
    const user = caller.user;
    if (!user) return Promise.resolve([]);
    if (user.isPlatformAdmin) return this.controllersOf(null);
    const granting = organisationRoles(user, permission).map((r) => r.organisationId!);
    return granting.length ? this.controllersOf([...new Set(granting)]) : Promise.resolve([]);
  }

  /** Coalition ids where the caller holds `permission` (coordinator roles). */
  coalitionScope(caller: Caller, permission: Permission): { all: true } | { all: false; ids: string[] } {
    const user = caller.user;
    if (!user) return { all: false, ids: [] };
    if (user.isPlatformAdmin) return { all: true };
    return { all: false, ids: user.roles.filter((r) => r.coalitionId && grantAllows(r, permission)).map((r) => r.coalitionId!) };
  }

  /** May the caller do `permission` on this organisation (held there or on an ancestor)? */
  async canOnOrganisation(caller: Caller, permission: Permission, organisationId: string): Promise<boolean> {
    const user = caller.user;
    if (!user) return false;
    if (user.isPlatformAdmin) return true;
    const holding = organisationRoles(user, permission).map((r) => r.organisationId!);
    if (holding.length === 0) return false;
    if (holding.includes(organisationId)) return true;
    const ancestors = await this.ancestorsOf(user, organisationId);
    return ancestors.some((id) => holding.includes(id));
  }

  /** The caller's roles granting `permission` that they hold on this organisation or an ancestor (what they may do there, and as what). */
  async rolesOverOrganisation(caller: Caller, permission: Permission, organisationId: string): Promise<ScopedRole[]> {
    const user = caller.user;
    if (!user) return [];
    const holding = organisationRoles(user, permission);
    if (holding.length === 0) return [];
    const ancestors = holding.every((r) => r.organisationId === organisationId) ? [] : await this.ancestorsOf(user, organisationId);
    return holding.filter((r) => r.organisationId === organisationId || ancestors.includes(r.organisationId!)).map((r) => r.role);
  }

  /** The caller's roles granting `permission` that they hold in this coalition. */
  rolesOnCoalition(caller: Caller, permission: Permission, coalitionId: string): ScopedRole[] {
    return (caller.user?.roles ?? []).filter((r) => r.coalitionId === coalitionId && grantAllows(r, permission)).map((r) => r.role);
  }

  canOnCoalition(caller: Caller, permission: Permission, coalitionId: string): boolean {
    const user = caller.user;
    if (!user) return false;
    if (user.isPlatformAdmin) return true;
    return user.roles.some((r) => r.coalitionId === coalitionId && grantAllows(r, permission));
  }

  /**
   * The derived "member" role (ACCESS.md): organisations where the caller's
   * linked member records (any of them) hold an `active` membership. Exactly those organisations —
   * membership of a current says nothing about its parent, so no descendants
   * or ancestors are added.
   */
  memberOrganisationIds(caller: Caller): Promise<string[]> {
    const user = caller.user;
    if (!user?.memberIds.length) return Promise.resolve([]);
    const cache = this.cacheFor(user);
    // The union over every linked record (one per data controller).
    cache.memberOf ??= this.db
      .query<{ organisation_id: string }[]>(`SELECT DISTINCT organisation_id FROM memberships WHERE member_id = ANY($1::uuid[]) AND status = 'active' ORDER BY organisation_id`, [user.memberIds])
      .then((rows) => rows.map((r) => r.organisation_id));
    return cache.memberOf;
  }

  isPlatformAdmin(caller: Caller): boolean {
    return caller.user?.isPlatformAdmin === true;
  }

  /** Ancestors of an organisation (nearest first), excluding itself. */
  private ancestorsOf(user: AuthUser, organisationId: string): Promise<string[]> {
    const cache = this.cacheFor(user);
    let found = cache.ancestors.get(organisationId);
    if (!found) {
      found = this.db
        .query<{ id: string }[]>(
          `WITH RECURSIVE up(id, parent_id, depth) AS (
             SELECT id, parent_id, 0 FROM organisations WHERE id = $1
             UNION
             SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 64
           )
           SELECT id FROM up WHERE id <> $1 ORDER BY depth`,
          [organisationId],
        )
        .then((rows) => rows.map((r) => r.id));
      cache.ancestors.set(organisationId, found);
    }
    return found;
  }

  /** The given organisations and all their descendants. */
  async descendants(roots: string[]): Promise<string[]> {
    const rows = await this.db.query<{ id: string }[]>(
      `WITH RECURSIVE down(id, depth) AS (
         SELECT id, 0 FROM organisations WHERE id = ANY($1::uuid[])
         UNION
         SELECT o.id, down.depth + 1 FROM organisations o JOIN down ON o.parent_id = down.id WHERE down.depth < 64
       )
       SELECT DISTINCT id FROM down`,
      [roots],
    );
    return rows.map((r) => r.id);
  }
}
