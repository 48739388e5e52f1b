import request from 'supertest';

import { MemberImportService } from '../src/members/member-import.service';
import { bootTestApp, type TestApp } from './support/app';
import { CALLERS, row, runRow, type MatrixRow, type Who } from './support/matrix';
import { buildWorld, makeMember, makeOrganisation, PASSWORD, unique, type World } from './support/world';

/**
 * Who may do what with members, route by route (ACCESS.md rule 3), in the
 * same world as test/access-matrix.e2e-spec.ts: party P with its current A;
 * party B; coalition C of A and B. 404 = may not even see the record (a
 * coordinator never sees a partner's member); 403 = may see it, or the route,
 * but not do this; 401 = not logged in. Anonymous callers may only apply.
 */
describe('permission matrix: members, memberships, imports, statistics, rights', () => {
  let t: TestApp;
  let w: World;
  let memberOfA: string;
  let memberOfB: string;
  let importOfA: string;

  const csv = () => `given_name,family_name,email\nLuz,${unique('Huamán')},${unique('luz')}@example.org\n`;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    memberOfA = (await makeMember(t, [w.A])).id;
    memberOfB = (await makeMember(t, [w.B])).id;
    const upload = await request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`).set(w.users.adminA.auth).attach('file', Buffer.from(csv()), 'members.csv');
    expect(upload.status).toBe(202);
    importOfA = upload.body.id;
    await t.app.get(MemberImportService).idle();
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
  });

  /** A chapter of A with one member: someone adminA and adminP can see, not yet in A. */
  const memberOfChapterOfA = async () => {
    const chapter = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    return (await makeMember(t, [chapter])).id;
  };
  const freshMemberOfA = async () => (await makeMember(t, [w.A])).id;
  const freshMembershipOfA = async () => (await makeMember(t, [w.A])).membershipIds[0];
  const newMember = (organisationId: string) => ({ givenName: 'Rosa', familyName: unique('Quispe'), email: `${unique('rosa')}@example.org`, memberships: [{ organisationId }] });
  const application = () => ({ givenName: 'Juana', familyName: unique('Mamani'), email: `${unique('juana')}@example.org`, consent: { dataProcessing: true } });

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                     anon plain orgA admA admP admB coord plat
    row('GET /members',                          () => ({ method: 'get', path: '/api/v1/members' }),                                 401, 403, 200, 200, 200, 200, 403, 200),
    row('GET /members?organisation=A',           () => ({ method: 'get', path: `/api/v1/members?organisation=${w.A.id}` }),          401, 403, 200, 200, 200, 403, 403, 200),
    row('GET /members?organisation=B (slug)',    () => ({ method: 'get', path: `/api/v1/members?organisation=${w.B.slug}` }),        401, 403, 403, 403, 403, 200, 403, 200),
    row('POST /members (into A)',                () => ({ method: 'post', path: '/api/v1/members', body: newMember(w.A.id) }),     401, 403, 403, 201, 201, 403, 403, 201),
    row('POST /members (into B)',                () => ({ method: 'post', path: '/api/v1/members', body: newMember(w.B.id) }),     401, 403, 403, 403, 403, 201, 403, 201),
    // A record belongs to one data controller (issue 17): memberships across two are refused, even to a platform admin.
    row('POST /members (into A and B)',          () => ({ method: 'post', path: '/api/v1/members', body: { ...newMember(w.A.id), memberships: [{ organisationId: w.A.id }, { organisationId: w.B.id }] } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 403, 400),
    row('GET /members/:memberOfA',               () => ({ method: 'get', path: `/api/v1/members/${memberOfA}` }),                    401, 404, 200, 200, 200, 404, 404, 200),
    row('GET /members/:memberOfB',               () => ({ method: 'get', path: `/api/v1/members/${memberOfB}` }),                    401, 404, 404, 404, 404, 200, 404, 200),
    row('PATCH /members/:memberOfA',             () => ({ method: 'patch', path: `/api/v1/members/${memberOfA}`, body: { region: unique('Puno') } }),
                                                                                                                                     401, 404, 403, 200, 200, 404, 404, 200),
    row('GET /members/:memberOfA/export',        () => ({ method: 'get', path: `/api/v1/members/${memberOfA}/export` }),             401, 404, 403, 200, 200, 404, 404, 200),
    row('GET /members/:memberOfB/export',        () => ({ method: 'get', path: `/api/v1/members/${memberOfB}/export` }),             401, 404, 404, 404, 404, 200, 404, 200),
    row('POST /members/:id/erase (in A)',        async () => ({ method: 'post', path: `/api/v1/members/${await freshMemberOfA()}/erase` }),
                                                                                                                                     401, 403, 403, 200, 200, 404, 403, 200),
    row('POST /members/:id/erase (in A and P)',  async () => ({ method: 'post', path: `/api/v1/members/${(await makeMember(t, [w.A, w.P])).id}/erase` }),
                                                                                                                                     401, 403, 403, 403, 200, 404, 403, 200),
    row('GET /organisations/A/memberships',      () => ({ method: 'get', path: `/api/v1/organisations/${w.A.id}/memberships` }),     401, 403, 200, 200, 200, 403, 403, 200),
    row('POST /organisations/A/memberships',     async () => ({ method: 'post', path: `/api/v1/organisations/${w.A.slug}/memberships`, body: { memberId: await memberOfChapterOfA() } }),
                                                                                                                                     401, 403, 403, 201, 201, 403, 403, 201),
    row('POST /organisations/A/memberships (B’s member)', () => ({ method: 'post', path: `/api/v1/organisations/${w.A.id}/memberships`, body: { memberId: memberOfB } }),
                                                                                                                                     401, 403, 403, 404, 404, 403, 403, 409),
    row('PATCH /memberships/:id (in A)',         async () => ({ method: 'patch', path: `/api/v1/memberships/${await freshMembershipOfA()}`, body: { status: 'suspended' } }),
                                                                                                                                     401, 403, 403, 200, 200, 404, 403, 200),
    row('POST /organisations/A/applications',    () => ({ method: 'post', path: `/api/v1/organisations/${w.A.id}/applications`, body: application() }),
                                                                                                                                     202, 202, 202, 202, 202, 202, 202, 202),
    row('GET /imports/:id (of A)',               () => ({ method: 'get', path: `/api/v1/imports/${importOfA}` }),                     401, 403, 403, 200, 200, 404, 403, 200),
    row('POST /imports/:id/retry (completed)',   () => ({ method: 'post', path: `/api/v1/imports/${importOfA}/retry` }),              401, 403, 403, 409, 409, 404, 403, 409),
    row('GET /organisations/A/members.csv',      () => ({ method: 'get', path: `/api/v1/organisations/${w.A.id}/members.csv` }),     401, 403, 403, 200, 200, 403, 403, 200),
    row('GET /organisations/A/stats',            () => ({ method: 'get', path: `/api/v1/organisations/${w.A.id}/stats` }),           401, 403, 200, 200, 200, 403, 403, 200),
    row('GET /coalitions/C/stats',               () => ({ method: 'get', path: `/api/v1/coalitions/${w.C.slug}/stats` }),            401, 403, 403, 403, 403, 403, 200, 200),
    row('GET /me/export',                        () => ({ method: 'get', path: '/api/v1/me/export' }),                               401, 200, 200, 200, 200, 200, 200, 200),
    row('POST /me/erase (no member linked)',     () => ({ method: 'post', path: '/api/v1/me/erase', body: { password: PASSWORD } }), 401, 404, 404, 404, 404, 404, 404, 404),
    // Membership linking (issue 17): anyone logged in may ask; the same answer whatever is held.
    row('POST /me/links',                        () => ({ method: 'post', path: '/api/v1/me/links' }),                               401, 202, 202, 202, 202, 202, 202, 202),
    row('POST /me/links/confirm (not a token)',  () => ({ method: 'post', path: '/api/v1/me/links/confirm', body: { token: 'x'.repeat(43) } }),
                                                                                                                                     401, 400, 400, 400, 400, 400, 400, 400),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });

  // The one multipart route, run the way runRow runs the others.
  it('POST /organisations/A/imports', async () => {
    const expected: Record<Who, number> = { anon: 401, plain: 403, organiserA: 403, adminA: 202, adminP: 202, adminB: 403, coordinator: 403, platform: 202 };
    const got = {} as Record<Who, number>;
    for (const who of CALLERS) {
      let req = request(t.http).post(`/api/v1/organisations/${w.A.id}/imports`);
      if (who !== 'anon') req = req.set('Authorization', `Bearer ${w.users[who].token}`);
      const res = await req.attach('file', Buffer.from(csv()), 'members.csv');
      expect(res.status).toBeLessThan(500);
      got[who] = res.status;
    }
    expect(got).toEqual(expected);
  });
});
