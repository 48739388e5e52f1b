/**
 * Who may do what: the one table. A role is always held in a scope — an
 * organisation (covering its descendants) or a coalition — and grants the
 * permissions below only inside that scope. Platform admins hold every
 * permission everywhere. `self` is any logged-in user acting on themselves.
 *
 * Changing this table changes who can reach what: review it as such. The
 * permission-matrix test (test/access-matrix.e2e-spec.ts) pins the outcome.
 */
export const PERMISSIONS = [
  'self',
  // organisations and coalitions
  'organisation.create', // a child organisation inside the scope (top level: platform admin only)
  'organisation.update',
  'organisation.stats',
  'coalition.create', // platform admin only
  'coalition.update',
  'coalition.partners.manage',
  'coalition.stats',
  // people and rights
  'role.grant',
  'user.create', // platform admin only: staff logins, by invitation
  'user.list', // platform admin only
  'outbox.read', // platform admin only
  'audit.read',
  'member.read',
  'member.manage',
  'member.import',
  'member.export', // bulk CSV download of a member list: org_admin only; organisers browse the directory page by page
  // platform and mobilisation
  'demand.draft',
  'demand.adopt',
  'demand.endorse',
  'pact.read',
  'pact.manage',
  'campaign.manage',
  'event.manage',
  // integrations (issue 22)
  'webhook.manage', // register webhook endpoints for the organisation (descendants included) or the coalition
  'apitoken.manage', // API tokens of the organisation: org_admin only, and never held by a token itself
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const SCOPED_ROLES = ['org_admin', 'organiser', 'coordinator'] as const;
export type ScopedRole = (typeof SCOPED_ROLES)[number];

/** Which kind of scope each role is held in. */
export const ROLE_SCOPE: Record<ScopedRole, 'organisation' | 'coalition'> = {
  org_admin: 'organisation',
  organiser: 'organisation',
  coordinator: 'coalition',
};

const ORGANISER: Permission[] = ['organisation.stats', 'member.read', 'demand.draft', 'pact.read', 'campaign.manage', 'event.manage'];

export const ROLE_PERMISSIONS: Record<ScopedRole, readonly Permission[]> = {
  organiser: ORGANISER,
  org_admin: [
    ...ORGANISER,
    'organisation.create',
    'organisation.update',
    'role.grant',
    'audit.read',
    'member.manage',
    'member.import',
    'member.export',
    'demand.adopt',
    'demand.endorse',
    'pact.manage',
    'webhook.manage',
    'apitoken.manage',
  ],
  // Coordinators see partners only in aggregate: no member.* permission here.
  coordinator: [
    'coalition.update',
    'coalition.partners.manage',
    'coalition.stats',
    'role.grant',
    'audit.read',
    'demand.draft',
    'demand.adopt',
    'pact.read',
    'pact.manage',
    'campaign.manage',
    'event.manage',
    'webhook.manage',
  ],
};

/** Roles a holder of `role` may grant inside their own scope: never wider. */
export const GRANTABLE: Record<ScopedRole, readonly ScopedRole[]> = {
  org_admin: ['org_admin', 'organiser'],
  organiser: [],
  coordinator: ['coordinator'],
};

export function roleGrants(role: ScopedRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/**
 * Does this grant give `permission`? Its role must grant it and, for a grant
 * narrowed to some permissions (an API token's: api-token.ts), so must the
 * narrowing. Every check of a caller's roles goes through here.
 */
export function grantAllows(grant: { role: ScopedRole; permissions?: readonly Permission[] }, permission: Permission): boolean {
  return roleGrants(grant.role, permission) && (!grant.permissions || grant.permissions.includes(permission));
}
