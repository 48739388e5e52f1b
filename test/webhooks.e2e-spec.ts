import { Webhook } from 'standardwebhooks';
import request from 'supertest';

import { DomainEvents } from '../src/domain-events/domain-events';
import { MemberImportService } from '../src/members/member-import.service';
import { EXAMPLE_PAYLOADS, WEBHOOK_EVENT_TYPES } from '../src/webhooks/webhook-events';
import { WebhookWorker } from '../src/webhooks/webhook.worker';
import { bootTestApp, type TestApp } from './support/app';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';
import { buildWorld, guest, makeCoalition, makeEvent, makeMember, makeOrganisation, makeUser, unique, type TestUser, type World } from './support/world';

jest.setTimeout(120_000);

const hours = (n: number) => new Date(Date.now() + n * 3600_000);
let ipSeq = 0;
const nextIp = () => `10.40.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

/**
 * Webhooks (issue 22): a change writes its deliveries in its own
 * transaction, the worker sends them signed (Standard Webhooks, verified
 * here with the reference library), retries them with the same webhook-id,
 * and an endpoint's URL never reaches a private address it was not allowed.
 * A receiver on 127.0.0.1 is allowed through WEBHOOK_ALLOW_PRIVATE_HOSTS.
 */
describe('webhooks', () => {
  let t: TestApp;
  let w: World;
  let rx: WebhookReceiver;

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    t = await bootTestApp({ env: { TRUST_PROXY: 'true', WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '1500', WEBHOOK_RETRY_BASE_MS: '1' } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.app.get(MemberImportService).idle();
    await t.close();
    await rx.close();
  });
  beforeEach(async () => {
    rx.received.length = 0;
    rx.failNext(0);
    rx.mode({ kind: 'ok' });
    // Every test starts with no endpoint: deliveries of one test never reach another's receiver.
    await t.db.query('DELETE FROM webhook_endpoints');
  });

  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, user?: TestUser, body?: object) => {
    let r = request(t.http)[method](`/api/v1${path}`).set('X-Forwarded-For', nextIp());
    if (user) r = r.set(user.auth);
    return body ? r.send(body) : r;
  };
  const register = async (user: TestUser, fields: object) => {
    const res = await api('post', '/webhooks', user, { url: rx.url, events: [...WEBHOOK_EVENT_TYPES], ...fields });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const deliver = () => t.app.get(WebhookWorker).deliverDue();
  const deliveriesOf = (endpointId: string) =>
    t.db.query<{ id: string; event_type: string; state: string; attempts: number; payload: { type: string; timestamp: string; data: Record<string, unknown> } }[]>(
      'SELECT id, event_type, state, attempts, payload FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq',
      [endpointId],
    );
  const signUp = (eventId: string, body: object = guest()) => api('post', `/events/${eventId}/signups`, undefined, body);
  const newEvent = (fields: object = {}) =>
    api('post', '/events', w.users.adminA, { hostOrganisationId: w.A.id, title: unique('Marcha'), kind: 'march', startsAt: hours(48).toISOString(), endsAt: hours(51).toISOString(), ...fields });

  it('registers an endpoint with a whsec_ secret shown once, and a signup makes exactly one signed delivery that standardwebhooks verifies', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'], description: 'CRM' });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(endpoint.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    const seen = await api('get', `/webhooks/${endpoint.id}`, w.users.adminA);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: endpoint.id, url: rx.url, events: ['signup.created'], organisationId: w.A.id, enabled: true });
    expect(JSON.stringify(seen.body)).not.toContain(endpoint.secret.slice(6));
    expect(JSON.stringify((await api('get', '/webhooks', w.users.adminA)).body)).not.toContain(endpoint.secret.slice(6));

    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    const signup = await signUp(event.id);
    expect(signup.status).toBe(201);
    // Written by the signup's own statement, before any worker ran.
    const rows = await deliveriesOf(endpoint.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_type: 'signup.created', state: 'pending' });

    expect(await deliver()).toBe(1);
    expect(rx.received).toHaveLength(1);
    const { headers, body } = rx.received[0];
    expect(headers['content-type']).toBe('application/json');
    const payload = new Webhook(endpoint.secret).verify(body, headers as Record<string, string>) as { type: string; data: Record<string, unknown>; timestamp: string };
    expect(payload).toEqual({ type: 'signup.created', timestamp: expect.any(String), data: { signupId: signup.body.id, eventId: event.id, shiftId: null, status: 'going' } });
    expect(headers['webhook-id']).toBe(rows[0].id);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(body, headers as Record<string, string>)).toThrow();
    expect(await deliver()).toBe(0);
    expect((await api('get', `/webhooks/${endpoint.id}/deliveries`, w.users.adminA)).body.items).toEqual([
      expect.objectContaining({ id: rows[0].id, eventType: 'signup.created', state: 'delivered', attempts: 1, lastStatusCode: 204, lastError: null }),
    ]);
  });

  it('retries a failing receiver with backoff: the third attempt carries the same webhook-id and is delivered', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'] });
    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    expect((await signUp(event.id)).status).toBe(201);
    rx.failNext(2);
    expect(await deliver()).toBe(1);
    const [first] = await t.db.query('SELECT state, attempts, last_status_code, last_error, next_attempt_at > last_attempt_at AS later FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
    expect(first).toEqual({ state: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500', later: true });
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 10)); // the backoff here is milliseconds (WEBHOOK_RETRY_BASE_MS=1)
      expect(await deliver()).toBe(1);
    }
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
    for (const r of rx.received) expect(new Webhook(endpoint.secret).verify(r.body, r.headers as Record<string, string>)).toBeTruthy();
    expect(await deliveriesOf(endpoint.id)).toEqual([expect.objectContaining({ state: 'delivered', attempts: 3 })]);
  });

  it('writes no delivery for a change that rolls back, or a signup the database refuses', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id });
    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    const changes = t.app.get(DomainEvents);
    await expect(
      t.db.transaction(async (tx) => {
        await changes.publish(tx, { user: null, requestId: 'test', ip: '' }, { action: 'event.publish', entity: 'event', entityId: event.id, organisationId: w.A.id, changes: {} });
        expect(await tx.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id])).toEqual([{ n: 1 }]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await deliveriesOf(endpoint.id)).toEqual([]);

    // A second live signup of the same address is refused by a unique index: the whole statement, deliveries included, rolls back.
    const body = guest();
    expect((await signUp(event.id, body)).status).toBe(201);
    expect((await signUp(event.id, body)).status).toBe(409);
    // And a signup after the deadline writes nothing at all.
    const closed = await makeEvent(t, { hostOrganisationId: w.A.id, signupDeadline: hours(-1) });
    expect((await signUp(closed.id)).body.code).toBe('signup-deadline-passed');
    expect((await deliveriesOf(endpoint.id)).map((d) => d.event_type)).toEqual(['signup.created']);
  });

  it('reaches the endpoints of the event’s organisation and its ancestors, co-hosts and coalition, and no one else', async () => {
    const atA = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created', 'event.published'] });
    const atP = await register(w.users.adminP, { organisationId: w.P.id, events: ['signup.created', 'event.published'] });
    const atB = await register(w.users.adminB, { organisationId: w.B.id, events: ['signup.created', 'event.published'] });
    const atC = await register(w.users.coordinator, { coalitionId: w.C.id, events: ['signup.created', 'event.published'] });
    const onlyPublished = await register(w.users.adminA, { organisationId: w.A.id, events: ['event.published'] });
    const other = await makeOrganisation(t);
    const adminOther = await makeUser(t, [{ role: 'org_admin', organisation: other }]);
    const atOther = await register(adminOther, { organisationId: other.id, events: ['signup.created'] });

    const ofA = await makeEvent(t, { hostOrganisationId: w.A.id });
    const coHostedByB = await makeEvent(t, { hostOrganisationId: w.A.id, coHosts: [w.B] });
    const ofC = await makeEvent(t, { coalitionId: w.C.id });
    for (const e of [ofA, coHostedByB, ofC]) expect((await signUp(e.id)).status).toBe(201);
    const types = async (id: string) => (await deliveriesOf(id)).map((d) => `${d.event_type}:${String(d.payload.data.eventId)}`);
    expect(await types(atA.id)).toEqual([`signup.created:${ofA.id}`, `signup.created:${coHostedByB.id}`]);
    expect(await types(atP.id)).toEqual([`signup.created:${ofA.id}`, `signup.created:${coHostedByB.id}`]);
    expect(await types(atB.id)).toEqual([`signup.created:${coHostedByB.id}`]);
    expect(await types(atC.id)).toEqual([`signup.created:${ofC.id}`]);
    expect(await types(onlyPublished.id)).toEqual([]);
    expect(await types(atOther.id)).toEqual([]);

    // A disabled endpoint is not written to.
    expect((await api('patch', `/webhooks/${atP.id}`, w.users.adminP, { enabled: false })).body).toMatchObject({ enabled: false, disabledReason: 'manual' });
    const draft = await newEvent({ visibility: 'public' });
    expect(draft.status).toBe(201);
    expect((await api('post', `/events/${draft.body.id}/publish`, w.users.adminA)).status).toBe(200);
    expect(await types(onlyPublished.id)).toEqual([`event.published:${draft.body.id}`]);
    expect((await types(atP.id)).filter((x) => x.startsWith('event.published'))).toEqual([]);
  });

  it('sends every event type with ids and non-personal fields only: never an e-mail, a phone or a name', async () => {
    const endpoint = await register(w.users.adminP, { organisationId: w.P.id });
    const person = { name: 'Zoila Huarcaya Mamani', email: 'zoila.huarcaya@example.org', phone: '+51987654321' };
    const personal = ['zoila', 'huarcaya', 'mamani', '987654321', 'example.org'];

    // Signups: created, promoted (a freed seat), cancelled, checked in.
    const created = await newEvent({ capacity: 1 });
    expect(created.status).toBe(201);
    const eventId = created.body.id as string;
    expect((await api('post', `/events/${eventId}/publish`, w.users.adminA)).status).toBe(200);
    const first = await signUp(eventId, guest({ name: person.name, email: person.email, phone: person.phone }));
    const second = await signUp(eventId, guest({ name: 'Huarcaya Segunda', email: 'zoila.2@example.org', phone: '+51987654322' }));
    expect([first.body.status, second.body.status]).toEqual(['going', 'waitlisted']);
    expect((await api('patch', `/events/${eventId}/signups/${first.body.id}`, w.users.adminA, { status: 'cancelled' })).status).toBe(200);
    expect((await api('post', `/events/${eventId}/signups/${second.body.id}/check-in`, w.users.adminA)).status).toBe(200);
    // Events: changed, cancelled.
    expect((await api('patch', `/events/${eventId}`, w.users.adminA, { venue: 'Plaza Dos de Mayo' })).status).toBe(200);
    expect((await api('post', `/events/${eventId}/cancel`, w.users.adminA, { reason: 'Zoila Huarcaya no puede' })).status).toBe(200);
    // Memberships: an application, a change of status; an erasure.
    expect(
      (
        await api('post', `/organisations/${w.A.slug}/applications`, undefined, {
          givenName: 'Zoila',
          familyName: 'Huarcaya Mamani',
          email: person.email,
          phone: person.phone,
          consent: { dataProcessing: true },
        })
      ).status,
    ).toBe(202);
    const [membership] = await t.db.query<{ id: string; member_id: string }[]>(
      `SELECT ms.id, ms.member_id FROM memberships ms JOIN members m ON m.id = ms.member_id WHERE m.email = $1 AND ms.organisation_id = $2`,
      [person.email, w.A.id],
    );
    expect((await api('patch', `/memberships/${membership.id}`, w.users.adminA, { status: 'active' })).status).toBe(200);
    expect((await api('post', `/members/${membership.member_id}/erase`, w.users.adminP)).status).toBe(200);
    // An import.
    const upload = await request(t.http)
      .post(`/api/v1/organisations/${w.A.id}/imports`)
      .set(w.users.adminA.auth)
      .attach('file', Buffer.from(`given_name,family_name,email,phone\nZoila,Huarcaya,zoila.import@example.org,+51987654323\n`), 'members.csv');
    expect(upload.status).toBe(202);
    await t.app.get(MemberImportService).idle();

    const rows = await deliveriesOf(endpoint.id);
    expect([...new Set(rows.map((r) => r.event_type))].sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const r of rows) {
      const text = JSON.stringify(r.payload).toLowerCase();
      for (const p of personal) expect({ type: r.event_type, leaks: text.includes(p) ? p : null }).toEqual({ type: r.event_type, leaks: null });
      expect(r.payload).toEqual({ type: r.event_type, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), data: expect.any(Object) });
      // The README's example of each type has the same fields as what is sent.
      expect({ type: r.event_type, fields: Object.keys(r.payload.data).sort() }).toEqual({
        type: r.event_type,
        fields: Object.keys(EXAMPLE_PAYLOADS[r.event_type as keyof typeof EXAMPLE_PAYLOADS]).sort(),
      });
    }
    expect(rows.find((r) => r.event_type === 'signup.promoted')?.payload.data).toEqual({ signupId: second.body.id, eventId, status: 'going' });
    expect(rows.find((r) => r.event_type === 'signup.checked_in')?.payload.data).toEqual({ signupId: second.body.id, eventId, status: 'attended', walkIn: false });
    expect(rows.find((r) => r.event_type === 'member.erased')?.payload.data).toMatchObject({ memberId: membership.member_id });
  });

  it('rotates the secret: both sign for a day, then only the new one', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'] });
    const rotated = await api('post', `/webhooks/${endpoint.id}/rotate-secret`, w.users.adminA);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(new Date(rotated.body.previousSecretExpiresAt).getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    expect((await signUp(event.id)).status).toBe(201);
    await deliver();
    const during = rx.received[0];
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(new Webhook(endpoint.secret).verify(during.body, during.headers as Record<string, string>)).toBeTruthy();
    expect(new Webhook(rotated.body.secret).verify(during.body, during.headers as Record<string, string>)).toBeTruthy();

    // A day later (the clock moved through the row), the old secret signs no more.
    await t.db.query(`UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [endpoint.id]);
    expect((await signUp(event.id)).status).toBe(201);
    await deliver();
    const after = rx.received[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(new Webhook(rotated.body.secret).verify(after.body, after.headers as Record<string, string>)).toBeTruthy();
    expect(() => new Webhook(endpoint.secret).verify(after.body, after.headers as Record<string, string>)).toThrow();
    expect((await api('get', `/webhooks/${endpoint.id}`, w.users.adminA)).body.previousSecretExpiresAt).toBeNull();
  });

  it('disables an endpoint after a day of failures, mails the organisation’s admins, and replays with the same webhook-id once it is enabled again', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'] });
    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    expect((await signUp(event.id)).status).toBe(201);
    expect((await signUp(event.id)).status).toBe(201);
    rx.mode({ kind: 'fail', status: 503 });
    // A day of failures, told by the rows' timestamps rather than by waiting one.
    await deliver();
    await t.db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '25 hours' WHERE id = $1`, [endpoint.id]);
    await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpoint.id]);
    await deliver();
    const seen = (await api('get', `/webhooks/${endpoint.id}`, w.users.adminA)).body;
    expect(seen).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: expect.any(String) });
    expect((await deliveriesOf(endpoint.id)).map((d) => d.state)).toEqual(['failed', 'failed']);
    const mails = await t.db.query<{ recipient: string; payload: Record<string, string> }[]>(`SELECT recipient, payload FROM outbox_messages WHERE template = 'webhook.disabled' ORDER BY recipient`);
    expect(mails.map((m) => m.recipient).sort()).toEqual([w.users.adminA.email, w.users.adminP.email].sort());
    expect(mails[0].payload).toMatchObject({ url: rx.url, lastError: 'HTTP 503' });
    expect(await t.db.query(`SELECT actor_user_id FROM audit_log WHERE action = 'webhook.disable' AND entity_id = $1`, [endpoint.id])).toEqual([{ actor_user_id: null }]);
    const countBefore = rx.received.length;
    await deliver();
    expect(rx.received).toHaveLength(countBefore);

    // Replay needs the endpoint enabled again.
    const [failed] = await deliveriesOf(endpoint.id);
    expect((await api('post', `/webhooks/${endpoint.id}/deliveries/${failed.id}/replay`, w.users.adminA)).body.code).toBe('endpoint-disabled');
    rx.mode({ kind: 'ok' });
    expect((await api('patch', `/webhooks/${endpoint.id}`, w.users.adminA, { enabled: true })).body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    const replay = await api('post', `/webhooks/${endpoint.id}/deliveries/${failed.id}/replay`, w.users.adminA);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: failed.id, state: 'pending' });
    expect((await api('post', `/webhooks/${endpoint.id}/deliveries/${failed.id}/replay`, w.users.adminA)).body.code).toBe('delivery-pending');
    rx.received.length = 0;
    expect(await deliver()).toBe(1);
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([failed.id]);
    expect((await api('get', `/webhooks/${endpoint.id}/deliveries?state=delivered`, w.users.adminA)).body.items).toEqual([expect.objectContaining({ id: failed.id, state: 'delivered' })]);
  });

  it('two API processes racing over 120 due deliveries send each exactly once', async () => {
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['event.published'] });
    await t.db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload)
       SELECT $1, 'event.published', jsonb_build_object('type', 'event.published', 'timestamp', now()::text, 'data', jsonb_build_object('n', g)) FROM generate_series(1, 120) g`,
      [endpoint.id],
    );
    const second = await bootTestApp({ database: t.database, env: { WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    try {
      await Promise.all([deliver(), second.app.get(WebhookWorker).deliverDue()]);
    } finally {
      await second.close();
    }
    const ids = rx.received.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(await t.db.query('SELECT state, count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 GROUP BY state', [endpoint.id])).toEqual([{ state: 'delivered', n: 120 }]);
  });

  it('refuses a private address at registration and at delivery, follows no redirect, cuts a slow answer off and reads a few KB of a huge one', async () => {
    // localhost resolves to a loopback address, and only 127.0.0.1 is allowed here: DNS answering a private address is refused.
    const viaDns = await api('post', '/webhooks', w.users.adminA, { url: `http://localhost:${rx.port}/hook`, events: ['signup.created'], organisationId: w.A.id });
    expect(viaDns.status).toBe(400);
    expect(viaDns.body).toMatchObject({ code: 'private-address', errors: [{ field: 'url', message: expect.stringContaining('localhost resolves to') }] });
    for (const url of ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/hook', 'ftp://hooks.example.org/x', 'https://user:pw@hooks.example.org/x']) {
      const res = await api('post', '/webhooks', w.users.adminA, { url, events: ['signup.created'], organisationId: w.A.id });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
    }

    // Without the allow-list (another process on the same data), the receiver on 127.0.0.1 is refused at registration…
    const endpoint = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'] });
    const strict = await bootTestApp({ database: t.database });
    try {
      const res = await request(strict.http)
        .post('/api/v1/webhooks')
        .set(w.users.adminA.auth)
        .send({ url: rx.url, events: ['signup.created'], organisationId: w.A.id });
      expect(res.body).toMatchObject({ status: 400, code: 'private-address' });
      // …and at delivery: the allow-list changed after registration.
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      expect((await signUp(event.id)).status).toBe(201);
      expect(await strict.app.get(WebhookWorker).deliverDue()).toBe(1);
      expect(rx.received).toHaveLength(0);
      const [row] = await t.db.query('SELECT state, last_error, last_status_code FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
      expect(row).toMatchObject({ state: 'pending', last_status_code: null, last_error: expect.stringMatching(/^refused: 127\.0\.0\.1 is a private/) });
    } finally {
      await strict.close();
    }
    // A URL changed behind the API's back to a name that resolves inside: refused when the connection resolves it.
    await t.db.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [endpoint.id, `http://localhost:${rx.port}/hook`]);
    await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpoint.id]);
    await deliver();
    expect(rx.received).toHaveLength(0);
    expect((await t.db.query('SELECT last_error FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]))[0].last_error).toMatch(/^refused: localhost resolves to a private/);

    // Back on the allowed address: a redirect is a failure, never followed.
    await t.db.query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [endpoint.id, rx.url]);
    const redirectTo = `${rx.url}?redirected=1`;
    rx.mode({ kind: 'redirect', to: redirectTo });
    await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpoint.id]);
    await deliver();
    expect(rx.received.map((r) => r.headers['webhook-id'])).toHaveLength(1);
    expect((await t.db.query('SELECT last_status_code, last_error FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]))[0]).toEqual({
      last_status_code: 302,
      last_error: 'HTTP 302: redirects are not followed',
    });

    // A receiver that never answers is cut off (WEBHOOK_TIMEOUT_MS=1500 here).
    rx.mode({ kind: 'hang' });
    await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpoint.id]);
    const started = Date.now();
    await deliver();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await t.db.query('SELECT last_error FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]))[0].last_error).toBe('timed out after 1500 ms');

    // A huge answer: the status is enough, and no more than a few KB are read before the connection is dropped.
    rx.mode({ kind: 'huge' });
    await t.db.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE endpoint_id = $1`, [endpoint.id]);
    await deliver();
    expect((await t.db.query('SELECT state, last_status_code FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]))[0]).toEqual({ state: 'delivered', last_status_code: 200 });
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.hugeBytesWritten()).toBeLessThan(8 * 2 ** 20);
  });

  it('keeps coalition endpoints to events and signups, and answers the owner’s admins only', async () => {
    const res = await api('post', '/webhooks', w.users.coordinator, { url: rx.url, events: ['signup.created', 'membership.applied'], coalitionId: w.C.id });
    expect(res.body).toMatchObject({ status: 400, code: 'organisation-only-events' });
    expect((await api('post', '/webhooks', w.users.adminA, { url: rx.url, events: ['signup.created'], organisationId: w.A.id, coalitionId: w.C.id })).body.code).toBe('invalid-owner');
    expect((await api('post', '/webhooks', w.users.adminA, { url: rx.url, events: ['signup.created'], organisationId: w.B.id })).status).toBe(403);
    expect((await api('post', '/webhooks', w.users.adminA, { url: rx.url, events: ['signup.created'], organisationId: w.P.id })).status).toBe(403);
    expect((await api('post', '/webhooks', w.users.adminA, { url: rx.url, events: ['nope.happened'], organisationId: w.A.id })).status).toBe(400);
    const other = await makeCoalition(t, [w.B]);
    expect((await api('post', '/webhooks', w.users.coordinator, { url: rx.url, events: ['signup.created'], coalitionId: other.id })).status).toBe(403);
    const endpoint = await register(w.users.coordinator, { coalitionId: w.C.id, events: ['signup.created'] });
    const listed = async (user: TestUser, query = '') => ((await api('get', `/webhooks${query}`, user)).body as { id: string }[]).map((e) => e.id);
    expect(await listed(w.users.coordinator)).toEqual([endpoint.id]);
    expect(await listed(w.users.adminA)).toEqual([]);
    expect(await listed(w.users.platform, `?coalition=${w.C.id}`)).toEqual([endpoint.id]);
    const mine = await register(w.users.adminA, { organisationId: w.A.id, events: ['signup.created'] });
    expect(await listed(w.users.adminP, `?organisation=${w.P.id}`)).toEqual([mine.id]);
    expect(await listed(w.users.adminB, `?organisation=${w.P.id}`)).toEqual([]);
    // Changes are audited, with the URL's host only.
    expect((await api('patch', `/webhooks/${mine.id}`, w.users.adminP, { events: ['signup.cancelled'], description: 'CRM' })).body).toMatchObject({ events: ['signup.cancelled'], description: 'CRM' });
    const entries = await t.db.query(`SELECT action, changes FROM audit_log WHERE entity = 'webhook_endpoint' AND entity_id = $1 ORDER BY id`, [mine.id]);
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['webhook.create', 'webhook.update']);
    expect(entries[0].changes.host).toEqual({ from: null, to: new URL(rx.url).host });
    expect((await api('delete', `/webhooks/${mine.id}`, w.users.adminB)).status).toBe(404);
    expect((await api('delete', `/webhooks/${mine.id}`, w.users.adminA)).status).toBe(204);
    expect((await api('get', `/webhooks/${mine.id}`, w.users.adminA)).status).toBe(404);
  });

  it('member.erased and membership events reach the data controller’s endpoints, never a coalition’s', async () => {
    const endpoint = await register(w.users.adminP, { organisationId: w.P.id, events: ['member.erased', 'membership.changed'] });
    const member = await makeMember(t, [w.A]);
    expect((await api('post', `/members/${member.id}/erase`, w.users.adminP)).status).toBe(200);
    expect((await deliveriesOf(endpoint.id)).map((d) => d.event_type).sort()).toEqual(['member.erased', 'membership.changed']);
  });
});
