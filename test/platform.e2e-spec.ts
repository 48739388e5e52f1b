import request from 'supertest';

import type { Coalition } from '../src/coalitions/coalition.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import { bootTestApp, type TestApp } from './support/app';
import { auditEntriesFor, buildWorld, makeCoalition, makeDemand, makeOrganisation, makePact, makeUser, unique, type TestUser, type World } from './support/world';

/** The reference case's platform (DOMAIN.md). */
const PLATFORM = [
  { title: 'Derogación de las leyes procrimen', category: 'justicia', body: 'Repeal of the pro-crime laws.' },
  { title: 'Anulación de las exoneraciones tributarias a la agroexportación', category: 'economía', body: 'Annulment of the tax exemptions for agro-exporters.' },
  { title: 'Justicia y reparación para las familias de las víctimas', category: 'derechos humanos', body: 'Justice and reparations for the victims’ families.' },
  { title: 'Revisión de las concesiones mineras', category: 'territorio', body: 'Review of the mining concessions.' },
  { title: 'Asamblea Constituyente', category: 'democracia', body: 'A Constituent Assembly.' },
];

describe('the platform: demands, endorsements, pacts', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const as = (user: TestUser | null) => {
    const auth = (r: request.Test) => (user ? r.set(user.auth) : r);
    return {
      get: (path: string) => auth(request(t.http).get(`/api/v1${path}`)),
      post: (path: string, body: object) => auth(request(t.http).post(`/api/v1${path}`)).send(body),
      patch: (path: string, body: object) => auth(request(t.http).patch(`/api/v1${path}`)).send(body),
      put: (path: string, body: object) => auth(request(t.http).put(`/api/v1${path}`)).send(body),
      delete: (path: string) => auth(request(t.http).delete(`/api/v1${path}`)),
    };
  };
  const anon = as(null);
  const ok = (res: request.Response, status = 200) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const positions = async (column: string, ownerId: string) =>
    (await t.db.query<{ id: string; position: number }[]>(`SELECT id, position FROM demands WHERE ${column} = $1 ORDER BY position`, [ownerId])).map((r) => [r.position, r.id] as const);

  describe('reference case: VENCEREMOS offers JP conditional support', () => {
    let VP: Organisation, NP: Organisation, JP: Organisation, V: Coalition;
    let coordinator: TestUser, adminVP: TestUser, adminNP: TestUser;

    beforeAll(async () => {
      VP = await makeOrganisation(t, { slug: unique('voces-del-pueblo'), name: 'Voces del Pueblo', shortName: 'VP' });
      NP = await makeOrganisation(t, { slug: unique('nuevo-peru'), name: 'Nuevo Perú por el Buen Vivir', shortName: 'NP' });
      JP = await makeOrganisation(t, { slug: unique('juntos-por-el-peru'), name: 'Juntos por el Perú', shortName: 'JP', external: true });
      V = await makeCoalition(t, [VP, NP], { slug: unique('venceremos'), name: 'Alianza VENCEREMOS' });
      coordinator = await makeUser(t, [{ role: 'coordinator', coalition: V }]);
      adminVP = await makeUser(t, [{ role: 'org_admin', organisation: VP }]);
      adminNP = await makeUser(t, [{ role: 'org_admin', organisation: NP }]);
    });

    it('adopts five demands, both partners endorse, a pact with JP tracks them condition by condition', async () => {
      // The coordinators draft, propose and adopt the platform.
      const ids: string[] = [];
      for (const text of PLATFORM) {
        const draft = ok(await as(coordinator).post('/demands', { coalitionId: V.id, ...text }), 201);
        expect(draft).toMatchObject({ status: 'draft', code: `D${ids.length + 1}`, position: ids.length + 1, ownerCoalitionId: V.id, ownerOrganisationId: null });
        ok(await as(coordinator).patch(`/demands/${draft.id}`, { status: 'proposed' }));
        const adopted = ok(await as(coordinator).patch(`/demands/${draft.id}`, { status: 'adopted', adoptedOn: '2026-05-25' }));
        expect(adopted).toMatchObject({ status: 'adopted', adoptedOn: '2026-05-25' });
        ids.push(draft.id);
      }

      // Each partner's org_admin endorses every point, citing its assembly.
      for (const [admin, org] of [
        [adminVP, VP],
        [adminNP, NP],
      ] as const) {
        for (const id of ids) ok(await as(admin).post(`/demands/${id}/endorsements`, { organisationId: org.id, note: `Asamblea nacional de ${org.shortName}`, endorsedOn: '2026-05-30' }), 201);
      }
      const one = ok(await anon.get(`/demands/${ids[2]}`));
      expect(one.endorsements.map((e: { organisation: { shortName: string } }) => e.organisation.shortName).sort()).toEqual(['NP', 'VP']);
      expect(one.endorsements[0]).toMatchObject({ endorsedOn: '2026-05-30', note: expect.stringMatching(/^Asamblea nacional de/) });
      expect(one.endorsements[0]).not.toHaveProperty('endorsedBy'); // who clicked stays inside

      // Anyone reads the platform, in order, with its endorsements counted.
      const platform = ok(await anon.get(`/demands?coalition=${V.id}`));
      expect(platform.items.map((d: { code: string; title: string; endorsementCount: number }) => [d.code, d.title, d.endorsementCount])).toEqual(PLATFORM.map((p, i) => [`D${i + 1}`, p.title, 2]));

      // The pact: support in the second round if JP accepts the five points.
      const pact = ok(
        await as(coordinator).post('/pacts', { coalitionId: V.id, counterpartOrganisationId: JP.id, title: 'Apoyo condicionado en segunda vuelta', kind: 'electoral_support', startsOn: '2026-06-07' }),
        201,
      );
      expect(pact).toMatchObject({ status: 'draft', counterpart: { id: JP.id, external: true }, tally: { pending: 0, accepted: 0, rejected: 0, fulfilled: 0, breached: 0 }, conditions: [] });
      for (const id of ids) expect(ok(await as(coordinator).put(`/pacts/${pact.id}/conditions/${id}`, {}), 201)).toMatchObject({ demandId: id, status: 'pending' });
      ok(await as(coordinator).patch(`/pacts/${pact.id}`, { status: 'negotiating' }));
      for (const id of ids.slice(0, 4)) ok(await as(coordinator).put(`/pacts/${pact.id}/conditions/${id}`, { status: 'accepted', note: 'carta del 2026-06-01' }));
      const agreed = ok(await as(coordinator).patch(`/pacts/${pact.id}`, { status: 'agreed' }));
      expect(agreed.signedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      ok(await as(coordinator).put(`/pacts/${pact.id}/conditions/${ids[3]}`, { status: 'breached', note: 'voted against the review of concessions' }));

      const final = ok(await as(coordinator).get(`/pacts/${pact.id}`));
      expect(final.tally).toEqual({ pending: 1, accepted: 3, rejected: 0, fulfilled: 0, breached: 1 });
      expect(final.conditions.map((c: { demand: { code: string }; status: string }) => [c.demand.code, c.status])).toEqual([
        ['D1', 'accepted'],
        ['D2', 'accepted'],
        ['D3', 'accepted'],
        ['D4', 'breached'],
        ['D5', 'pending'],
      ]);
      // The partners are our side and read it; JP's name on it does not make it public.
      expect(ok(await as(adminVP).get(`/pacts/${pact.id}`)).tally).toEqual(final.tally);
      expect((await anon.get(`/pacts/${pact.id}`)).status).toBe(401);
      expect((await as(w.users.adminA).get(`/pacts/${pact.id}`)).status).toBe(404);

      // One audit entry per change, in the coalition's scope.
      expect((await auditEntriesFor(t, pact.id)).map((e) => e.action)).toEqual(['pact.create', 'pact.update', 'pact.update']);
      expect((await auditEntriesFor(t, ids[0])).map((e) => e.action)).toEqual(['demand.create', 'demand.update', 'demand.update']);
      const conditionActions = await t.db.query<{ action: string; n: number }[]>(
        `SELECT action, count(*)::int AS n FROM audit_log WHERE entity = 'pact_condition' AND coalition_id = $1 GROUP BY action ORDER BY action`,
        [V.id],
      );
      expect(conditionActions).toEqual([
        { action: 'pact.condition.create', n: 5 },
        { action: 'pact.condition.update', n: 5 },
      ]);
      const endorsements = await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'demand.endorse' AND coalition_id = $1`, [V.id]);
      expect(endorsements[0].n).toBe(10);
    });
  });

  describe('revisions', () => {
    it('keeps every edit of an adopted demand’s text, before and after, and none for a draft', async () => {
      const d = ok(await as(w.users.coordinator).post('/demands', { coalitionId: w.C.id, title: 'Constituent Assembly', body: 'v1', category: 'democracy' }), 201);
      ok(await as(w.users.coordinator).patch(`/demands/${d.id}`, { title: 'Constituent Assembly now', body: 'v1 draft edit' }));
      expect(ok(await as(w.users.coordinator).get(`/demands/${d.id}/revisions`)).items).toEqual([]);

      ok(await as(w.users.coordinator).patch(`/demands/${d.id}`, { status: 'proposed' }));
      ok(await as(w.users.coordinator).patch(`/demands/${d.id}`, { status: 'adopted' }));
      expect(ok(await anon.get(`/demands/${d.id}/revisions`)).items).toEqual([]); // status changes are not text revisions

      ok(await as(w.users.coordinator).patch(`/demands/${d.id}`, { body: 'v2' }));
      ok(await as(w.users.platform).patch(`/demands/${d.id}`, { title: 'Popular Constituent Assembly', category: 'democracia' }));
      ok(await as(w.users.coordinator).patch(`/demands/${d.id}`, { title: 'Popular Constituent Assembly' })); // no change: no revision

      const inside = ok(await as(w.users.coordinator).get(`/demands/${d.id}/revisions`)).items;
      expect(inside.map((r: object) => ({ ...r, id: undefined, revisedAt: undefined }))).toEqual([
        {
          before: { title: 'Constituent Assembly now', body: 'v1 draft edit', category: 'democracy' },
          after: { title: 'Constituent Assembly now', body: 'v2', category: 'democracy' },
          revisedBy: w.users.coordinator.id,
        },
        {
          before: { title: 'Constituent Assembly now', body: 'v2', category: 'democracy' },
          after: { title: 'Popular Constituent Assembly', body: 'v2', category: 'democracia' },
          revisedBy: w.users.platform.id,
        },
      ]);
      expect(new Date(inside[0].revisedAt).getTime()).toBeLessThanOrEqual(new Date(inside[1].revisedAt).getTime());
      // The public sees the history of public text, not who typed it.
      const outside = ok(await anon.get(`/demands/${d.id}/revisions`)).items;
      expect(outside.map((r: { after: object }) => r.after)).toEqual(inside.map((r: { after: object }) => r.after));
      expect(outside.every((r: object) => !('revisedBy' in r))).toBe(true);
      // Paged one at a time, nothing lost.
      const first = ok(await anon.get(`/demands/${d.id}/revisions?limit=1`));
      const second = ok(await anon.get(`/demands/${d.id}/revisions?limit=1&cursor=${first.nextCursor}`));
      expect([first.items[0].id, second.items[0].id, second.nextCursor]).toEqual([inside[0].id, inside[1].id, null]);
    });
  });

  describe('the order of a platform', () => {
    it('keeps positions 1..n on creation and on a reorder', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const made: string[] = [];
      for (let i = 0; i < 7; i++) made.push(ok(await as(w.users.organiserA).post('/demands', { organisationId: org.id, title: `Punto ${i + 1}` }), 201).id);
      expect((await positions('owner_organisation_id', org.id)).map(([p]) => p)).toEqual([1, 2, 3, 4, 5, 6, 7]);

      const order = [made[6], made[0], made[5], made[1], made[4], made[2], made[3]];
      const res = ok(await as(w.users.adminA).put('/demands/order', { organisationId: org.id, ids: order }));
      expect(res.map((d: { id: string; position: number }) => [d.position, d.id])).toEqual(order.map((id, i) => [i + 1, id]));
      expect(await positions('owner_organisation_id', org.id)).toEqual(order.map((id, i) => [i + 1, id]));
      const audit = await t.db.query<{ changes: { order: { from: string[]; to: string[] } } }[]>(`SELECT changes FROM audit_log WHERE action = 'demand.reorder' AND entity_id = $1`, [org.id]);
      expect(audit).toHaveLength(1);
      expect(audit[0].changes.order.to).toEqual(['D7', 'D1', 'D6', 'D2', 'D5', 'D3', 'D4']);
      // The same order again changes nothing and records nothing.
      ok(await as(w.users.adminA).put('/demands/order', { organisationId: org.id, ids: order }));
      expect(await t.db.query(`SELECT 1 FROM audit_log WHERE action = 'demand.reorder' AND entity_id = $1`, [org.id])).toHaveLength(1);
      // A new demand goes to the end.
      expect(ok(await as(w.users.organiserA).post('/demands', { organisationId: org.id, title: 'Punto 8' }), 201)).toMatchObject({ position: 8, code: 'D8' });
    });

    it('stays a permutation of 1..7 equal to one of the requested orders when two reorders race', async () => {
      const V = await makeCoalition(t, [w.A, w.B]);
      const coordinator = await makeUser(t, [{ role: 'coordinator', coalition: V }]);
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await makeDemand(t, { coalition: V }, { status: i % 2 ? 'adopted' : 'draft' })).id);
      const reversed = [...ids].reverse();
      const rotated = [...ids.slice(3), ...ids.slice(0, 3)];
      for (let round = 0; round < 10; round++) {
        // Two requests racing, and again with two more in flight.
        const racers = [reversed, rotated, ...(round % 2 ? [rotated, reversed] : [])].map((ids, i) => as(i % 2 ? w.users.platform : coordinator).put('/demands/order', { coalitionId: V.id, ids }));
        expect((await Promise.all(racers)).map((r) => r.status)).toEqual(racers.map(() => 200));
        const now = await positions('owner_coalition_id', V.id);
        expect(now.map(([p]) => p)).toEqual([1, 2, 3, 4, 5, 6, 7]);
        const order = now.map(([, id]) => id);
        expect([reversed.join(), rotated.join()]).toContain(order.join());
      }
      // They ran one after the other: each recorded change starts from the order the previous one left.
      const log = await t.db.query<{ changes: { order: { from: string[]; to: string[] } } }[]>(`SELECT changes FROM audit_log WHERE action = 'demand.reorder' AND entity_id = $1 ORDER BY id`, [V.id]);
      expect(log.length).toBeGreaterThanOrEqual(5);
      for (let i = 1; i < log.length; i++) expect(log[i].changes.order.from).toEqual(log[i - 1].changes.order.to);
    });

    it('refuses an order that is not the whole platform, and changes nothing', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.A.id });
      const ids = [(await makeDemand(t, { organisation: org })).id, (await makeDemand(t, { organisation: org })).id, (await makeDemand(t, { organisation: org })).id];
      const other = await makeDemand(t, { organisation: w.A });
      const before = await positions('owner_organisation_id', org.id);
      const cases: [object, number, string][] = [
        [{ organisationId: org.id, ids: ids.slice(0, 2) }, 409, 'incomplete-order'],
        [{ organisationId: org.id, ids: [...ids, other.id] }, 400, 'unknown-demand'],
        [{ organisationId: org.id, ids: [ids[0], ids[0], ids[1], ids[2]] }, 400, 'validation-failed'],
        [{ organisationId: org.id, ids: ['nope'] }, 400, 'validation-failed'],
        [{ organisationId: org.id, ids: [] }, 400, 'validation-failed'],
        [{ ids }, 400, 'invalid-owner'],
        [{ organisationId: org.id, coalitionId: w.C.id, ids }, 400, 'invalid-owner'],
        [{ organisationId: '00000000-0000-4000-8000-000000000000', ids }, 400, 'unknown-owner'],
        [{ organisationId: org.id, ids, position: 1 }, 400, 'validation-failed'],
      ];
      for (const [body, status, code] of cases) {
        const res = await as(w.users.adminA).put('/demands/order', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      const missing = await as(w.users.adminA).put('/demands/order', { organisationId: org.id, ids: ids.slice(0, 2) });
      expect(missing.body.detail).toMatch(/3 demands; send all of them.*D3/);
      expect(await positions('owner_organisation_id', org.id)).toEqual(before);
    });
  });

  describe('endorsements', () => {
    it('are made once per organisation, shown on the demand, and withdrawn by that organisation only', async () => {
      const d = await makeDemand(t, { coalition: w.C }, { status: 'adopted' });
      const path = `/demands/${d.id}/endorsements`;
      const first = ok(await as(w.users.adminA).post(path, { organisationId: w.A.id, note: 'Congreso 2026' }), 201);
      expect(first).toMatchObject({ organisationId: w.A.id, organisation: { slug: w.A.slug }, note: 'Congreso 2026', endorsedBy: w.users.adminA.id });
      expect(first.endorsedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      const again = await as(w.users.adminP).post(path, { organisationId: w.A.id });
      expect([again.status, again.body.code]).toEqual([409, 'already-endorsed']);
      expect(again.body.detail).toMatch(/already endorses this demand/);
      expect(again.headers['content-type']).toMatch(/problem\+json/);

      // A partner's admin may endorse as themselves, but not for another partner, and may not edit the coalition's demand.
      expect((await as(w.users.adminB).post(path, { organisationId: w.A.id })).status).toBe(403);
      expect((await as(w.users.adminB).patch(`/demands/${d.id}`, { title: 'hijacked' })).status).toBe(403);
      ok(await as(w.users.adminB).post(path, { organisationId: w.B.id }), 201);
      expect(
        ok(await anon.get(`/demands/${d.id}`))
          .endorsements.map((e: { organisationId: string }) => e.organisationId)
          .sort(),
      ).toEqual([w.A.id, w.B.id].sort());

      expect((await as(w.users.adminB).delete(`${path}/${w.A.id}`)).status).toBe(403);
      expect((await as(w.users.adminA).delete(`${path}/${w.A.id}`)).status).toBe(204);
      expect((await as(w.users.adminA).delete(`${path}/${w.A.id}`)).status).toBe(404);
      expect(ok(await anon.get(`/demands/${d.id}`)).endorsements.map((e: { organisationId: string }) => e.organisationId)).toEqual([w.B.id]);
      // Withdrawn, it may be given again.
      ok(await as(w.users.adminA).post(path, { organisationId: w.A.id }), 201);
      const actions = await t.db.query<{ action: string }[]>(
        `SELECT action FROM audit_log WHERE entity = 'demand_endorsement' AND $1 IN (changes->'demandId'->>'to', changes->'demandId'->>'from') ORDER BY id`,
        [d.id],
      );
      expect(actions.map((a) => a.action)).toEqual(['demand.endorse', 'demand.endorse', 'demand.unendorse', 'demand.endorse']);
    });

    it('come only from active partners for a coalition demand, and only for proposed or adopted demands', async () => {
      const outsider = await makeOrganisation(t);
      const suspended = await makeOrganisation(t);
      const V = await makeCoalition(t, [w.A]);
      await t.db.query(`INSERT INTO coalition_partners (coalition_id, organisation_id, role, status) VALUES ($1, $2, 'member', 'suspended')`, [V.id, suspended.id]);
      const adopted = await makeDemand(t, { coalition: V }, { status: 'adopted' });
      const jp = await makeOrganisation(t, { external: true });
      const cases: [string, object, number, string][] = [
        [adopted.id, { organisationId: outsider.id }, 409, 'not-a-partner'],
        [adopted.id, { organisationId: suspended.id }, 409, 'not-a-partner'],
        [adopted.id, { organisationId: jp.id }, 400, 'external-organisation'],
        [adopted.id, { organisationId: '00000000-0000-4000-8000-000000000000' }, 400, 'unknown-organisation'],
        [adopted.id, { organisationId: w.A.id, endorsedOn: '2026-13-01' }, 400, 'validation-failed'],
        [adopted.id, { organisationId: w.A.id, note: 'x'.repeat(2001) }, 400, 'validation-failed'],
        [adopted.id, { organisationId: w.A.id, endorsedBy: w.users.plain.id }, 400, 'validation-failed'],
        [(await makeDemand(t, { coalition: V }, { status: 'draft' })).id, { organisationId: w.A.id }, 409, 'not-endorsable'],
        [(await makeDemand(t, { coalition: V }, { status: 'withdrawn' })).id, { organisationId: w.A.id }, 409, 'not-endorsable'],
        [(await makeDemand(t, { coalition: V }, { status: 'achieved' })).id, { organisationId: w.A.id }, 409, 'not-endorsable'],
      ];
      for (const [id, body, status, code] of cases) {
        const res = await as(w.users.platform).post(`/demands/${id}/endorsements`, body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      expect((await t.db.query(`SELECT 1 FROM demand_endorsements e JOIN demands d ON d.id = e.demand_id WHERE d.owner_coalition_id = $1`, [V.id])).length).toBe(0);
      ok(await as(w.users.platform).post(`/demands/${(await makeDemand(t, { coalition: V }, { status: 'proposed' })).id}/endorsements`, { organisationId: w.A.id }), 201);
    });
  });

  describe('workflow and bad input', () => {
    it('allows only the status workflow, with clear 409s', async () => {
      const make = (status: 'draft' | 'proposed' | 'adopted' | 'withdrawn' | 'achieved') => makeDemand(t, { organisation: w.A }, { status });
      const cases: [Awaited<ReturnType<typeof make>>['status'], string, RegExp][] = [
        ['draft', 'achieved', /^A demand cannot go from draft to achieved; from draft it can become proposed or withdrawn\.$/],
        ['draft', 'adopted', /from draft to adopted/],
        ['adopted', 'draft', /from adopted to draft; from adopted it can become achieved or withdrawn/],
        ['adopted', 'proposed', /from adopted to proposed/],
        ['withdrawn', 'proposed', /withdrawn is final/],
        ['achieved', 'adopted', /achieved is final/],
      ];
      for (const [from, to, message] of cases) {
        const d = await make(from);
        const res = await as(w.users.adminA).patch(`/demands/${d.id}`, { status: to });
        expect([from, to, res.status, res.body.code]).toEqual([from, to, 409, 'invalid-transition']);
        expect(res.body.detail).toMatch(message);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect((await t.db.query(`SELECT status FROM demands WHERE id = $1`, [d.id]))[0].status).toBe(from);
      }
      // Allowed moves, by who may make them.
      const d = await make('draft');
      ok(await as(w.users.organiserA).patch(`/demands/${d.id}`, { status: 'proposed' }));
      expect((await as(w.users.organiserA).patch(`/demands/${d.id}`, { status: 'adopted' })).status).toBe(403);
      ok(await as(w.users.organiserA).patch(`/demands/${d.id}`, { status: 'draft' })); // back for rework
      ok(await as(w.users.organiserA).patch(`/demands/${d.id}`, { status: 'proposed' }));
      const adopted = ok(await as(w.users.adminA).patch(`/demands/${d.id}`, { status: 'adopted' }));
      expect(adopted.adoptedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      ok(await as(w.users.adminP).patch(`/demands/${d.id}`, { status: 'achieved' }));
      const closed = await as(w.users.adminA).patch(`/demands/${d.id}`, { title: 'rewritten' });
      expect([closed.status, closed.body.code]).toEqual([409, 'demand-closed']);
      const early = await as(w.users.adminA).patch(`/demands/${(await make('proposed')).id}`, { adoptedOn: '2026-01-01' });
      expect([early.status, early.body.code]).toEqual([400, 'not-adopted']);
    });

    it('answers bad demand input with 4xx problems and writes nothing', async () => {
      const taken = await makeDemand(t, { organisation: w.A }, { code: 'X1' });
      const jp = await makeOrganisation(t, { external: true });
      const counts = () => t.db.query(`SELECT (SELECT count(*) FROM demands)::int AS d, (SELECT count(*) FROM demand_revisions)::int AS r, (SELECT count(*) FROM audit_log)::int AS a`);
      const before = await counts();
      const posts: [object, number, string][] = [
        [{ title: 'no owner' }, 400, 'invalid-owner'],
        [{ coalitionId: w.C.id, organisationId: w.A.id, title: 'two owners' }, 400, 'invalid-owner'],
        [{ organisationId: '00000000-0000-4000-8000-000000000000', title: 'x' }, 400, 'unknown-owner'],
        [{ organisationId: jp.id, title: 'x' }, 400, 'external-organisation'],
        [{ organisationId: w.A.id, title: 'x', code: 'X1' }, 409, 'code-taken'],
        [{ organisationId: w.A.id, title: 'x', code: 'bad code!' }, 400, 'validation-failed'],
        [{ organisationId: w.A.id, title: '' }, 400, 'validation-failed'],
        [{ organisationId: w.A.id, title: 'x'.repeat(301) }, 400, 'validation-failed'],
        [{ organisationId: w.A.id, title: 'x', status: 'adopted' }, 400, 'validation-failed'],
        [{ organisationId: w.A.id, title: 'x', position: 1 }, 400, 'validation-failed'],
        [{ organisationId: 'A', title: 'x' }, 400, 'validation-failed'],
        [{ organisationId: w.A.id, title: 42 }, 400, 'validation-failed'],
      ];
      for (const [body, status, code] of posts) {
        const res = await as(w.users.platform).post('/demands', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      const adopted = await makeDemand(t, { organisation: w.A }, { status: 'adopted' });
      const patches: [object, number, string][] = [
        [{ title: null }, 400, 'validation-failed'],
        [{ code: null }, 400, 'validation-failed'],
        [{ code: 'X1' }, 409, 'code-taken'],
        [{ position: 1 }, 400, 'validation-failed'],
        [{ ownerOrganisationId: w.B.id }, 400, 'validation-failed'],
        [{ organisationId: w.B.id }, 400, 'validation-failed'],
        [{ status: 'imperial' }, 400, 'validation-failed'],
        [{ adoptedOn: '2026-02-30' }, 400, 'invalid-value'],
        [{ adoptedOn: 'yesterday' }, 400, 'validation-failed'],
        [{ title: 'half', status: 'draft' }, 409, 'invalid-transition'], // the title change must not survive
      ];
      for (const [body, status, code] of patches) {
        const res = await as(w.users.platform).patch(`/demands/${adopted.id}`, body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
      }
      expect(await counts()).toEqual(before.map((c: { d: number }) => ({ ...c, d: c.d + 1 })));
      expect((await t.db.query(`SELECT title, code FROM demands WHERE id = $1`, [adopted.id]))[0]).toEqual({ title: adopted.title, code: adopted.code });
      expect(taken.code).toBe('X1');

      const gets: [string, number][] = [
        ['/demands/not-a-uuid', 400],
        ['/demands/00000000-0000-4000-8000-000000000000', 404],
        ['/demands/00000000-0000-4000-8000-000000000000/revisions', 404],
        ['/demands?status=imperial', 400],
        ['/demands?coalition=venceremos', 400],
        ['/demands?limit=1000', 400],
        ['/demands?cursor=%27%3B%20drop', 400],
        [`/demands?cursor=${Buffer.from(JSON.stringify(['x', 1, 'y'])).toString('base64url')}`, 400],
        [`/demands/${adopted.id}/revisions?cursor=${Buffer.from(JSON.stringify(['1; drop'])).toString('base64url')}`, 400],
      ];
      for (const [path, status] of gets) {
        const res = await anon.get(path);
        expect([path, res.status]).toEqual([path, status]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
    });

    it('pages through demands by keyset without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await as(w.users.platform).get(`/demands?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      const all = await t.db.query<{ id: string }[]>('SELECT id FROM demands ORDER BY COALESCE(owner_coalition_id, owner_organisation_id), position');
      expect(seen).toEqual(all.map((r) => r.id));
    });
  });

  describe('pacts', () => {
    let JP: Organisation;
    beforeAll(async () => {
      JP = await makeOrganisation(t, { slug: unique('jp'), external: true });
    });

    it('follow their workflow, and their conditions follow the pact’s', async () => {
      const pact = ok(await as(w.users.adminA).post('/pacts', { organisationId: w.A.id, counterpartOrganisationId: JP.id, title: 'Acción conjunta', kind: 'joint_action' }), 201);
      const d1 = await makeDemand(t, { organisation: w.A }, { status: 'adopted' });
      const d2 = await makeDemand(t, { organisation: w.A }, { status: 'proposed' });
      const path = `/pacts/${pact.id}`;
      const expect409 = (res: request.Response, code: string, message: RegExp) => {
        expect([res.status, res.body.code]).toEqual([409, code]);
        expect(res.body.detail).toMatch(message);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      };
      expect409(await as(w.users.adminA).patch(path, { status: 'agreed' }), 'invalid-transition', /^A pact cannot go from draft to agreed; from draft it can become negotiating\.$/);
      ok(await as(w.users.adminA).put(`${path}/conditions/${d1.id}`, { status: 'accepted' }), 201);
      expect409(await as(w.users.adminA).put(`${path}/conditions/${d1.id}`, { status: 'fulfilled' }), 'invalid-transition', /only once the pact is agreed/);
      ok(await as(w.users.adminA).patch(path, { status: 'negotiating' }));
      ok(await as(w.users.adminA).put(`${path}/conditions/${d2.id}`, { status: 'rejected', note: 'no' }), 201);
      ok(await as(w.users.adminA).put(`${path}/conditions/${d2.id}`, { status: 'pending' })); // negotiation goes back and forth
      ok(await as(w.users.adminA).patch(path, { status: 'agreed', signedOn: '2026-06-02' }));
      expect409(
        await as(w.users.adminA).put(`${path}/conditions/${(await makeDemand(t, { organisation: w.A }, { status: 'adopted' })).id}`, {}),
        'pact-agreed',
        /added only while it is draft or negotiating/,
      );
      expect409(await as(w.users.adminA).put(`${path}/conditions/${d2.id}`, { status: 'breached' }), 'invalid-transition', /Only an accepted condition can be breached/);
      expect409(await as(w.users.adminA).put(`${path}/conditions/${d2.id}`, { status: 'accepted' }), 'invalid-transition', /can now only be fulfilled or breached/);
      ok(await as(w.users.adminA).put(`${path}/conditions/${d1.id}`, { status: 'fulfilled' }));
      expect409(await as(w.users.adminA).put(`${path}/conditions/${d1.id}`, { status: 'breached' }), 'invalid-transition', /fulfilled: that is final/);
      expect409(await as(w.users.adminA).patch(path, { status: 'negotiating' }), 'invalid-transition', /from agreed to negotiating; from agreed it can become fulfilled or broken/);
      ok(await as(w.users.adminA).patch(path, { status: 'fulfilled' }));
      expect409(await as(w.users.adminA).put(`${path}/conditions/${d2.id}`, { note: 'late' }), 'pact-closed', /fulfilled: its conditions can no longer change/);
      const final = ok(await as(w.users.organiserA).get(path));
      expect(final).toMatchObject({ status: 'fulfilled', signedOn: '2026-06-02', tally: { pending: 1, accepted: 0, rejected: 0, fulfilled: 1, breached: 0 } });
    });

    it('take conditions only from our own side’s demands, and answer bad input with 4xx, writing nothing', async () => {
      const pact = await makePact(t, { coalition: w.C }, JP);
      const path = `/pacts/${pact.id}/conditions`;
      const publicOfA = await makeDemand(t, { organisation: w.A }, { status: 'adopted' });
      const hiddenOfB = await makeDemand(t, { organisation: w.B }, { status: 'proposed' });
      const otherCoalition = await makeDemand(t, { coalition: await makeCoalition(t, [w.B]) }, { status: 'adopted' });
      const ownDraft = await makeDemand(t, { coalition: w.C }, { status: 'draft' });
      const own = await makeDemand(t, { coalition: w.C }, { status: 'adopted' });
      const counts = () => t.db.query(`SELECT (SELECT count(*) FROM pacts)::int AS p, (SELECT count(*) FROM pact_conditions)::int AS c, (SELECT count(*) FROM audit_log)::int AS a`);
      const before = await counts();
      const puts: [string, object, number, string][] = [
        [publicOfA.id, {}, 400, 'foreign-demand'],
        [otherCoalition.id, { status: 'accepted' }, 400, 'foreign-demand'],
        [hiddenOfB.id, {}, 404, 'not-found'], // the coordinator may not even see it
        ['00000000-0000-4000-8000-000000000000', {}, 404, 'not-found'],
        ['not-a-uuid', {}, 400, 'bad-request'],
        [ownDraft.id, {}, 409, 'demand-not-eligible'],
        [own.id, { status: 'maybe' }, 400, 'validation-failed'],
        [own.id, { status: 'breached' }, 409, 'invalid-transition'],
        [own.id, { note: 'x'.repeat(2001) }, 400, 'validation-failed'],
        [own.id, { pactId: pact.id }, 400, 'validation-failed'],
      ];
      for (const [demandId, body, status, code] of puts) {
        const res = await as(w.users.coordinator).put(`${path}/${demandId}`, body);
        expect([demandId, JSON.stringify(body), res.status, res.body.code]).toEqual([demandId, JSON.stringify(body), status, code]);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
      }
      const foreign = await as(w.users.coordinator).put(`${path}/${publicOfA.id}`, {});
      expect(foreign.body.detail).toMatch(/belongs to another owner/);

      const posts: [object, number, string][] = [
        [{ counterpartOrganisationId: JP.id, title: 'x', kind: 'other' }, 400, 'invalid-owner'],
        [{ coalitionId: w.C.id, counterpartOrganisationId: '00000000-0000-4000-8000-000000000000', title: 'x', kind: 'other' }, 400, 'unknown-counterpart'],
        [{ organisationId: w.A.id, counterpartOrganisationId: w.A.id, title: 'x', kind: 'other' }, 400, 'pact-with-itself'],
        [{ organisationId: JP.id, counterpartOrganisationId: w.A.id, title: 'x', kind: 'other' }, 400, 'external-organisation'],
        [{ coalitionId: w.C.id, counterpartOrganisationId: JP.id, title: 'x', kind: 'bribe' }, 400, 'validation-failed'],
        [{ coalitionId: w.C.id, counterpartOrganisationId: JP.id, title: 'x', kind: 'other', status: 'agreed' }, 400, 'validation-failed'],
        [{ coalitionId: w.C.id, counterpartOrganisationId: JP.id, title: 'x', kind: 'other', startsOn: '2026-06-10', endsOn: '2026-06-01' }, 400, 'invalid-dates'],
        [{ coalitionId: w.C.id, counterpartOrganisationId: JP.id, title: 'x', kind: 'other', signedOn: '01/06/2026' }, 400, 'validation-failed'],
      ];
      for (const [body, status, code] of posts) {
        const res = await as(w.users.platform).post('/pacts', body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
      }
      const patches: [object, number, string][] = [
        [{ counterpartOrganisationId: w.B.id }, 400, 'validation-failed'],
        [{ ownerCoalitionId: null }, 400, 'validation-failed'],
        [{ title: null }, 400, 'validation-failed'],
        [{ status: 'fulfilled' }, 409, 'invalid-transition'],
        [{ endsOn: '2020-01-01', startsOn: '2021-01-01' }, 400, 'invalid-dates'],
      ];
      for (const [body, status, code] of patches) {
        const res = await as(w.users.coordinator).patch(`/pacts/${pact.id}`, body);
        expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), status, code]);
      }
      expect(await counts()).toEqual(before);
      expect((await as(w.users.coordinator).get('/pacts/not-a-uuid')).status).toBe(400);
      expect((await as(w.users.coordinator).get('/pacts?status=won')).status).toBe(400);
      expect((await as(w.users.coordinator).get(`/pacts?cursor=${Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')}`)).status).toBe(400);
    });

    it('page by keyset, newest first, without gaps or repeats', async () => {
      const org = await makeOrganisation(t, { kind: 'chapter', parentId: w.B.id });
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await makePact(t, { organisation: org }, JP)).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await as(w.users.adminB).get(`/pacts?organisation=${org.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((p: { id: string }) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...made].reverse());
    });
  });
});
