import request from 'supertest';

import type { Coalition } from '../src/coalitions/coalition.entity';
import { DemandEndorsement } from '../src/demands/demand-endorsement.entity';
import { DEMAND_STATUSES, type DemandStatus } from '../src/demands/demand.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import type { Pact } from '../src/pacts/pact.entity';
import { bootTestApp, type TestApp } from './support/app';
import { CALLERS, row, runRow, type MatrixRow, type Who } from './support/matrix';
import { buildWorld, makeCoalition, makeDemand, makeOrganisation, makePact, unique, type World } from './support/world';

/**
 * Who may do what on the platform, route by route (ACCESS.md rule 3). The
 * world: party P with its current A; party B; coalition C of A and B. Also
 * here: coalition C2 whose only partner is B (so A, P and C's coordinator
 * are outsiders to it), and JP, an external counterpart. Every row builds
 * its record afresh for each caller. 404 = may not even see the record;
 * 403 = may see it but not do this; 401 = not logged in.
 *
 * Decisions these rows pin: drafts, proposals and withdrawn demands of a
 * coalition are read by its coordinators AND the organisers/org_admins of
 * its active partners (incl. admins of a partner's parent); only the
 * coordinators write them. Pacts follow the same "our side" rule with
 * pact.read; only coordinators / the owner's org_admins manage them.
 */
