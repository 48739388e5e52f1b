import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

import { unauthorized } from '../common/problem';
import type { ApiTokenCredential } from './api-token';
import type { DoorLinkCredential } from './door-link';
import type { Permission, ScopedRole } from './permissions';

export interface RoleGrant {
  id: string;
  role: ScopedRole;
  organisationId: string | null;
  coalitionId: string | null;
  /** Narrowed to these permissions (of the role's): an API token's grant. Absent: all the role's. Checked by `grantAllows`. */
  permissions?: readonly Permission[];
  /** The role's organisation is top-level: the role covers its whole data controller. Absent: not known (treated as false). */
  topLevel?: boolean;
}

/**
 * A login's roles (RoleGrant, oldest first) as one JSON array, for the login
 * whose id is the SQL expression `userId`: the one shape both the request's
 * authentication and the role listings read.
 */
export const roleGrantsSql = (userId: string): string =>
  `(SELECT coalesce(json_agg(json_build_object('id', r.id, 'role', r.role, 'organisationId', r.organisation_id, 'coalitionId', r.coalition_id,
                                               'topLevel', EXISTS (SELECT 1 FROM organisations o WHERE o.id = r.organisation_id AND o.parent_id IS NULL))
                             ORDER BY r.created_at, r.id), '[]')
      FROM role_assignments r WHERE r.user_id = ${userId})`;

/** The authenticated user, loaded from the database on every request (never trusted from the token). */
export interface AuthUser {
  id: string;
  email: string;
  isPlatformAdmin: boolean;
  /** The member records linked to this login, one per data controller at most, oldest link first. */
  memberIds: string[];
  sessionId: string;
  roles: RoleGrant[];
  /**
   * Set when the caller is an API token (api-token.ts), not a login: `id` is
   * then the login that made it (what `createdBy` columns record), `roles`
   * the token's one narrowed grant, `memberIds` empty, and the audit log
   * names the token as the actor.
   */
  apiToken?: ApiTokenCredential;
}

/** Who is asking: passed explicitly to every service method that needs it. */
export interface Caller {
  user: AuthUser | null;
  requestId: string;
  ip: string;
  /** Let in by a door link instead of a login (only on the routes that accept one: see door-link.ts); `user` is then null. */
  doorLink?: DoorLinkCredential;
}

/** `doorLinkPending`: the policy guard let a door link through, and the route's own guard has not checked it yet. */
export type RequestWithCaller = FastifyRequest & { user?: AuthUser | false; caller?: Caller; doorLinkPending?: boolean };

export function callerOf(request: RequestWithCaller): Caller {
  // Fails closed: a door link nobody checked is no credential at all.
  if (request.doorLinkPending) throw unauthorized('This door link was not checked.');
  if (!request.caller) {
    request.caller = { user: request.user || null, requestId: String(request.id), ip: request.ip };
  }
  return request.caller;
}

/** `@CurrentCaller() caller: Caller` in a controller method. */
export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  return callerOf(ctx.switchToHttp().getRequest<RequestWithCaller>());
});

/** For routes whose policy already guarantees a logged-in user. */
export function requireUser(caller: Caller): AuthUser {
  if (!caller.user) throw new Error('route policy let an anonymous caller through');
  return caller.user;
}
