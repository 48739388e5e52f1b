import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import { bootTestApp, type TestApp } from './support/app';
import { row, runRow, type Call, type MatrixRow } from './support/matrix';
import { buildWorld, makeEvent, makeOrganisation, makeUser, unique, type TestUser, type World } from './support/world';

/**
 * Who may do what with promotions (issue 22), route by route, in the world
 * of the other matrices: party P with its current A; party B; coalition C of
 * A and B. B hosts the events; A (organiserA, adminA, and adminP through P)
 * or C (the coordinator) promotes them; B's admin is the host. Events: EB
 * (B's, public), EA (A's, public: A's own), EM (B's, members-only), EP (B's,
 * private). The PATCH and DELETE rows act on a fresh promotion of a fresh
 * B event per caller. Then a third organisation's organiser, who neither
 * hosts nor promotes.
 * 404 = may not see the event (or the promotion); 403 = may see it but not
 * do this (the guard's 403 for callers without event.manage anywhere);
 * 409 = the event or the promoter forbids it; 401 = not logged in.
 */
describe('permission matrix: promotions', () => {
  let t: TestApp;
  let w: World;
  let EB: Event, EA: Event, EM: Event, EP: Event;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    EB = await makeEvent(t, { hostOrganisationId: w.B.id });
    EA = await makeEvent(t, { hostOrganisationId: w.A.id });
    EM = await makeEvent(t, { hostOrganisationId: w.B.id, visibility: 'members' });
    EP = await makeEvent(t, { hostOrganisationId: w.B.id, visibility: 'private' });
  });
  afterAll(() => t.close());

  /** A live promotion, straight into the database: of a fresh B event unless one is given. */
  async function promotion(by: { organisation?: Organisation; coalition?: boolean } = { organisation: undefined }, event?: Event): Promise<{ event: Event; id: string }> {
    const e = event ?? (await makeEvent(t, { hostOrganisationId: w.B.id }));
    const [p] = await t.db.query<{ id: string }[]>(`INSERT INTO event_promotions (event_id, organisation_id, coalition_id, ref) VALUES ($1, $2, $3, $4) RETURNING id`, [
      e.id,
      by.coalition ? null : (by.organisation ?? w.A).id,
      by.coalition ? w.C.id : null,
      unique('ref').replace(/[^a-z0-9]/g, ''),
    ]);
    return { event: e, id: p.id };
  }
  const post = (e: () => Event, body: () => object) => (): Call => ({ method: 'post', path: `/api/v1/events/${e().id}/promotions`, body: body() });
  const get =
    (e: () => Event, suffix = '') =>
    (): Call => ({ method: 'get', path: `/api/v1/events/${e().id}/promotions${suffix}` });
  const patch = (status: string, by?: { coalition: boolean }) => async (): Promise<Call> => {
    const p = await promotion(by);
    return { method: 'patch', path: `/api/v1/events/${p.event.id}/promotions/${p.id}`, body: { status } };
  };
  const remove = (by?: { coalition: boolean }) => async (): Promise<Call> => {
    const p = await promotion(by);
    return { method: 'delete', path: `/api/v1/events/${p.event.id}/promotions/${p.id}` };
  };

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                      anon plain orgA admA admP admB coord plat
    row('POST …/:B/promotions {A}',                post(() => EB, () => ({ organisationId: w.A.id })),                      401, 403, 201, 201, 201, 403, 403, 201),
    row('POST …/:B/promotions {C}',                post(() => EB, () => ({ coalitionId: w.C.id })),                         401, 403, 403, 403, 403, 403, 201, 201),
    row('POST …/:A/promotions {B}',                post(() => EA, () => ({ organisationId: w.B.id })),                      401, 403, 403, 403, 403, 201, 403, 201),
    row('POST …/:A/promotions {A} (own event)',    post(() => EA, () => ({ organisationId: w.A.id })),                      401, 403, 409, 409, 409, 403, 403, 409),
    row('POST …/:members-only/promotions {A}',     post(() => EM, () => ({ organisationId: w.A.id })),                      401, 403, 404, 404, 404, 403, 404, 409),
    row('POST …/:private/promotions {A}',          post(() => EP, () => ({ organisationId: w.A.id })),                      401, 403, 404, 404, 404, 403, 404, 409),
    row('GET …/:B/promotions',                     get(() => EB),                                                           401, 403, 200, 200, 200, 200, 200, 200),
    row('GET …/:private/promotions',               get(() => EP),                                                           401, 403, 404, 404, 404, 200, 404, 200),
    row('GET …/:B/promotions/stats',               get(() => EB, '/stats'),                                                 401, 403, 200, 200, 200, 200, 200, 200),
    row('GET …/:private/promotions/stats',         get(() => EP, '/stats'),                                                 401, 403, 404, 404, 404, 200, 404, 200),
    row('PATCH …/promotions/:A’s {ended}',         patch('ended'),                                                          401, 403, 200, 200, 200, 200, 404, 200),
    row('PATCH …/promotions/:A’s {refused}',       patch('refused'),                                                        401, 403, 403, 403, 403, 200, 404, 200),
    row('PATCH …/promotions/:C’s {ended}',         patch('ended', { coalition: true }),                                     401, 403, 404, 404, 404, 200, 200, 200),
    row('PATCH …/promotions/:C’s {refused}',       patch('refused', { coalition: true }),                                   401, 403, 404, 404, 404, 200, 403, 200),
    row('DELETE …/promotions/:A’s',                remove(),                                                                401, 403, 204, 204, 204, 204, 404, 204),
    row('DELETE …/promotions/:C’s',                remove({ coalition: true }),                                             401, 403, 404, 404, 404, 204, 204, 204),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });

  /**
   * A third organisation's organiser (neither host nor promoter) sees the
   * public event, holds event.manage (so the guard lets them through), and
   * gets nothing: no promotion on A's behalf, empty lists, and the promotions
   * of others do not exist for them.
   */
  describe('a third organisation’s organiser', () => {
    let third: TestUser;
    let X: Organisation;
    beforeAll(async () => {
      X = await makeOrganisation(t);
      third = await makeUser(t, [{ role: 'organiser', organisation: X }]);
    });
    const as = (call: Call) => {
      const r = request(t.http)[call.method](call.path).set(third.auth);
      return call.body ? r.send(call.body) : r;
    };

    it('gets 403 promoting for another organisation, and may promote for its own', async () => {
      expect(
        (
          await as(
            post(
              () => EB,
              () => ({ organisationId: w.A.id }),
            )(),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await as(
            post(
              () => EB,
              () => ({ coalitionId: w.C.id }),
            )(),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await as(
            post(
              () => EM,
              () => ({ organisationId: X.id }),
            )(),
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await as(
            post(
              () => EB,
              () => ({ organisationId: X.id }),
            )(),
          )
        ).status,
      ).toBe(201);
    });

    it('sees no one else’s promotions, nor their referrals, and cannot end or refuse them', async () => {
      const p = await promotion({ organisation: w.A });
      const list = await as({ method: 'get', path: `/api/v1/events/${p.event.id}/promotions` });
      expect([list.status, list.body]).toEqual([200, []]);
      const stats = await as({ method: 'get', path: `/api/v1/events/${p.event.id}/promotions/stats` });
      expect([stats.status, stats.body.promoters]).toEqual([200, []]);
      for (const status of ['ended', 'refused']) expect((await as({ method: 'patch', path: `/api/v1/events/${p.event.id}/promotions/${p.id}`, body: { status } })).status).toBe(404);
      expect((await as({ method: 'delete', path: `/api/v1/events/${p.event.id}/promotions/${p.id}` })).status).toBe(404);
      // A promotion of another event, named under this one: 404 for its host too.
      const elsewhere = await promotion({ organisation: w.A });
      expect((await request(t.http).delete(`/api/v1/events/${p.event.id}/promotions/${elsewhere.id}`).set(w.users.adminB.auth)).status).toBe(404);
      expect(await t.db.query(`SELECT status FROM event_promotions WHERE id = ANY($1::uuid[]) ORDER BY status`, [[p.id, elsewhere.id]])).toEqual([{ status: 'active' }, { status: 'active' }]);
    });
  });
});
