import { RoleAssignment } from '../src/access/role-assignment.entity';
import { CoalitionPartner } from '../src/coalitions/coalition-partner.entity';
import { bootTestApp, type TestApp } from './support/app';
import { row, runRow, type MatrixRow } from './support/matrix';
import { buildWorld, makeOrganisation, makeUser, unique, type World } from './support/world';

/**
 * Who may do what, route by route (ACCESS.md rule 3). The world: party P
 * with its current A; party B; coalition C of A and B. Callers: anonymous,
 * a plain user, an organiser of A, the org_admins of A, of A's parent P and
 * of B, the coordinator of C, and a platform admin. 404 = may not even see
 * the record; 403 = may see it but not do this; 401 = not logged in.
 */
describe('permission matrix: identity, organisations, coalitions', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const freshUser = async () => (await makeUser(t)).id;
  /** An organiser role on A held by a fresh user: something to revoke. */
  const organiserRoleOnA = async () => (await t.db.getRepository(RoleAssignment).save({ userId: await freshUser(), role: 'organiser', organisationId: w.A.id })).id;
  /** A fresh chapter under A, invited to C: a partnership for A's admins to accept. */
  const invitedChapterOfA = async () => {
    const x = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    await t.db.getRepository(CoalitionPartner).save({ coalitionId: w.C.id, organisationId: x.id, status: 'invited' });
    return x.id;
  };

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                     anon plain orgA admA admP admB coord plat
    row('GET /auth/me',                          () => ({ method: 'get', path: '/api/v1/auth/me' }),                                 401, 200, 200, 200, 200, 200, 200, 200),
    row('GET /organisations',                    () => ({ method: 'get', path: '/api/v1/organisations' }),                           200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /organisations/:slug',              () => ({ method: 'get', path: `/api/v1/organisations/${w.A.slug}` }),               200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /organisations/:id/children',       () => ({ method: 'get', path: `/api/v1/organisations/${w.P.id}/children` }),        200, 200, 200, 200, 200, 200, 200, 200),
    row('POST /organisations (top level)',       () => ({ method: 'post', path: '/api/v1/organisations', body: { slug: unique('top'), name: 'Top', kind: 'party' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 403, 201),
    row('POST /organisations (child of A)',      () => ({ method: 'post', path: '/api/v1/organisations', body: { slug: unique('kid'), name: 'Kid', kind: 'chapter', parentId: w.A.id } }),
                                                                                                                                     401, 403, 403, 201, 201, 403, 403, 201),
    row('PATCH /organisations/A',                () => ({ method: 'patch', path: `/api/v1/organisations/${w.A.id}`, body: { description: unique('d') } }),
                                                                                                                                     401, 403, 403, 200, 200, 403, 403, 200),
    row('PATCH /organisations/P (A’s parent)',   () => ({ method: 'patch', path: `/api/v1/organisations/${w.P.slug}`, body: { region: unique('r') } }),
                                                                                                                                     401, 403, 403, 403, 200, 403, 403, 200),
    row('GET /coalitions',                       () => ({ method: 'get', path: '/api/v1/coalitions' }),                              200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /coalitions/:id',                   () => ({ method: 'get', path: `/api/v1/coalitions/${w.C.slug}` }),                  200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /coalitions/:id/partners',          () => ({ method: 'get', path: `/api/v1/coalitions/${w.C.id}/partners` }),           200, 200, 200, 200, 200, 200, 200, 200),
    row('POST /coalitions',                      () => ({ method: 'post', path: '/api/v1/coalitions', body: { slug: unique('c'), name: 'C2' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 403, 201),
    row('PATCH /coalitions/C',                   () => ({ method: 'patch', path: `/api/v1/coalitions/${w.C.id}`, body: { description: unique('d') } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('POST /coalitions/C/partners',           async () => ({ method: 'post', path: `/api/v1/coalitions/${w.C.id}/partners`, body: { organisationId: (await makeOrganisation(t)).id } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 201, 201),
    row('PATCH /coalitions/C/partners/A notes',  () => ({ method: 'patch', path: `/api/v1/coalitions/${w.C.id}/partners/${w.A.id}`, body: { notes: unique('n') } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH partner: accept invitation',      async () => ({ method: 'patch', path: `/api/v1/coalitions/${w.C.id}/partners/${await invitedChapterOfA()}`, body: { status: 'active' } }),
                                                                                                                                     401, 403, 403, 200, 200, 403, 200, 200),
    row('GET /users',                            () => ({ method: 'get', path: '/api/v1/users' }),                                   401, 403, 403, 403, 403, 403, 403, 200),
    // Logins by invitation only (issue 17): platform admins invite staff; nobody chooses a password for someone else.
    row('POST /users (an invitation)',           () => ({ method: 'post', path: '/api/v1/users', body: { email: `${unique('new')}@example.org` } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 403, 201),
    row('POST /users (with a password)',         () => ({ method: 'post', path: '/api/v1/users', body: { email: `${unique('new')}@example.org`, password: 'a long enough password' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 403, 400),
    row('GET /users/:organiserA/roles',          () => ({ method: 'get', path: `/api/v1/users/${w.users.organiserA.id}/roles` }),    401, 404, 200, 200, 200, 404, 404, 200),
    row('POST /role-assignments organiser on A', async () => ({ method: 'post', path: '/api/v1/role-assignments', body: { userId: await freshUser(), role: 'organiser', organisationId: w.A.id } }),
                                                                                                                                     401, 403, 403, 201, 201, 403, 403, 201),
    row('POST /role-assignments org_admin on P', async () => ({ method: 'post', path: '/api/v1/role-assignments', body: { userId: await freshUser(), role: 'org_admin', organisationId: w.P.id } }),
                                                                                                                                     401, 403, 403, 403, 201, 403, 403, 201),
    row('POST /role-assignments coordinator C',  async () => ({ method: 'post', path: '/api/v1/role-assignments', body: { userId: await freshUser(), role: 'coordinator', coalitionId: w.C.id } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 201, 201),
    row('DELETE /role-assignments/:id (on A)',   async () => ({ method: 'delete', path: `/api/v1/role-assignments/${await organiserRoleOnA()}` }),
                                                                                                                                     401, 403, 403, 204, 204, 404, 404, 204),
    row('GET /audit-log',                        () => ({ method: 'get', path: '/api/v1/audit-log' }),                               401, 403, 403, 200, 200, 200, 200, 200),
    row('GET /audit-log?organisation=A',         () => ({ method: 'get', path: `/api/v1/audit-log?organisation=${w.A.id}` }),        401, 403, 403, 200, 200, 403, 403, 200),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });
});
