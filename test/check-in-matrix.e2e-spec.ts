import { randomUUID } from 'node:crypto';
import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { CALLERS, row, runRow, type MatrixRow, type Who } from './support/matrix';
import { buildWorld, makeEvent, PASSWORD, type TestUser, type World } from './support/world';

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
  /**
   * The door page's own JSON routes (src/pages/check-in-pages.controller.ts):
   * the same service behind the pages' cookie session instead of a Bearer
   * token, or a door link. The same answers as the API's rows above, caller by
   * caller; a post also needs the page's anti-forgery token and to come from
   * the page's own origin.
   */
  describe('the door page’s routes (cookie session or door link)', () => {
    const sessions = {} as Record<Who, string | null>;
    const tokens = {} as Record<Who, string>;
    const formToken = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];

    /** Logs in on the page form: the session cookie, and a form token bound to it. */
    async function pageSession(email: string): Promise<{ cookie: string; csrf: string }> {
      const form = await request(t.http).get('/account/login');
      const res = await request(t.http)
        .post('/account/login')
        .type('form')
        .send({ email, password: PASSWORD, _csrf: formToken(form.text) });
      const line = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('convoca_session='));
      if (!line) throw new Error(`no page session for ${email}: ${res.status}`);
      const cookie = line.split(';')[0];
      return { cookie, csrf: formToken((await request(t.http).get('/account/signups').set('Cookie', cookie)).text) };
    }

    beforeAll(async () => {
      for (const who of CALLERS) {
        if (who === 'anon') {
          sessions.anon = null;
          tokens.anon = formToken((await request(t.http).get('/account/login')).text);
          continue;
        }
        const { cookie, csrf } = await pageSession(w.users[who].email);
        sessions[who] = cookie;
        tokens[who] = csrf;
      }
    });

    const pageManifest = (e: Event, who: Who, headers: Record<string, string> = {}) => {
      const r = request(t.http).get(`/checkin/${e.id}/manifest`).set(headers);
      return sessions[who] ? r.set('Cookie', sessions[who]) : r;
    };
    const pagePost = (e: Event, who: Who, headers: Record<string, string> = {}) => {
      const r = request(t.http)
        .post(`/checkin/${e.id}/check-ins`)
        .set({ 'Sec-Fetch-Site': 'same-origin', 'X-CSRF-Token': tokens[who], ...headers });
      return (sessions[who] ? r.set('Cookie', sessions[who]) : r).send({ items: [{ clientId: randomUUID(), at: new Date().toISOString(), walkIn: { name: 'Juana Huamán' } }] });
    };

    // prettier-ignore
    const ROWS: [string, () => Event, (e: Event, who: Who) => Promise<request.Response>, number[]][] = [
      //                                                                              anon plain orgA admA admP admB coord plat
      ['GET  /checkin/:A/manifest',               () => EA, (e, who) => pageManifest(e, who), [401, 403, 200, 200, 200, 403, 403, 200]],
      ['GET  /checkin/:co-hosted by B/manifest',  () => EJ, (e, who) => pageManifest(e, who), [401, 403, 200, 200, 200, 200, 403, 200]],
      ['GET  /checkin/:coalition/manifest',       () => EC, (e, who) => pageManifest(e, who), [401, 403, 403, 403, 403, 403, 200, 200]],
      ['GET  /checkin/:private/manifest',         () => EP, (e, who) => pageManifest(e, who), [401, 404, 200, 200, 200, 404, 404, 200]],
      ['GET  /checkin/:hosted by plain/manifest', () => EH, (e, who) => pageManifest(e, who), [401, 200, 200, 200, 200, 403, 403, 200]],
      ['POST /checkin/:A/check-ins',              () => EA, (e, who) => pagePost(e, who),     [401, 403, 200, 200, 200, 403, 403, 200]],
      ['POST /checkin/:co-hosted by B/check-ins', () => EJ, (e, who) => pagePost(e, who),     [401, 403, 200, 200, 200, 200, 403, 200]],
      ['POST /checkin/:coalition/check-ins',      () => EC, (e, who) => pagePost(e, who),     [401, 403, 403, 403, 403, 403, 200, 200]],
      ['POST /checkin/:private/check-ins',        () => EP, (e, who) => pagePost(e, who),     [401, 404, 200, 200, 200, 404, 404, 200]],
      ['POST /checkin/:hosted by plain/check-ins', () => EH, (e, who) => pagePost(e, who),    [401, 200, 200, 200, 200, 403, 403, 200]],
    ];

    it.each(ROWS.map((r) => [r[0], r] as const))('%s', async (_route, [, event, run, statuses]) => {
      const got = {} as Record<Who, number>;
      for (const who of CALLERS) got[who] = (await run(event(), who)).status;
      expect(got).toEqual(Object.fromEntries(CALLERS.map((c, i) => [c, statuses[i]])));
    });

    it('answers the same as the API route, body for body (the same service)', async () => {
      const viaPage = await pageManifest(EA, 'organiserA');
      const viaApi = await request(t.http).get(`/api/v1/events/${EA.id}/check-in-manifest`).set(w.users.organiserA.auth);
      const { issuedAt: _a, signature: _s, ...page } = viaPage.body.manifest;
      const { issuedAt: _b, signature: _t, ...api } = viaApi.body;
      expect(page).toEqual(api);
      expect(Object.keys(viaPage.body).sort()).toEqual(['csrf', 'door', 'event', 'manifest']);
      expect(viaPage.body.event).toMatchObject({ id: EA.id, title: EA.title, shifts: [] });
    });

    it('refuses a post from another site, or without the page’s token, before anything is read', async () => {
      expect((await pagePost(EA, 'organiserA', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      expect((await pagePost(EA, 'organiserA', { 'X-CSRF-Token': tokens.adminA })).status).toBe(403);
      expect((await pagePost(EA, 'organiserA', { 'X-CSRF-Token': '' })).status).toBe(403);
    });

    it('gives the API nothing for the cookie: it still takes Bearer tokens and door links only', async () => {
      const res = await request(t.http).get(`/api/v1/events/${EA.id}/check-in-manifest`).set('Cookie', sessions.organiserA!);
      expect(res.status).toBe(401);
    });

    /** A per-event host (cookie) and a door link of EH can do nothing on another event, exactly as on the API. */
    it.each([
      //                                host  door link
      ['EH (their event)', () => EH, 200, 200],
      ['EP (private)', () => EP, 404, 404],
      ['EA (public)', () => EA, 403, 404],
    ] as const)('a per-event host and a door link of EH, on %s', async (_name, event, asHost, asLink) => {
      const link = await makeLink(EH);
      const anon = { 'X-Door-Link': link.secret };
      expect([(await pageManifest(event(), 'plain')).status, (await pageManifest(event(), 'anon', anon)).status]).toEqual([asHost, asLink]);
      expect([(await pagePost(event(), 'plain')).status, (await pagePost(event(), 'anon', anon)).status]).toEqual([asHost, asLink]);
    });

    it('refuses a revoked door link at once (401), on both routes', async () => {
      const link = await makeLink(EH);
      const as = { 'X-Door-Link': link.secret };
      expect((await pageManifest(EH, 'anon', as)).status).toBe(200);
      expect((await request(t.http).delete(`/api/v1/events/${EH.id}/door-links/${link.id}`).set(w.users.organiserA.auth)).status).toBe(204);
      expect((await pageManifest(EH, 'anon', as)).status).toBe(401);
      expect((await pagePost(EH, 'anon', as)).status).toBe(401);
    });
  });
});
