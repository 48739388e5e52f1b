import request from 'supertest';

import { TOKEN_SELF_ROUTES } from '../src/access/api-token';
import { bootTestApp, type TestApp } from './support/app';
import { row, runRow, type MatrixRow } from './support/matrix';
import { listRoutes } from './support/routes';
import { buildWorld, guest, makeEvent, makeMember, makeUser, unique, type TestUser, type World } from './support/world';

const hours = (n: number) => new Date(Date.now() + n * 3600_000);

/**
 * API tokens (issue 22): made by an org_admin for its organisation with some
 * of its permissions, shown once, stored hashed; a token acts with exactly
 * those permissions on that organisation and its descendants, as nobody's
 * person, audited under its own id; revoked or expired, it is refused at once.
 * Also the permission matrices of the webhooks and api-tokens routes.
 */
describe('API tokens', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await bootTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1' } });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const make = async (user: TestUser, body: object) => {
    const res = await request(t.http)
      .post('/api/v1/api-tokens')
      .set(user.auth)
      .send({ name: unique('token'), ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string; prefix: string };
  };
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const newEvent = (organisationId: string, token: string) =>
    request(t.http)
      .post('/api/v1/events')
      .set(as(token))
      .send({ hostOrganisationId: organisationId, title: unique('Marcha'), kind: 'march', startsAt: hours(48).toISOString(), endsAt: hours(51).toISOString() });

  it('is shown once, kept as a hash, and listed without its secret', async () => {
    const made = await request(t.http)
      .post('/api/v1/api-tokens')
      .set(w.users.adminA.auth)
      .send({ name: 'CRM sync', organisationId: w.A.id, permissions: ['member.read', 'event.manage'] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'CRM sync', organisationId: w.A.id, permissions: ['event.manage', 'member.read'], state: 'active', createdBy: w.users.adminA.id, revokedAt: null });
    expect(made.body.token).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    expect(made.body.token.startsWith(made.body.prefix)).toBe(true);
    // 90 days unless told otherwise.
    expect(Math.round((new Date(made.body.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(90);
    const stored = await t.db.query('SELECT * FROM api_tokens WHERE id = $1', [made.body.id]);
    expect(JSON.stringify(stored)).not.toContain(made.body.token.slice(4));
    const listed = await request(t.http).get('/api/v1/api-tokens').set(w.users.adminP.auth);
    expect(listed.status).toBe(200);
    expect(listed.body.map((x: { id: string }) => x.id)).toContain(made.body.id);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.token.slice(4));
    expect((await request(t.http).get(`/api/v1/api-tokens?organisation=${w.B.id}`).set(w.users.adminP.auth)).body).toEqual([]);
    expect((await request(t.http).get('/api/v1/api-tokens').set(w.users.adminB.auth)).body.map((x: { id: string }) => x.id)).not.toContain(made.body.id);
    const audit = await t.db.query(`SELECT actor_user_id, organisation_id, changes FROM audit_log WHERE action = 'api_token.create' AND entity_id = $1`, [made.body.id]);
    expect(audit).toEqual([{ actor_user_id: w.users.adminA.id, organisation_id: w.A.id, changes: expect.objectContaining({ permissions: { from: null, to: ['event.manage', 'member.read'] } }) }]);
  });

  it('holds only what its maker holds on the organisation, never credentials, and expires within a year', async () => {
    const post = (user: TestUser, body: object) =>
      request(t.http)
        .post('/api/v1/api-tokens')
        .set(user.auth)
        .send({ name: 'x', ...body });
    expect((await post(w.users.adminA, { organisationId: w.P.id, permissions: ['event.manage'] })).status).toBe(403);
    expect((await post(w.users.adminA, { organisationId: w.B.id, permissions: ['event.manage'] })).status).toBe(403);
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['role.grant'] })).status).toBe(400);
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['apitoken.manage'] })).status).toBe(400);
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['coalition.update'] })).status).toBe(400);
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: [] })).status).toBe(400);
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'], expiresAt: hours(24 * 366).toISOString() })).body.code).toBe('invalid-expiry');
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'], expiresAt: hours(-1).toISOString() })).body.code).toBe('invalid-expiry');
    expect((await post(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'], expiresAt: hours(24 * 364).toISOString() })).status).toBe(201);
    // A token cannot make tokens.
    const token = await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] });
    expect(
      (
        await request(t.http)
          .post('/api/v1/api-tokens')
          .set(as(token.token))
          .send({ name: 'x', organisationId: w.A.id, permissions: ['event.manage'] })
      ).status,
    ).toBe(403);
  });

  it('acts with exactly its permissions on its organisation and descendants, audited under its id, and nothing as a person', async () => {
    const token = (await make(w.users.adminP, { organisationId: w.P.id, permissions: ['event.manage', 'member.read'] })).token;
    // event.manage on P and on its current A; nothing on B.
    const created = await newEvent(w.A.id, token);
    expect(created.status).toBe(201);
    expect((await newEvent(w.B.id, token)).status).toBe(403);
    const [entry] = await t.db.query(`SELECT actor_user_id, actor_api_token_id FROM audit_log WHERE action = 'event.create' AND entity_id = $1`, [created.body.id]);
    const [{ id: tokenId }] = await t.db.query(`SELECT id FROM api_tokens WHERE prefix = $1`, [token.slice(0, 12)]);
    expect(entry).toEqual({ actor_user_id: w.users.adminP.id, actor_api_token_id: tokenId });
    expect((await request(t.http).get(`/api/v1/audit-log?entity=event`).set(w.users.adminP.auth)).body.items).toContainEqual(
      expect.objectContaining({ entityId: created.body.id, actorApiTokenId: tokenId }),
    );
    // member.read, not member.manage.
    expect((await request(t.http).get(`/api/v1/members?organisation=${w.A.id}`).set(as(token))).status).toBe(200);
    expect((await request(t.http).get(`/api/v1/members?organisation=${w.B.id}`).set(as(token))).status).toBe(403);
    expect((await request(t.http).post('/api/v1/members').set(as(token)).send({ organisationId: w.A.id, givenName: 'A', familyName: 'B' })).status).toBe(403);
    const member = await makeMember(t, [w.A]);
    expect((await request(t.http).get(`/api/v1/members/${member.id}`).set(as(token))).status).toBe(200);
    // The signup routes organisers use (`self` routes that serve organisers) work on its own events only.
    const ofA = await makeEvent(t, { hostOrganisationId: w.A.id });
    const ofB = await makeEvent(t, { hostOrganisationId: w.B.id });
    expect((await request(t.http).get(`/api/v1/events/${ofA.id}/signups`).set(as(token))).status).toBe(200);
    // B's event is public: seen, and not theirs to handle (403).
    expect((await request(t.http).get(`/api/v1/events/${ofB.id}/signups`).set(as(token))).status).toBe(403);
    // Never a person: /auth, /me, a user's roles.
    for (const [method, path] of [
      ['get', '/api/v1/auth/me'],
      ['post', '/api/v1/auth/logout'],
      ['post', '/api/v1/auth/password'],
      ['get', '/api/v1/me/signups'],
      ['get', '/api/v1/me/export'],
      ['post', '/api/v1/me/erase'],
      ['post', '/api/v1/me/links'],
      ['get', `/api/v1/users/${w.users.adminP.id}/roles`],
    ] as const) {
      const res = await request(t.http)[method](path).set(as(token)).send({});
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
    }
    // Other permissions of its maker are not its own.
    expect((await request(t.http).post('/api/v1/role-assignments').set(as(token)).send({ userId: w.users.plain.id, role: 'organiser', organisationId: w.A.id })).status).toBe(403);
    expect((await request(t.http).get('/api/v1/audit-log').set(as(token))).status).toBe(403);
  });

  it('does not take its maker’s per-event host roles', async () => {
    const ofB = await makeEvent(t, { hostOrganisationId: w.B.id });
    await t.db.query(`INSERT INTO event_roles (event_id, user_id, role) VALUES ($1, $2, 'host')`, [ofB.id, w.users.adminA.id]);
    const token = (await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] })).token;
    expect((await request(t.http).get(`/api/v1/events/${ofB.id}/signups`).set(w.users.adminA.auth)).status).toBe(200);
    expect((await request(t.http).get(`/api/v1/events/${ofB.id}/signups`).set(as(token))).status).toBe(403);
  });

  it('is refused (401) at once when revoked, expired, or its maker is disabled or no longer holds its permissions', async () => {
    const ok = async (token: string) => (await request(t.http).get('/api/v1/events?from=2020-01-01T00:00:00Z').set(as(token))).status;
    const protectedStatus = async (token: string) => (await newEvent(w.A.id, token)).status;
    const revoked = await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] });
    expect(await protectedStatus(revoked.token)).toBe(201);
    expect((await request(t.http).delete(`/api/v1/api-tokens/${revoked.id}`).set(w.users.adminB.auth)).status).toBe(404);
    expect((await request(t.http).delete(`/api/v1/api-tokens/${revoked.id}`).set(w.users.adminP.auth)).status).toBe(204);
    expect((await request(t.http).delete(`/api/v1/api-tokens/${revoked.id}`).set(w.users.adminA.auth)).status).toBe(204);
    expect(await protectedStatus(revoked.token)).toBe(401);
    // On a public route a refused token is no credential: the caller is anonymous.
    expect(await ok(revoked.token)).toBe(200);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'api_token.revoke' AND entity_id = $1`, [revoked.id])).toEqual([{ n: 1 }]);

    const expired = await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] });
    await t.db.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
    expect(await protectedStatus(expired.token)).toBe(401);
    expect((await request(t.http).get('/api/v1/api-tokens').set(w.users.adminA.auth)).body.find((x: { id: string }) => x.id === expired.id).state).toBe('expired');

    const maker = await makeUser(t, [{ role: 'org_admin', organisation: w.A }]);
    const orphan = await make(maker, { organisationId: w.A.id, permissions: ['event.manage'] });
    expect(await protectedStatus(orphan.token)).toBe(201);
    await t.db.query(`UPDATE role_assignments SET role = 'organiser' WHERE user_id = $1`, [maker.id]);
    expect(await protectedStatus(orphan.token)).toBe(201); // an organiser still holds event.manage
    await t.db.query(`DELETE FROM role_assignments WHERE user_id = $1`, [maker.id]);
    expect(await protectedStatus(orphan.token)).toBe(401);
    await t.db.query(`INSERT INTO role_assignments (user_id, role, organisation_id) VALUES ($1, 'org_admin', $2)`, [maker.id, w.A.id]);
    expect(await protectedStatus(orphan.token)).toBe(201);
    await t.db.query(`UPDATE users SET disabled_at = now() WHERE id = $1`, [maker.id]);
    expect(await protectedStatus(orphan.token)).toBe(401);

    expect(await protectedStatus('cvk_not-a-token')).toBe(401);
    expect(await protectedStatus(`cvk_${'A'.repeat(43)}`)).toBe(401);
  });

  it('records when it was last used, to the minute', async () => {
    const token = await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] });
    expect((await t.db.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [token.id]))[0].last_used_at).toBeNull();
    await newEvent(w.A.id, token.token);
    expect((await t.db.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [token.id]))[0].last_used_at).toBeInstanceOf(Date);
  });

  it('lists only routes that exist among the `self` routes it may use', () => {
    const routes = new Set(listRoutes(t.app).map((r) => `${r.method} ${r.path}`));
    expect(Object.keys(TOKEN_SELF_ROUTES).filter((r) => !routes.has(r))).toEqual([]);
  });

  it('can register webhooks for its organisation when it holds webhook.manage', async () => {
    const token = (await make(w.users.adminA, { organisationId: w.A.id, permissions: ['webhook.manage'] })).token;
    const body = { url: 'http://127.0.0.1:9/hook', events: ['signup.created'] };
    expect(
      (
        await request(t.http)
          .post('/api/v1/webhooks')
          .set(as(token))
          .send({ ...body, organisationId: w.A.id })
      ).status,
    ).toBe(201);
    expect(
      (
        await request(t.http)
          .post('/api/v1/webhooks')
          .set(as(token))
          .send({ ...body, organisationId: w.P.id })
      ).status,
    ).toBe(403);
    expect(
      (
        await request(t.http)
          .post('/api/v1/webhooks')
          .set(as(token))
          .send({ ...body, coalitionId: w.C.id })
      ).status,
    ).toBe(403);
    // A guest signup through a token (an integration's own form) is a guest signup.
    const event = await makeEvent(t, { hostOrganisationId: w.A.id });
    expect((await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(as(token)).send(guest())).status).toBe(201);
  });

  describe('permission matrices', () => {
    // Callers: anon, plain, organiserA, adminA, adminP, adminB, coordinator, platform.
    let endpointOfA: string;
    let endpointOfC: string;
    const hookBody = (fields: object) => ({ url: 'http://127.0.0.1:9/hook', events: ['signup.created'], ...fields });
    const newEndpoint = async (fields: object) => (await request(t.http).post('/api/v1/webhooks').set(w.users.platform.auth).send(hookBody(fields))).body.id as string;
    beforeAll(async () => {
      endpointOfA = await newEndpoint({ organisationId: w.A.id });
      endpointOfC = await newEndpoint({ coalitionId: w.C.id });
    });
    const deliveredOf = async (endpointId: string) => {
      const [d] = await t.db.query<{ id: string }[]>(
        `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload, state, attempts) VALUES ($1, 'signup.created', '{"type":"signup.created","timestamp":"2026-06-08T21:00:00.000Z","data":{}}', 'delivered', 1) RETURNING id`,
        [endpointId],
      );
      return d.id;
    };
    const newToken = async () => (await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] })).id;

    const rows: MatrixRow[] = [
      row('POST /webhooks (organisation A)', () => ({ method: 'post', path: '/api/v1/webhooks', body: hookBody({ organisationId: w.A.id }) }), 401, 403, 403, 201, 201, 403, 403, 201),
      row('POST /webhooks (coalition C)', () => ({ method: 'post', path: '/api/v1/webhooks', body: hookBody({ coalitionId: w.C.id }) }), 401, 403, 403, 403, 403, 403, 201, 201),
      row('GET /webhooks', () => ({ method: 'get', path: '/api/v1/webhooks' }), 401, 403, 403, 200, 200, 200, 200, 200),
      row('GET /webhooks/:id (A)', () => ({ method: 'get', path: `/api/v1/webhooks/${endpointOfA}` }), 401, 403, 403, 200, 200, 404, 404, 200),
      row('GET /webhooks/:id (C)', () => ({ method: 'get', path: `/api/v1/webhooks/${endpointOfC}` }), 401, 403, 403, 404, 404, 404, 200, 200),
      row('PATCH /webhooks/:id (A)', () => ({ method: 'patch', path: `/api/v1/webhooks/${endpointOfA}`, body: { description: 'x' } }), 401, 403, 403, 200, 200, 404, 404, 200),
      row('POST /webhooks/:id/rotate-secret (A)', () => ({ method: 'post', path: `/api/v1/webhooks/${endpointOfA}/rotate-secret` }), 401, 403, 403, 200, 200, 404, 404, 200),
      row('GET /webhooks/:id/deliveries (A)', () => ({ method: 'get', path: `/api/v1/webhooks/${endpointOfA}/deliveries` }), 401, 403, 403, 200, 200, 404, 404, 200),
      row(
        'POST /webhooks/:id/deliveries/:deliveryId/replay (A)',
        async () => ({ method: 'post', path: `/api/v1/webhooks/${endpointOfA}/deliveries/${await deliveredOf(endpointOfA)}/replay` }),
        401,
        403,
        403,
        202,
        202,
        404,
        404,
        202,
      ),
      row('DELETE /webhooks/:id (A)', async () => ({ method: 'delete', path: `/api/v1/webhooks/${await newEndpoint({ organisationId: w.A.id })}` }), 401, 403, 403, 204, 204, 404, 404, 204),
      row(
        'POST /api-tokens (A)',
        () => ({ method: 'post', path: '/api/v1/api-tokens', body: { name: 'x', organisationId: w.A.id, permissions: ['event.manage'] } }),
        401,
        403,
        403,
        201,
        201,
        403,
        403,
        201,
      ),
      row('GET /api-tokens', () => ({ method: 'get', path: '/api/v1/api-tokens' }), 401, 403, 403, 200, 200, 200, 403, 200),
      row('DELETE /api-tokens/:id (A)', async () => ({ method: 'delete', path: `/api/v1/api-tokens/${await newToken()}` }), 401, 403, 403, 204, 204, 404, 403, 204),
    ];
    it.each(rows.map((r) => [r.route, r]))('%s', async (_route, r) => {
      expect(await runRow(t, w, r)).toEqual(r.expect);
    });

    it('as an API token of A with webhook.manage: its own organisation’s endpoints only', async () => {
      const token = (await make(w.users.adminA, { organisationId: w.A.id, permissions: ['webhook.manage'] })).token;
      expect((await request(t.http).get(`/api/v1/webhooks/${endpointOfA}`).set(as(token))).status).toBe(200);
      expect((await request(t.http).get(`/api/v1/webhooks/${endpointOfC}`).set(as(token))).status).toBe(404);
      const narrow = (await make(w.users.adminA, { organisationId: w.A.id, permissions: ['event.manage'] })).token;
      expect((await request(t.http).get(`/api/v1/webhooks/${endpointOfA}`).set(as(narrow))).status).toBe(403);
      expect((await request(t.http).get('/api/v1/api-tokens').set(as(token))).status).toBe(403);
    });
  });
});
