import { randomUUID } from 'node:crypto';
import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { row, runRow, type MatrixRow } from './support/matrix';
import { buildWorld, makeEvent, type TestUser, type World } from './support/world';

const HOUR = 3600_000;

/**
 * Who may do what at the door (issue 21), route by route, in the world of
 * events-matrix.e2e-spec.ts: party P with its current A; party B; coalition
 * C of A and B. Events under way: EA (A's, public), EJ (A's, co-hosted by
 * B), EC (C's), EP (A's, private), EH (A's, public, the plain user its
 * per-event host). Then the other credentials: a per-event host and a door
 * link of one event on another, a revoked link.
 * 404 = may not even see the event; 403 = may see it but not do this;
 * 401 = not logged in (nor a live door link).
 */
describe('permission matrix: check-in at the door', () => {
  let t: TestApp;
  let w: World;
  let EA: Event, EJ: Event, EC: Event, EP: Event, EH: Event;

  const live = (fields: Partial<Event> & { coHosts?: World['B'][] }) => makeEvent(t, { startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + 2 * HOUR), capacity: 1000, ...fields });

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    EA = await live({ hostOrganisationId: w.A.id });
    EJ = await live({ hostOrganisationId: w.A.id, coHosts: [w.B] });
    EC = await live({ coalitionId: w.C.id });
    EP = await live({ hostOrganisationId: w.A.id, visibility: 'private' });
    EH = await live({ hostOrganisationId: w.A.id });
    await t.db.query(`INSERT INTO event_roles (event_id, user_id, role) VALUES ($1, $2, 'host')`, [EH.id, w.users.plain.id]);
  });
  afterAll(() => t.close());

  const manifest = (e: () => Event) => () => ({ method: 'get' as const, path: `/api/v1/events/${e().id}/check-in-manifest` });
  const checkIns = (e: () => Event) => () => ({
    method: 'post' as const,
    path: `/api/v1/events/${e().id}/check-ins`,
    body: { items: [{ clientId: randomUUID(), at: new Date().toISOString(), walkIn: { name: 'Juana Huamán' } }] },
  });
  const makeLink = async (e: Event) => (await request(t.http).post(`/api/v1/events/${e.id}/door-links`).set(w.users.platform.auth).send({ label: 'Puerta' })).body as { id: string; secret: string };

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                       anon plain orgA admA admP admB coord plat
    row('GET …/:A/check-in-manifest',              manifest(() => EA),                                                        401, 403, 200, 200, 200, 403, 403, 200),
    row('GET …/:co-hosted by B/check-in-manifest', manifest(() => EJ),                                                        401, 403, 200, 200, 200, 200, 403, 200),
    row('GET …/:coalition/check-in-manifest',      manifest(() => EC),                                                        401, 403, 403, 403, 403, 403, 200, 200),
    row('GET …/:private/check-in-manifest',        manifest(() => EP),                                                        401, 404, 200, 200, 200, 404, 404, 200),
    row('GET …/:hosted by plain/check-in-manifest', manifest(() => EH),                                                       401, 200, 200, 200, 200, 403, 403, 200),
    row('POST …/:A/check-ins',                     checkIns(() => EA),                                                        401, 403, 200, 200, 200, 403, 403, 200),
    row('POST …/:co-hosted by B/check-ins',        checkIns(() => EJ),                                                        401, 403, 200, 200, 200, 200, 403, 200),
    row('POST …/:coalition/check-ins',             checkIns(() => EC),                                                        401, 403, 403, 403, 403, 403, 200, 200),
    row('POST …/:private/check-ins',               checkIns(() => EP),                                                        401, 404, 200, 200, 200, 404, 404, 200),
    row('POST …/:hosted by plain/check-ins',       checkIns(() => EH),                                                        401, 200, 200, 200, 200, 403, 403, 200),
    row('POST …/:A/door-links',                    () => ({ method: 'post', path: `/api/v1/events/${EA.id}/door-links`, body: { label: 'Puerta 1' } }),
                                                                                                                              401, 403, 201, 201, 201, 403, 403, 201),
    row('POST …/:private/door-links',              () => ({ method: 'post', path: `/api/v1/events/${EP.id}/door-links`, body: { label: 'Puerta 1' } }),
                                                                                                                              401, 403, 201, 201, 201, 404, 404, 201),
    row('POST …/:hosted by plain/door-links',      () => ({ method: 'post', path: `/api/v1/events/${EH.id}/door-links`, body: { label: 'Puerta 1' } }),
                                                                                                                              401, 403, 201, 201, 201, 403, 403, 201),
    row('POST …/:coalition/door-links',            () => ({ method: 'post', path: `/api/v1/events/${EC.id}/door-links`, body: { label: 'Puerta 1' } }),
                                                                                                                              401, 403, 403, 403, 403, 403, 201, 201),
    row('GET …/:A/door-links',                     () => ({ method: 'get', path: `/api/v1/events/${EA.id}/door-links` }),   401, 403, 200, 200, 200, 403, 403, 200),
    row('GET …/:private/door-links',               () => ({ method: 'get', path: `/api/v1/events/${EP.id}/door-links` }),   401, 403, 200, 200, 200, 404, 404, 200),
    row('DELETE …/:A/door-links/:linkId',          async () => ({ method: 'delete', path: `/api/v1/events/${EA.id}/door-links/${(await makeLink(EA)).id}` }),
                                                                                                                              401, 403, 204, 204, 204, 403, 403, 204),
    row('DELETE …/:co-hosted by B/door-links/:linkId', async () => ({ method: 'delete', path: `/api/v1/events/${EJ.id}/door-links/${(await makeLink(EJ)).id}` }),
                                                                                                                              401, 403, 204, 204, 204, 204, 403, 204),
    row('GET …/:A/turnout',                        () => ({ method: 'get', path: `/api/v1/events/${EA.id}/turnout` }),      401, 403, 200, 200, 200, 403, 403, 200),
    row('GET …/:private/turnout',                  () => ({ method: 'get', path: `/api/v1/events/${EP.id}/turnout` }),      401, 403, 200, 200, 200, 404, 404, 200),
    row('GET …/:hosted by plain/turnout',          () => ({ method: 'get', path: `/api/v1/events/${EH.id}/turnout` }),      401, 403, 200, 200, 200, 403, 403, 200),
    row('GET …/:coalition/turnout',                () => ({ method: 'get', path: `/api/v1/events/${EC.id}/turnout` }),      401, 403, 403, 403, 403, 403, 200, 200),
    row('GET /coalitions/:C/turnout',              () => ({ method: 'get', path: `/api/v1/coalitions/${w.C.id}/turnout` }), 401, 403, 403, 403, 403, 403, 200, 200),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });

  /**
   * Credentials that reach one event only: the plain user is EH's per-event
   * host; a door link is EH's. On another event — private (EP), public (EA)
   * or one that does not exist — they can do nothing: a private event and
   * any door link's other event are 404 (they do not exist for it), a public
   * event the host may see is 403, as on every other event route. A revoked
   * link is 401 at once; a link is no login elsewhere.
   */
  describe('a per-event host and a door link of one event, on another', () => {
    let host: TestUser;
    let link: { id: string; secret: string };
    const doorLink = () => ({ 'X-Door-Link': link.secret });
    const call = (method: 'get' | 'post' | 'delete', path: string, headers: Record<string, string>, body?: object) => {
      const r = request(t.http)[method](`/api/v1${path}`).set(headers);
      return body ? r.send(body) : r;
    };
    const batch = () => ({ items: [{ clientId: randomUUID(), at: new Date().toISOString(), walkIn: { name: 'Juana Huamán' } }] });

    beforeAll(async () => {
      host = w.users.plain;
      link = await makeLink(EH);
    });

    // prettier-ignore
    const ROWS: [string, (as: () => Record<string, string>) => Promise<request.Response>, number, number][] = [
      //                                                                                                                        host  door link
      ['GET  EH manifest (their event)',      (as) => call('get', `/events/${EH.id}/check-in-manifest`, as()),                   200, 200],
      ['POST EH check-ins (their event)',     (as) => call('post', `/events/${EH.id}/check-ins`, as(), batch()),                 200, 200],
      ['GET  EP manifest (private)',          (as) => call('get', `/events/${EP.id}/check-in-manifest`, as()),                   404, 404],
      ['POST EP check-ins (private)',         (as) => call('post', `/events/${EP.id}/check-ins`, as(), batch()),                 404, 404],
      ['GET  EA manifest (public)',           (as) => call('get', `/events/${EA.id}/check-in-manifest`, as()),                   403, 404],
      ['POST EA check-ins (public)',          (as) => call('post', `/events/${EA.id}/check-ins`, as(), batch()),                 403, 404],
      ['GET  unknown event manifest',         (as) => call('get', `/events/${randomUUID()}/check-in-manifest`, as()),            404, 404],
      ['POST EH door-links',                  (as) => call('post', `/events/${EH.id}/door-links`, as(), { label: 'x' }),         403, 401],
      ['GET  EH door-links',                  (as) => call('get', `/events/${EH.id}/door-links`, as()),                          403, 401],
      ['GET  EH turnout',                     (as) => call('get', `/events/${EH.id}/turnout`, as()),                             403, 401],
      ['GET  EH signups',                     (as) => call('get', `/events/${EH.id}/signups`, as()),                             200, 401],
      ['GET  /auth/me',                       (as) => call('get', '/auth/me', as()),                                             200, 401],
    ];

    it.each(ROWS.map((r) => [r[0], r] as const))('%s', async (_name, [, run, asHost, asLink]) => {
      expect([(await run(() => host.auth)).status, (await run(doorLink)).status]).toEqual([asHost, asLink]);
    });

    it('refuses a revoked link at once (401), on every route it had', async () => {
      const revoked = await makeLink(EH);
      const as = { Authorization: `DoorLink ${revoked.secret}` };
      expect((await call('get', `/events/${EH.id}/check-in-manifest`, as)).status).toBe(200);
      expect((await call('delete', `/events/${EH.id}/door-links/${revoked.id}`, w.users.organiserA.auth)).status).toBe(204);
      expect((await call('get', `/events/${EH.id}/check-in-manifest`, as)).status).toBe(401);
      expect((await call('post', `/events/${EH.id}/check-ins`, as, batch())).status).toBe(401);
      expect((await call('get', `/events/${EP.id}/check-in-manifest`, as)).status).toBe(401);
    });
  });
});