describe('permission matrix: demands and pacts', () => {
  let t: TestApp;
  let w: World;
  let C2: Coalition;
  let JP: Organisation;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    C2 = await makeCoalition(t, [w.B]);
    JP = await makeOrganisation(t, { slug: unique('jp'), name: 'Juntos por el Perú', external: true });
  });
  afterAll(() => t.close());

  const inC = (status: DemandStatus) => makeDemand(t, { coalition: w.C }, { status });
  const inA = (status: DemandStatus) => makeDemand(t, { organisation: w.A }, { status });
  const inB = (status: DemandStatus) => makeDemand(t, { organisation: w.B }, { status });
  const pactOf = (owner: { coalition?: Coalition; organisation?: Organisation }) => makePact(t, owner, JP);
  const allIdsReversed = async (column: string, ownerId: string) =>
    (await t.db.query<{ id: string }[]>(`SELECT id FROM demands WHERE ${column} = $1 ORDER BY position DESC`, [ownerId])).map((r) => r.id);
  /** An adopted coalition demand A has already endorsed: something for A's admins to withdraw. */
  const endorsedByA = async () => {
    const d = await inC('adopted');
    await t.db.getRepository(DemandEndorsement).save({ demandId: d.id, organisationId: w.A.id, endorsedOn: '2026-05-30' });
    return d.id;
  };
  const get = (path: string) => () => ({ method: 'get' as const, path: `/api/v1${path}` });
  const demandPath = async (make: Promise<{ id: string }>, suffix = '') => `/api/v1/demands/${(await make).id}${suffix}`;
  const pactPath = async (make: Promise<Pact>) => `/api/v1/pacts/${(await make).id}`;

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                     anon plain orgA admA admP admB coord plat
    row('GET /demands',                           get('/demands'),                                                                   200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /demands/:id adopted (C)',           async () => ({ method: 'get', path: await demandPath(inC('adopted')) }),           200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /demands/:id achieved (A)',          async () => ({ method: 'get', path: await demandPath(inA('achieved')) }),          200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /demands/:id draft (C)',             async () => ({ method: 'get', path: await demandPath(inC('draft')) }),             404, 404, 200, 200, 200, 200, 200, 200),
    row('GET /demands/:id proposed (A)',          async () => ({ method: 'get', path: await demandPath(inA('proposed')) }),          404, 404, 200, 200, 200, 404, 404, 200),
    row('GET /demands/:id withdrawn (B)',         async () => ({ method: 'get', path: await demandPath(inB('withdrawn')) }),         404, 404, 404, 404, 404, 200, 404, 200),
    row('GET /demands/:id/revisions adopted (C)', async () => ({ method: 'get', path: await demandPath(inC('adopted'), '/revisions') }), 200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /demands/:id/revisions draft (A)',   async () => ({ method: 'get', path: await demandPath(inA('draft'), '/revisions') }),   404, 404, 200, 200, 200, 404, 404, 200),
    row('POST /demands for coalition C',          () => ({ method: 'post', path: '/api/v1/demands', body: { coalitionId: w.C.id, title: unique('t') } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 201, 201),
    row('POST /demands for organisation A',       () => ({ method: 'post', path: '/api/v1/demands', body: { organisationId: w.A.id, title: unique('t') } }),
                                                                                                                                     401, 403, 201, 201, 201, 403, 403, 201),
    row('PATCH draft (C) text',                   async () => ({ method: 'patch', path: await demandPath(inC('draft')), body: { title: unique('t') } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH adopted (C) text: partner edits?', async () => ({ method: 'patch', path: await demandPath(inC('adopted')), body: { body: unique('b') } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH proposed (C) -> adopted',          async () => ({ method: 'patch', path: await demandPath(inC('proposed')), body: { status: 'adopted' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH draft (A) text',                   async () => ({ method: 'patch', path: await demandPath(inA('draft')), body: { title: unique('t') } }),
                                                                                                                                     401, 403, 200, 200, 200, 404, 404, 200),
    row('PATCH adopted (A) text',                 async () => ({ method: 'patch', path: await demandPath(inA('adopted')), body: { title: unique('t') } }),
                                                                                                                                     401, 403, 403, 200, 200, 403, 403, 200),
    row('PATCH draft (A) -> proposed',            async () => ({ method: 'patch', path: await demandPath(inA('draft')), body: { status: 'proposed' } }),
                                                                                                                                     401, 403, 200, 200, 200, 404, 404, 200),
    row('PATCH proposed (A) -> adopted',          async () => ({ method: 'patch', path: await demandPath(inA('proposed')), body: { status: 'adopted' } }),
                                                                                                                                     401, 403, 403, 200, 200, 404, 404, 200),
    row('PATCH adopted (A) -> withdrawn',         async () => ({ method: 'patch', path: await demandPath(inA('adopted')), body: { status: 'withdrawn' } }),
                                                                                                                                     401, 403, 403, 200, 200, 403, 403, 200),
    row('PUT /demands/order (C)',                 async () => ({ method: 'put', path: '/api/v1/demands/order', body: { coalitionId: w.C.id, ids: await allIdsReversed('owner_coalition_id', w.C.id) } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PUT /demands/order (A)',                 async () => ({ method: 'put', path: '/api/v1/demands/order', body: { organisationId: w.A.id, ids: await allIdsReversed('owner_organisation_id', w.A.id) } }),
                                                                                                                                     401, 403, 403, 200, 200, 403, 403, 200),
    row('POST endorsement: adopted (C) for A',    async () => ({ method: 'post', path: await demandPath(inC('adopted'), '/endorsements'), body: { organisationId: w.A.id } }),
                                                                                                                                     401, 403, 403, 201, 201, 403, 403, 201),
    row('POST endorsement: adopted (C) for B',    async () => ({ method: 'post', path: await demandPath(inC('adopted'), '/endorsements'), body: { organisationId: w.B.id, note: 'asamblea' } }),
                                                                                                                                     401, 403, 403, 403, 403, 201, 403, 201),
    row('POST endorsement: adopted (A) for B',    async () => ({ method: 'post', path: await demandPath(inA('adopted'), '/endorsements'), body: { organisationId: w.B.id } }),
                                                                                                                                     401, 403, 403, 403, 403, 201, 403, 201),
    row('POST endorsement: proposed (A) for B',   async () => ({ method: 'post', path: await demandPath(inA('proposed'), '/endorsements'), body: { organisationId: w.B.id } }),
                                                                                                                                     401, 403, 403, 403, 403, 404, 403, 201),
    row('DELETE endorsement of A (C demand)',     async () => ({ method: 'delete', path: `/api/v1/demands/${await endorsedByA()}/endorsements/${w.A.id}` }),
                                                                                                                                     401, 403, 403, 204, 204, 403, 403, 204),
    row('GET /pacts',                             get('/pacts'),                                                                     401, 403, 200, 200, 200, 200, 200, 200),
    row('GET /pacts/:id (C)',                     async () => ({ method: 'get', path: await pactPath(pactOf({ coalition: w.C })) }), 401, 403, 200, 200, 200, 200, 200, 200),
    row('GET /pacts/:id (C2: only B a partner)',  async () => ({ method: 'get', path: await pactPath(pactOf({ coalition: C2 })) }),  401, 403, 404, 404, 404, 200, 404, 200),
    row('GET /pacts/:id (A)',                     async () => ({ method: 'get', path: await pactPath(pactOf({ organisation: w.A })) }), 401, 403, 200, 200, 200, 404, 404, 200),
    row('POST /pacts for C',                      () => ({ method: 'post', path: '/api/v1/pacts', body: { coalitionId: w.C.id, counterpartOrganisationId: JP.id, title: unique('p'), kind: 'electoral_support' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 201, 201),
    row('POST /pacts for A',                      () => ({ method: 'post', path: '/api/v1/pacts', body: { organisationId: w.A.id, counterpartOrganisationId: JP.id, title: unique('p'), kind: 'joint_action' } }),
                                                                                                                                     401, 403, 403, 201, 201, 403, 403, 201),
    row('PATCH /pacts/:id (C)',                   async () => ({ method: 'patch', path: await pactPath(pactOf({ coalition: w.C })), body: { status: 'negotiating' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH /pacts/:id (C2)',                  async () => ({ method: 'patch', path: await pactPath(pactOf({ coalition: C2 })), body: { title: unique('p') } }),
                                                                                                                                     401, 403, 403, 404, 404, 403, 404, 200),
    row('PATCH /pacts/:id (A)',                   async () => ({ method: 'patch', path: await pactPath(pactOf({ organisation: w.A })), body: { title: unique('p') } }),
                                                                                                                                     401, 403, 403, 200, 200, 404, 404, 200),
    row('PUT /pacts/:id/conditions/:demand (C)',  async () => ({ method: 'put', path: `${await pactPath(pactOf({ coalition: w.C }))}/conditions/${(await inC('adopted')).id}`, body: { note: 'art. 3' } }),
                                                                                                                                     401, 403, 403, 403, 403, 403, 201, 201),
    row('PUT /pacts/:id/conditions/:demand (A)',  async () => ({ method: 'put', path: `${await pactPath(pactOf({ organisation: w.A }))}/conditions/${(await inA('adopted')).id}`, body: { status: 'accepted' } }),
                                                                                                                                     401, 403, 403, 201, 201, 404, 404, 201),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });

  const as = (who: Who, path: string) => {
    const req = request(t.http).get(`/api/v1${path}`);
    return who === 'anon' ? req : req.set(w.users[who].auth);
  };

  it('lists what each caller may read: anonymous callers and outsiders see adopted and achieved demands only', async () => {
    // C, and a fresh chapter of A, each with (at least) one demand per status.
    const chapter = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
    for (const status of DEMAND_STATUSES) {
      await makeDemand(t, { coalition: w.C }, { status });
      await makeDemand(t, { organisation: chapter }, { status });
    }
    const seen = async (who: Who, filter: string) => {
      const res = await as(who, `/demands?${filter}&limit=200`);
      expect(res.body.nextCursor).toBeNull();
      return [...new Set(res.body.items.map((d: { status: string }) => d.status) as string[])].sort().join(',');
    };
    const all = [...DEMAND_STATUSES].sort().join(',');
    const pub = 'achieved,adopted';
    // prettier-ignore
    const expected: Record<Who, [string, string]> = {
      //             coalition C   chapter of A
      anon:         [pub,          pub],
      plain:        [pub,          pub],
      organiserA:   [all,          all],
      adminA:       [all,          all],
      adminP:       [all,          all],
      adminB:       [all,          pub],
      coordinator:  [all,          pub],
      platform:     [all,          all],
    };
    const actual = Object.fromEntries(await Promise.all(CALLERS.map(async (who) => [who, [await seen(who, `coalition=${w.C.id}`), await seen(who, `organisation=${chapter.id}`)]])));
    expect(actual).toEqual(expected);
  });

  it('lists pacts only to our side, as GET /pacts/:id answers', async () => {
    const pacts = { C: await pactOf({ coalition: w.C }), C2: await pactOf({ coalition: C2 }), A: await pactOf({ organisation: w.A }), B: await pactOf({ organisation: w.B }) };
    const seen = async (who: Who) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await as(who, `/pacts?counterpart=${JP.id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        ids.push(...res.body.items.map((p: { id: string }) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return Object.entries(pacts)
        .filter(([, p]) => ids.includes(p.id))
        .map(([k]) => k)
        .join(',');
    };
    // prettier-ignore
    const expected: Partial<Record<Who, string>> = {
      organiserA:  'C,A',
      adminA:      'C,A',
      adminP:      'C,A',
      adminB:      'C,C2,B',
      coordinator: 'C',
      platform:    'C,C2,A,B',
    };
    const actual = Object.fromEntries(await Promise.all(Object.keys(expected).map(async (who) => [who, await seen(who as Who)])));
    expect(actual).toEqual(expected);
  });
});
