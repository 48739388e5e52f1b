import type { AuthUser } from './caller';
import { ROLE_PERMISSIONS, type Permission } from './permissions';

/**
 * API tokens (issue 22): a credential that is not a login, made by an
 * org_admin for one organisation with some of the permissions an org_admin
 * holds there (src/api-tokens/). Sent as `Authorization: Bearer cvk_…`; the
 * prefix tells it from a JWT before anything is verified.
 *
 * A token yields an AuthUser (`tokenAuthUser`) that every existing access
 * check reads as it reads a login: one org_admin grant on the token's
 * organisation, narrowed to the token's permissions (RoleGrant.permissions,
 * checked by `grantAllows`), so it reaches the organisation and its
 * descendants exactly as a role does, and nothing else. It has no member
 * records, is never a platform admin, and its `id` is the login that made
 * it (what `createdBy` columns record); the audit log names the token.
 */
export const API_TOKEN_PREFIX = 'cvk_';

/** What a request made with a token carries: its id (the audit actor), name, organisation and permissions. */
export interface ApiTokenCredential {
  id: string;
  name: string;
  organisationId: string;
  permissions: Permission[];
}

/**
 * The permissions a token may hold: an org_admin's, less the two that make
 * credentials (a token never grants roles, and never makes tokens).
 */
export const TOKEN_PERMISSIONS: readonly Permission[] = ROLE_PERMISSIONS.org_admin.filter((p) => p !== 'role.grant' && p !== 'apitoken.manage');

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The API token a request's Authorization header presents, or null when it presents none (a JWT, another scheme, nothing). */
export function presentedApiToken(authorization: string | undefined): string | null {
  if (typeof authorization !== 'string') return null;
  const token = BEARER.exec(authorization)?.[1];
  return token?.startsWith(API_TOKEN_PREFIX) ? token : null;
}

/** The caller a live token is: see the comment at the top. `createdBy` is the login that made it. */
export function tokenAuthUser(token: ApiTokenCredential, createdBy: string): AuthUser {
  return {
    id: createdBy,
    email: '',
    isPlatformAdmin: false,
    memberIds: [],
    sessionId: token.id,
    roles: [{ id: token.id, role: 'org_admin', organisationId: token.organisationId, coalitionId: null, permissions: token.permissions }],
    apiToken: token,
  };
}

/**
 * Routes open to any logged-in caller (`self`) whose service then checks
 * the record as an organiser's (an event's signups and check-in): a token
 * holding the permission named here may use them. Every other `self`-only
 * route means the caller's own person — /auth/*, /me/*, a user's roles — and
 * a token is refused there (403): it is nobody's login. A new `self` route is
 * refused to tokens until it is listed here (test/api-tokens.e2e-spec.ts
 * checks every listed route exists).
 */
export const TOKEN_SELF_ROUTES: Readonly<Record<string, Permission>> = {
  'GET /api/v1/events/:id/signups': 'event.manage',
  'PATCH /api/v1/events/:id/signups/:signupId': 'event.manage',
  'POST /api/v1/events/:id/signups/:signupId/check-in': 'event.manage',
  'GET /api/v1/events/:id/check-in-manifest': 'event.manage',
  'POST /api/v1/events/:id/check-ins': 'event.manage',
};

/**
 * The login id the per-person grants of a caller are looked up under (a
 * per-event host role): none for a token, whose `id` is only the login that
 * made it — a token acts with its own grant, never with its maker's others.
 */
export const NO_LOGIN = '00000000-0000-0000-0000-000000000000';
export function personalGrantsUserId(user: AuthUser): string {
  return user.apiToken ? NO_LOGIN : user.id;
}
