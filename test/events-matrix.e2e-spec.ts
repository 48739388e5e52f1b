import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { CALLERS, row, runRow, type MatrixRow } from './support/matrix';
import { buildWorld, guest, linkMember, makeEvent, makeMember, makeShift, makeUser, unique, type TestUser, type World } from './support/world';

/**
 * Who may do what with campaigns and events, route by route (ACCESS.md rule
 * 3). The world: party P with its current A; party B; coalition C of A and
 * B. Callers: anonymous, a plain user, an organiser of A, the org_admins of
 * A, of A's parent P and of B, the coordinator of C, a platform admin.
 * Fixtures: EA, a public event of A; EJ, a public event of A co-hosted by B
 * (B's organisers manage it too); EC, a public coalition event of C; EP, a
 * private event of A; EH, a public event of A whose per-event host is the
 * plain user (signups and check-in of EH only, nothing else).
 * 404 = may not even see the record; 403 = may see it but not do this;
 * 401 = not logged in.
 */
describe('permission matrix: campaigns and events', () => {
  let t: TestApp;
  let w: World;
  let EA: Event, EJ: Event, EC: Event, EP: Event, EH: Event;
  let activeCampaign: string, draftCampaign: string;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    EA = await makeEvent(t, { hostOrganisationId: w.A.id });
    EJ = await makeEvent(t, { hostOrganisationId: w.A.id, coHosts: [w.B] });
    EC = await makeEvent(t, { coalitionId: w.C.id });
    EP = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'private' });
    EH = await makeEvent(t, { hostOrganisationId: w.A.id });
    await t.db.query(`INSERT INTO event_roles (event_id, user_id, role) VALUES ($1, $2, 'host')`, [EH.id, w.users.plain.id]);
    const campaign = (status: string) =>
      t.db.query<{ id: string }[]>(`INSERT INTO campaigns (organisation_id, title, starts_on, status) VALUES ($1, $2, '2026-06-08', $3) RETURNING id`, [w.A.id, unique('k'), status]);
    activeCampaign = (await campaign('active'))[0].id;
    draftCampaign = (await campaign('draft'))[0].id;
  });
  afterAll(() => t.close());

  /** A going guest signup written straight to the database (no rate limit), with its manage token. */
  const signup = async (event: Event) => {
    const token = randomBytes(32).toString('base64url');
    const [s] = await t.db.query<{ id: string }[]>(
      `INSERT INTO event_signups (event_id, guest_name, guest_email, status, source, manage_token_hash, consent_data_processing_at)
       VALUES ($1, 'Ana', $2, 'going', 'guest_form', $3, now()) RETURNING id`,
      [event.id, `${unique('g')}@example.org`, createHash('sha256').update(token).digest('hex')],
    );
    await t.db.query('UPDATE events SET going_count = going_count + 1 WHERE id = $1', [event.id]);
    return { id: s.id, token };
  };
  const ev = (fields: Partial<Event> = {}) => makeEvent(t, { hostOrganisationId: w.A.id, ...fields });
  const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();
  const newEventBody = (owner: object) => ({ ...owner, title: unique('e'), kind: 'rally', startsAt: hours(48), endsAt: hours(50) });
  const grantedHost = async () => {
    const u = await makeUser(t);
    await t.db.query(`INSERT INTO event_roles (event_id, user_id, role) VALUES ($1, $2, 'host')`, [EA.id, u.id]);
    return u.id;
  };

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                          anon plain orgA admA admP admB coord plat
    row('GET /campaigns',                         () => ({ method: 'get', path: '/api/v1/campaigns' }),                                     200, 200, 200, 200, 200, 200, 200, 200),
    row('POST /campaigns (A)',                    () => ({ method: 'post', path: '/api/v1/campaigns', body: { organisationId: w.A.id, title: unique('k'), startsOn: '2026-06-08' } }),
                                                                                                                                            401, 403, 201, 201, 201, 403, 403, 201),
    row('POST /campaigns (C)',                    () => ({ method: 'post', path: '/api/v1/campaigns', body: { coalitionId: w.C.id, title: unique('k'), startsOn: '2026-06-08' } }),
                                                                                                                                            401, 403, 403, 403, 403, 403, 201, 201),
    row('GET /campaigns/:active',                 () => ({ method: 'get', path: `/api/v1/campaigns/${activeCampaign}` }),                   200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /campaigns/:draft',                  () => ({ method: 'get', path: `/api/v1/campaigns/${draftCampaign}` }),                    404, 404, 200, 200, 200, 404, 404, 200),
    row('PATCH /campaigns/:active',               () => ({ method: 'patch', path: `/api/v1/campaigns/${activeCampaign}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('PATCH /campaigns/:draft',                () => ({ method: 'patch', path: `/api/v1/campaigns/${draftCampaign}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 404, 404, 200),

    row('GET /events',                            () => ({ method: 'get', path: '/api/v1/events' }),                                        200, 200, 200, 200, 200, 200, 200, 200),
    row('POST /events (A)',                       () => ({ method: 'post', path: '/api/v1/events', body: newEventBody({ hostOrganisationId: w.A.id }) }),
                                                                                                                                            401, 403, 201, 201, 201, 403, 403, 201),
    row('POST /events (C)',                       () => ({ method: 'post', path: '/api/v1/events', body: newEventBody({ coalitionId: w.C.id }) }),
                                                                                                                                            401, 403, 403, 403, 403, 403, 201, 201),
    row('GET /events/:public',                    () => ({ method: 'get', path: `/api/v1/events/${EA.id}` }),                               200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /events/:private',                   () => ({ method: 'get', path: `/api/v1/events/${EP.id}` }),                               404, 404, 200, 200, 200, 404, 404, 200),
    row('GET /events/:draft',                     async () => ({ method: 'get', path: `/api/v1/events/${(await ev({ status: 'draft' })).id}` }),
                                                                                                                                            404, 404, 200, 200, 200, 404, 404, 200),
    row('PATCH /events/:A',                       () => ({ method: 'patch', path: `/api/v1/events/${EA.id}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('PATCH /events/:co-hosted by B',          () => ({ method: 'patch', path: `/api/v1/events/${EJ.id}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 200, 403, 200),
    row('PATCH /events/:coalition',               () => ({ method: 'patch', path: `/api/v1/events/${EC.id}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 403, 403, 403, 403, 200, 200),
    row('PATCH /events/:private',                 () => ({ method: 'patch', path: `/api/v1/events/${EP.id}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 404, 404, 200),
    row('PATCH /events/:hosted by plain',         () => ({ method: 'patch', path: `/api/v1/events/${EH.id}`, body: { description: unique('d') } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('POST /events/:draft/publish',            async () => ({ method: 'post', path: `/api/v1/events/${(await ev({ status: 'draft' })).id}/publish` }),
                                                                                                                                            401, 403, 200, 200, 200, 404, 404, 200),
    row('POST /events/:id/cancel',                async () => ({ method: 'post', path: `/api/v1/events/${(await ev()).id}/cancel`, body: { reason: 'lluvia' } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('POST /events/:started/complete',         async () => ({ method: 'post', path: `/api/v1/events/${(await ev({ startsAt: new Date(Date.now() - 3600_000), endsAt: new Date(Date.now() + 3600_000) })).id}/complete` }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('GET /events/:public/shifts',             () => ({ method: 'get', path: `/api/v1/events/${EA.id}/shifts` }),                        200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /events/:private/shifts',            () => ({ method: 'get', path: `/api/v1/events/${EP.id}/shifts` }),                        404, 404, 200, 200, 200, 404, 404, 200),
    row('POST /events/:id/shifts',                () => ({ method: 'post', path: `/api/v1/events/${EA.id}/shifts`, body: { name: unique('s'), startsAt: hours(40), endsAt: hours(41), capacity: 3 } }),
                                                                                                                                            401, 403, 201, 201, 201, 403, 403, 201),
    row('PATCH /events/:id/shifts/:shiftId',      async () => ({ method: 'patch', path: `/api/v1/events/${EA.id}/shifts/${(await makeShift(t, EA)).id}`, body: { name: unique('s') } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('GET /events/:id/hosts',                  () => ({ method: 'get', path: `/api/v1/events/${EA.id}/hosts` }),                         401, 403, 200, 200, 200, 403, 403, 200),
    row('POST /events/:id/hosts',                 async () => ({ method: 'post', path: `/api/v1/events/${EA.id}/hosts`, body: { userId: (await makeUser(t)).id } }),
                                                                                                                                            401, 403, 201, 201, 201, 403, 403, 201),
    row('DELETE /events/:id/hosts/:userId',       async () => ({ method: 'delete', path: `/api/v1/events/${EA.id}/hosts/${await grantedHost()}` }),
                                                                                                                                            401, 403, 204, 204, 204, 403, 403, 204),
    row('GET /events/:hosted by plain/signups',   () => ({ method: 'get', path: `/api/v1/events/${EH.id}/signups` }),                       401, 200, 200, 200, 200, 403, 403, 200),
    row('GET /events/:A/signups',                 () => ({ method: 'get', path: `/api/v1/events/${EA.id}/signups` }),                       401, 403, 200, 200, 200, 403, 403, 200),
    row('GET /events/:private/signups',           () => ({ method: 'get', path: `/api/v1/events/${EP.id}/signups` }),                       401, 404, 200, 200, 200, 404, 404, 200),
    row('POST /events/:public/signups (guest)',   () => ({ method: 'post', path: `/api/v1/events/${EA.id}/signups`, body: guest() }),       201, 201, 201, 201, 201, 201, 201, 201),
    row('POST /events/:private/signups (guest)',  () => ({ method: 'post', path: `/api/v1/events/${EP.id}/signups`, body: guest() }),       404, 404, 201, 201, 201, 404, 404, 201),
    row('PATCH /events/:hosted by plain/signups/:s', async () => ({ method: 'patch', path: `/api/v1/events/${EH.id}/signups/${(await signup(EH)).id}`, body: { status: 'no_show' } }),
                                                                                                                                            401, 200, 200, 200, 200, 403, 403, 200),
    row('PATCH /events/:A/signups/:s',            async () => ({ method: 'patch', path: `/api/v1/events/${EA.id}/signups/${(await signup(EA)).id}`, body: { status: 'cancelled' } }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('POST …/:hosted by plain/signups/:s/check-in', async () => ({ method: 'post', path: `/api/v1/events/${EH.id}/signups/${(await signup(EH)).id}/check-in` }),
                                                                                                                                            401, 200, 200, 200, 200, 403, 403, 200),
    row('POST …/:co-hosted by B/signups/:s/check-in', async () => ({ method: 'post', path: `/api/v1/events/${EJ.id}/signups/${(await signup(EJ)).id}/check-in` }),
                                                                                                                                            401, 403, 200, 200, 200, 200, 403, 200),
    row('POST …/:A/signups/:s/check-in',          async () => ({ method: 'post', path: `/api/v1/events/${EA.id}/signups/${(await signup(EA)).id}/check-in` }),
                                                                                                                                            401, 403, 200, 200, 200, 403, 403, 200),
    row('POST /signups/lookup {token}',           async () => ({ method: 'post', path: '/api/v1/signups/lookup', body: { token: (await signup(EA)).token } }),
                                                                                                                                            200, 200, 200, 200, 200, 200, 200, 200),
    row('POST /signups/cancel {token}',           async () => ({ method: 'post', path: '/api/v1/signups/cancel', body: { token: (await signup(EA)).token } }),
                                                                                                                                            200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /events/:public/calendar.ics',       () => ({ method: 'get', path: `/api/v1/events/${EA.id}/calendar.ics` }),                  200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /events/:private/calendar.ics',      () => ({ method: 'get', path: `/api/v1/events/${EP.id}/calendar.ics` }),                  404, 404, 200, 200, 200, 404, 404, 200),
    row('GET /calendar.ics?organisation=A',       () => ({ method: 'get', path: `/api/v1/calendar.ics?organisation=${w.A.id}` }),           200, 200, 200, 200, 200, 200, 200, 200),
    row('GET /me/signups',                        () => ({ method: 'get', path: '/api/v1/me/signups' }),                                    401, 200, 200, 200, 200, 200, 200, 200),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });

  /**
   * The derived member role (ACCESS.md): a login linked to an active member of
   * A, and one of B. EM is a members-only event of A.
   */
  describe('members', () => {
    let memberA: TestUser, memberB: TestUser, EM: Event;
    beforeAll(async () => {
      memberA = await makeUser(t);
      await linkMember(t, memberA, await makeMember(t, [w.A]));
      memberB = await makeUser(t);
      await linkMember(t, memberB, await makeMember(t, [w.B]));
      EM = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'members' });
    });

    const call = (who: TestUser, method: 'get' | 'post' | 'patch', path: string, body?: object) => {
      const r = request(t.http)[method](`/api/v1${path}`).set(who.auth);
      return body ? r.send(body) : r;
    };
    /** A's member signs up to EM (their own signup, to cancel). */
    const ownSignup = async () => (await call(memberA, 'post', `/events/${EM.id}/signups`, {})).body.id as string;

    // prettier-ignore
    const ROWS: [string, (who: TestUser) => Promise<request.Response>, number, number][] = [
      //                                                                                                                              memberA memberB
      ['GET /events/:members-only',              (who) => call(who, 'get', `/events/${EM.id}`),                                      200, 404],
      ['GET /events/:members-only/shifts',       (who) => call(who, 'get', `/events/${EM.id}/shifts`),                               200, 404],
      ['GET /events/:members-only/calendar.ics', (who) => call(who, 'get', `/events/${EM.id}/calendar.ics`),                         200, 404],
      ['POST /events/:members-only/signups {}',  (who) => call(who, 'post', `/events/${EM.id}/signups`, {}),                         201, 404],
      ['PATCH /events/:members-only',            (who) => call(who, 'patch', `/events/${EM.id}`, { title: 'x' }),                    403, 403],
      ['GET /events/:members-only/signups',      (who) => call(who, 'get', `/events/${EM.id}/signups`),                              403, 404],
      ['PATCH own signup → cancelled',           async (who) => call(who, 'patch', `/events/${EM.id}/signups/${await ownSignup()}`, { status: 'cancelled' }), 200, 404],
      ['POST …/signups/:s/check-in (own)',       async (who) => call(who, 'post', `/events/${EM.id}/signups/${await ownSignup()}/check-in`), 403, 404],
      ['GET /me/signups',                        (who) => call(who, 'get', '/me/signups'),                                           200, 200],
    ];

    it.each(ROWS.map((r) => [r[0], r] as const))('%s', async (_route, [, run, a, b]) => {
      const got: number[] = [];
      for (const who of [memberA, memberB]) {
        // Each row starts with memberA holding no live signup to EM.
        await t.db.query(`UPDATE event_signups SET status = 'cancelled' WHERE event_id = $1 AND status <> 'cancelled'`, [EM.id]);
        await t.db.query('UPDATE events SET going_count = 0 WHERE id = $1', [EM.id]);
        got.push((await run(who)).status);
      }
      expect(got).toEqual([a, b]);
    });
  });
  /**
   * Signups across data controllers (issue 17): a member of B (another data
   * controller than P and A) signs up to EJ (A's event, co-hosted by B) and to
   * EC (the coalition's). Each caller who may list the event's signups sees
   * that signup as a `member` (id, contact) only with member.read on B's
   * record; everyone else who runs the event sees an `attendee`: the name
   * given at signup, no id, no contact. Cells: the kind seen, or the status.
   */
  describe('a member of another data controller in a signup list', () => {
    // prettier-ignore
    const KINDS: [string, () => Event, Record<string, string | number>][] = [
      //                                                 anon plain organiserA    adminA      adminP      adminB    coordinator  platform
      ['GET /events/:EJ/signups', () => EJ, { anon: 401, plain: 403, organiserA: 'attendee', adminA: 'attendee', adminP: 'attendee', adminB: 'member', coordinator: 403, platform: 'member' }],
      ['GET /events/:EC/signups', () => EC, { anon: 401, plain: 403, organiserA: 403, adminA: 403, adminP: 403, adminB: 403, coordinator: 'attendee', platform: 'member' }],
    ];

    it.each(KINDS.map((k) => [k[0], k] as const))('%s', async (_route, [, event, expected]) => {
      const record = await makeMember(t, [w.B], { givenName: 'Berta', familyName: unique('Vilca'), phone: '+51955000111' });
      const member = await makeUser(t);
      await linkMember(t, member, record);
      const signedUp = await request(t.http).post(`/api/v1/events/${event().id}/signups`).set(member.auth).send({});
      expect(signedUp.status).toBe(201);
      const got: Record<string, string | number> = {};
      for (const who of CALLERS) {
        const req = request(t.http).get(`/api/v1/events/${event().id}/signups?limit=100`);
        const res = who === 'anon' ? await req : await req.set(w.users[who].auth);
        if (res.status !== 200) {
          got[who] = res.status;
          continue;
        }
        const item = res.body.items.find((i: { id: string }) => i.id === signedUp.body.id);
        got[who] = item.kind;
        if (item.kind === 'attendee') {
          // The name given at signup, and nothing that points at B's record.
          expect(item).toMatchObject({ name: `Berta ${record.familyName}`, memberId: null });
          expect(JSON.stringify(item)).not.toMatch(new RegExp(`${record.id}|${record.email}|955000111`));
        } else {
          expect(item).toMatchObject({ memberId: record.id, email: record.email, phone: '+51955000111' });
        }
      }
      expect(got).toEqual(expected);
      // The member finds the signup among their own, whoever hosts the event.
      const mine = await request(t.http).get('/api/v1/me/signups').set(member.auth);
      expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(signedUp.body.id);
    });
  });
});
