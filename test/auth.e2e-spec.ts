import { createHash, createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';

import { LOGIN_LIMITS } from '../src/auth/auth.service';
import { bootTestApp, TEST_JWT_SECRET, type TestApp } from './support/app';
import { login, makeOrganisation, makeUser, PASSWORD, unique, type TestUser } from './support/world';

const API = '/api/v1/auth';

// --- tiny HS256 JWT signer (node:crypto only), to forge tokens the API must refuse ---
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signJwt(payload: Record<string, unknown>, options: { secret?: string; header?: Record<string, unknown> } = {}): string {
  const header = options.header ?? { alg: 'HS256', typ: 'JWT' };
  const unsigned = `${b64url(header)}.${b64url(payload)}`;
  const signature =
    header.alg === 'none'
      ? ''
      : createHmac('sha256', options.secret ?? TEST_JWT_SECRET)
          .update(unsigned)
          .digest('base64url');
  return `${unsigned}.${signature}`;
}

const claimsOf = (jwt: string): { sub: string; sid: string } => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** A problem body without the parts that differ on every request. */
const stable = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined });

describe('Authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  // --- request shapes ---
  const postLogin = (email: string, password = PASSWORD) => request(t.http).post(`${API}/login`).send({ email, password });
  const me = (accessToken?: string) => {
    const req = request(t.http).get(`${API}/me`);
    return accessToken === undefined ? req : req.set('Authorization', `Bearer ${accessToken}`);
  };
  const refresh = (refreshToken: string) => request(t.http).post(`${API}/refresh`).send({ refreshToken });
  const logout = (accessToken: string, refreshToken: string) => request(t.http).post(`${API}/logout`).set('Authorization', `Bearer ${accessToken}`).send({ refreshToken });
  const changePassword = (accessToken: string, currentPassword: string, newPassword: string) =>
    request(t.http).post(`${API}/password`).set('Authorization', `Bearer ${accessToken}`).send({ currentPassword, newPassword });

  const expectProblem = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String), code: expect.any(String) });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(res.body.instance).toEqual(expect.stringContaining(API));
  };
  /** The distinct fields named in a 400 (one entry per failed constraint, so a field may repeat). */
  const fieldsOf = (res: request.Response): string[] => [...new Set<string>((res.body.errors ?? []).map((e: { field: string }) => e.field))];
  const timed = async <T>(run: () => PromiseLike<T>): Promise<{ ms: number; res: T }> => {
    const start = process.hrtime.bigint();
    const res = await run();
    return { ms: Number(process.hrtime.bigint() - start) / 1e6, res };
  };

  it('logs in, and the access token opens /auth/me', async () => {
    const org = await makeOrganisation(t);
    const user = await makeUser(t, [{ role: 'organiser', organisation: org }]);
    const res = await postLogin(user.email);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, tokenType: 'Bearer' });
    expect(claimsOf(res.body.accessToken).sub).toBe(user.id);

    const who = await me(res.body.accessToken);
    expect(who.status).toBe(200);
    expect(who.body.user).toMatchObject({ id: user.id, email: user.email, disabled: false });
    expect(who.body.roles).toEqual([expect.objectContaining({ role: 'organiser', organisationId: org.id, userId: user.id })]);
  });

  it('answers an unknown e-mail exactly like a wrong password, after the same kind of work', async () => {
    const users = [await makeUser(t), await makeUser(t), await makeUser(t)];
    await postLogin(`${unique('warm')}@example.org`, 'warm-up'); // first call builds the dummy hash
    const unknown: number[] = [];
    const wrong: number[] = [];
    let unknownRes: request.Response | undefined;
    let wrongRes: request.Response | undefined;
    for (const user of users) {
      const u = await timed(() => postLogin(`${unique('nobody')}@example.org`, 'not the password'));
      const w = await timed(() => postLogin(user.email, 'not the password'));
      unknown.push(u.ms);
      wrong.push(w.ms);
      unknownRes = u.res;
      wrongRes = w.res;
    }
    expectProblem(unknownRes!, 401);
    expectProblem(wrongRes!, 401);
    expect(stable(unknownRes!.body)).toEqual(stable(wrongRes!.body));
    expect(median(unknown)).toBeGreaterThanOrEqual(median(wrong) / 3);
  });

  it('rotates refresh tokens, tolerates a quick retry, and closes the session when an old token is reused', async () => {
    const user = await makeUser(t);
    const first = await refresh(user.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect((await me(first.body.accessToken)).status).toBe(200);

    // The new refresh token works in turn.
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);

    // A client that lost the answer retries with the token it sent: allowed within the grace window.
    const retry = await refresh(user.refreshToken);
    expect(retry.status).toBe(200);

    // Later, the same old token is reuse: 401, and the whole family dies.
    await t.db.query(`UPDATE refresh_tokens SET rotated_at = now() - interval '60 seconds' WHERE token_hash = $1`, [sha256(user.refreshToken)]);
    const reuse = await refresh(user.refreshToken);
    expectProblem(reuse, 401);
    expect(reuse.body.detail).toMatch(/already used/);

    expectProblem(await refresh(second.body.refreshToken), 401);
    expectProblem(await refresh(retry.body.refreshToken), 401);
    for (const access of [user.token, first.body.accessToken, second.body.accessToken, retry.body.accessToken]) {
      expectProblem(await me(access), 401);
    }
  });

  it('logs out one session and leaves the others alone', async () => {
    const user = await makeUser(t);
    const other = await login(t, user.email);

    const res = await logout(user.token, user.refreshToken);
    expect(res.status).toBe(204);
    expectProblem(await refresh(user.refreshToken), 401);
    expectProblem(await me(user.token), 401);

    expect((await me(other.token)).status).toBe(200);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  describe('password change', () => {
    let user: TestUser;
    let other: { token: string; refreshToken: string };
    const NEW_PASSWORD = 'a brand new passphrase, long enough';

    beforeAll(async () => {
      user = await makeUser(t);
      other = await login(t, user.email);
    });

    it('refuses a new password shorter than 12 characters', async () => {
      const res = await changePassword(user.token, PASSWORD, 'short-11chr');
      expectProblem(res, 400);
      expect(fieldsOf(res)).toEqual(['newPassword']);
    });

    it('refuses a wrong current password', async () => {
      expectProblem(await changePassword(user.token, 'not my password at all', NEW_PASSWORD), 401);
      expect((await me(other.token)).status).toBe(200); // nothing was revoked
    });

    it('changes it, closes the other sessions and keeps the current one', async () => {
      expect((await changePassword(user.token, PASSWORD, NEW_PASSWORD)).status).toBe(204);

      expectProblem(await me(other.token), 401);
      expectProblem(await refresh(other.refreshToken), 401);

      expect((await me(user.token)).status).toBe(200);
      expect((await refresh(user.refreshToken)).status).toBe(200);

      expectProblem(await postLogin(user.email, PASSWORD), 401);
      expect((await postLogin(user.email, NEW_PASSWORD)).status).toBe(200);
    });
  });

  it('shuts out a disabled user at once, with the same answer as a wrong password', async () => {
    const user = await makeUser(t);
    const bystander = await makeUser(t);
    await t.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);

    const res = await postLogin(user.email, PASSWORD);
    expectProblem(res, 401);
    const wrong = await postLogin(bystander.email, 'not the password');
    expect(stable(res.body)).toEqual(stable(wrong.body));

    expectProblem(await me(user.token), 401);
    expectProblem(await refresh(user.refreshToken), 401);
  });

  describe('access tokens', () => {
    let user: TestUser;
    let claims: Record<string, unknown>;

    beforeAll(async () => {
      user = await makeUser(t);
      const now = Math.floor(Date.now() / 1000);
      claims = { ...claimsOf(user.token), aud: 'convoca-api', iss: 'convoca', iat: now, exp: now + 300 };
    });

    it('accepts a token this test signs with the right secret and claims (so the refusals below mean something)', async () => {
      expect((await me(signJwt(claims))).status).toBe(200);
    });

    const forged: [string, (c: Record<string, unknown>) => string | undefined][] = [
      ['alg none', (c) => signJwt(c, { header: { alg: 'none', typ: 'JWT' } })],
      ['another secret', (c) => signJwt(c, { secret: 'some-other-secret-that-is-long-enough-9876543210' })],
      ['wrong audience', (c) => signJwt({ ...c, aud: 'someone-else' })],
      ['wrong issuer', (c) => signJwt({ ...c, iss: 'evil' })],
      ['expired', (c) => signJwt({ ...c, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 })],
      ['unknown session', (c) => signJwt({ ...c, sid: randomUUID() })],
      ['garbage', () => 'not-a-jwt-at-all'],
      ['missing header', () => undefined],
    ];
    it.each(forged)('refuses %s with 401', async (_name, make) => {
      expectProblem(await me(make(claims)), 401);
    });
  });

  it('throttles repeated failures per account in PostgreSQL, but not other accounts from the same address', async () => {
    const victim = await makeUser(t);
    const neighbour = await makeUser(t);
    // Varying the letter case does not buy a fresh budget: the address is one account.
    for (let i = 0; i < 10; i++) expectProblem(await postLogin(i % 2 ? victim.email.toUpperCase() : victim.email, `wrong guess ${i}`), 401);

    const [row] = await t.db.query<{ count: number }[]>(`SELECT count FROM rate_limits WHERE key LIKE 'login-fail:account:%' AND key = $1`, [`login-fail:account:${victim.email.toLowerCase()}`]);
    expect(row.count).toBe(10);

    const blocked = await postLogin(victim.email, PASSWORD);
    expectProblem(blocked, 429);
    expect(blocked.body.code).toBe('rate-limited');
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    expect((await postLogin(neighbour.email, PASSWORD)).status).toBe(200);
  });

  it('counts failed logins across two API processes on one database: alternating between them buys no extra guesses', async () => {
    const second = await bootTestApp({ database: t.database });
    try {
      const victim = await makeUser(t);
      const instances = [t, second];
      const attempt = (i: number, password: string) =>
        request(instances[i % 2].http)
          .post(`${API}/login`)
          .send({ email: victim.email, password });
      for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expectProblem(await attempt(i, `wrong guess ${i}`), 401);
      // The budget is used up on both: even the right password is refused, whichever process answers.
      expectProblem(await attempt(0, PASSWORD), 429);
      expectProblem(await attempt(1, PASSWORD), 429);
    } finally {
      await second.close();
    }
  });

  it.each([
    ['a missing password', { email: 'someone@example.org' }, 'password'],
    ['an e-mail that is not one', { email: 'not-an-email', password: PASSWORD }, 'email'],
    ['an unknown extra field', { email: 'someone@example.org', password: PASSWORD, isPlatformAdmin: true }, 'isPlatformAdmin'],
  ])('answers login with %s as a 400 naming the field', async (_name, body, field) => {
    const res = await request(t.http).post(`${API}/login`).send(body);
    expectProblem(res, 400);
    expect(res.body.code).toBe('validation-failed');
    expect(fieldsOf(res)).toEqual([field]);
  });
});
