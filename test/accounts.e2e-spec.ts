import request from 'supertest';

import { LOGIN_LIMITS } from '../src/auth/auth.service';
import { bootTestApp, type TestApp } from './support/app';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { buildWorld, linkMember, login, makeEvent, makeMember, makeUser, PASSWORD, unique, type World } from './support/world';

describe('self-service accounts over e-mail', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await bootTestApp({ env: { SMTP_URL: sink.url, OUTBOX_WORKER: 'true', OUTBOX_POLL_MS: '50', PUBLIC_URL: 'https://convoca.example.org' } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const post = (path: string, body: object) => request(t.http).post(`/api/v1${path}`).send(body);
  const mailsTo = (address: string) => sink.mails.filter((m) => m.to.includes(address));

  describe('password reset', () => {
    it('answers known and unknown addresses identically, and mails only the known one', async () => {
      const user = await makeUser(t);
      const known = await post('/auth/password-reset', { email: user.email });
      const unknown = await post('/auth/password-reset', { email: 'nobody-here@example.org' });
      expect(known.status).toBe(202);
      expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
      await sink.waitFor(() => mailsTo(user.email).length === 1);
      expect(mailsTo('nobody-here@example.org')).toEqual([]);
      expect(mailsTo(user.email)[0].subject).toContain('contrase'); // Spanish by default
    });

    it('sets a new password once with the e-mailed token and closes every session', async () => {
      const user = await makeUser(t);
      await post('/auth/password-reset', { email: user.email });
      await sink.waitFor(() => sink.tokensFor(user.email).length === 1);
      const [token] = sink.tokensFor(user.email);
      expect(mailsTo(user.email)[0].raw.replace(/=\r?\n/g, '')).toContain(`https://convoca.example.org/account/reset-password/${token}`);

      expect((await post('/auth/password-reset/confirm', { token, password: 'short' })).status).toBe(400);
      const common = await post('/auth/password-reset/confirm', { token, password: 'password123456' });
      expect(common.status).toBe(400);
      expect(common.body.errors[0]).toEqual({ field: 'password', message: 'this password is too common; choose another' });

      expect((await post('/auth/password-reset/confirm', { token, password: 'a brand new passphrase' })).status).toBe(204);
      expect((await request(t.http).get('/api/v1/auth/me').set(user.auth)).status).toBe(401);
      expect((await post('/auth/refresh', { refreshToken: user.refreshToken })).status).toBe(401);
      await expect(login(t, user.email, PASSWORD)).rejects.toThrow();
      await expect(login(t, user.email, 'a brand new passphrase')).resolves.toHaveProperty('token');

      const again = await post('/auth/password-reset/confirm', { token, password: 'another new passphrase' });
      expect(again.status).toBe(400);
      expect(again.body.code).toBe('invalid-token');
    });

    it('lifts the failed-login lock of the account once the reset is completed, but not the lock on the address', async () => {
      const user = await makeUser(t);
      const loginAs = (password: string) => post('/auth/login', { email: user.email, password });
      for (let i = 0; i < LOGIN_LIMITS.perAccount; i++) expect((await loginAs(`wrong guess ${i}`)).status).toBe(401);
      expect((await loginAs(PASSWORD)).status).toBe(429); // locked, even with the right password
      const ipCounters = () => t.db.query("SELECT key, count FROM rate_limits WHERE key LIKE 'login-fail:ip:%' ORDER BY key");
      const ipBefore = await ipCounters();
      expect(ipBefore.length).toBeGreaterThan(0);

      await post('/auth/password-reset', { email: user.email });
      await sink.waitFor(() => sink.tokensFor(user.email).length === 1);
      // A refused confirmation changes nothing: still locked.
      expect((await post('/auth/password-reset/confirm', { token: 'x'.repeat(43), password: 'a brand new passphrase' })).status).toBe(400);
      expect((await loginAs(PASSWORD)).status).toBe(429);

      expect((await post('/auth/password-reset/confirm', { token: sink.tokensFor(user.email)[0], password: 'a brand new passphrase' })).status).toBe(204);
      // The owner just proved control of the address: they log in at once with the new password.
      expect((await loginAs('a brand new passphrase')).status).toBe(200);
      // The address's own budget (against spraying many accounts) is untouched.
      expect(await ipCounters()).toEqual(ipBefore);
    });

    it('refuses an expired token', async () => {
      const user = await makeUser(t);
      await post('/auth/password-reset', { email: user.email });
      await sink.waitFor(() => sink.tokensFor(user.email).length === 1);
      await t.db.query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
      const res = await post('/auth/password-reset/confirm', { token: sink.tokensFor(user.email)[0], password: 'a brand new passphrase' });
      expect([res.status, res.body.code]).toEqual([400, 'invalid-token']);
    });

    it('limits requests per address', async () => {
      const user = await makeUser(t);
      for (let i = 0; i < 3; i++) expect((await post('/auth/password-reset', { email: user.email })).status).toBe(202);
      const limited = await post('/auth/password-reset', { email: user.email });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    });

    it('rejects malformed requests with a 400', async () => {
      expect((await post('/auth/password-reset', { email: 'not-an-email' })).status).toBe(400);
      expect((await post('/auth/password-reset', { email: 'a@example.org', admin: true })).status).toBe(400);
      expect((await post('/auth/password-reset/confirm', { token: 'x', password: 'a brand new passphrase' })).status).toBe(400);
    });
  });

  describe('member accounts', () => {
    const consent = { dataProcessing: true, contactByEmail: true, noticeVersion: '2026-05' };
    const memberRow = async (email: string) => (await t.db.query('SELECT id, email_verified_at FROM members WHERE email = $1', [email]))[0];

    it('confirms the address of a membership application with a single-use link', async () => {
      const email = `${unique('applicant')}@example.org`;
      const res = await post(`/organisations/${w.A.slug}/applications`, { givenName: 'Rosa', familyName: 'Quispe', email, consent });
      expect(res.status).toBe(202);
      await sink.waitFor(() => sink.tokensFor(email).length === 1);
      expect(mailsTo(email)[0].subject).toContain('Confirma');
      expect((await memberRow(email)).email_verified_at).toBeNull();

      const [token] = sink.tokensFor(email);
      expect((await post('/auth/verify-email', { token })).status).toBe(204);
      expect((await memberRow(email)).email_verified_at).not.toBeNull();
      const second = await post('/auth/verify-email', { token });
      expect([second.status, second.body.code]).toEqual([400, 'invalid-token']);

      // The org_admin sees that this application's address is confirmed.
      const seen = await request(t.http)
        .get(`/api/v1/members/${(await memberRow(email)).id}`)
        .set(w.users.adminA.auth);
      expect(seen.body.emailVerified).toBe(true);
    });

    it('lets an org_admin invite a member, who creates a linked login once', async () => {
      const member = await makeMember(t, [w.A], { preferredLanguage: 'en' });
      expect((await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminB.auth)).status).toBe(404);
      expect((await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminA.auth)).status).toBe(202);
      await sink.waitFor(() => sink.tokensFor(member.email!).length === 1);
      expect(mailsTo(member.email!)[0].subject).toContain('invites you'); // the member's language
      const [token] = sink.tokensFor(member.email!);

      const accepted = await post('/auth/accept-invitation', { token, password: 'my own long passphrase' });
      expect(accepted.status).toBe(200);
      const me = await request(t.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${accepted.body.accessToken}`);
      expect(me.body.members).toEqual([{ id: member.id, controllerId: w.P.id }]);
      expect((await post('/auth/accept-invitation', { token, password: 'my own long passphrase' })).status).toBe(400);
      const again = await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminA.auth);
      expect([again.status, again.body.code]).toEqual([409, 'already-has-login']);
    });

    it('refuses an expired invitation', async () => {
      const member = await makeMember(t, [w.A]);
      await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminA.auth);
      await sink.waitFor(() => sink.tokensFor(member.email!).length === 1);
      await t.db.query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE member_id = $1", [member.id]);
      const res = await post('/auth/accept-invitation', { token: sink.tokensFor(member.email!)[0], password: 'my own long passphrase' });
      expect([res.status, res.body.code]).toEqual([400, 'invalid-token']);
    });

    it('lets a member with a confirmed address register, answering unknown addresses identically', async () => {
      const member = await makeMember(t, [w.B], { emailVerifiedAt: new Date() });
      const unverified = await makeMember(t, [w.B]);
      const known = await post('/auth/register', { email: member.email });
      const unknown = await post('/auth/register', { email: 'stranger@example.org' });
      const notVerified = await post('/auth/register', { email: unverified.email });
      expect(known.status).toBe(202);
      expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
      expect([notVerified.status, notVerified.body]).toEqual([known.status, known.body]);
      await sink.waitFor(() => sink.tokensFor(member.email!).length === 1);
      expect(mailsTo(unverified.email!)).toEqual([]);
      const res = await post('/auth/accept-invitation', { token: sink.tokensFor(member.email!)[0], password: 'my own long passphrase' });
      expect(res.status).toBe(200);
      await expect(login(t, member.email!, 'my own long passphrase')).resolves.toHaveProperty('token');
    });

    it('does not offer a login to a member who already has one', async () => {
      const member = await makeMember(t, [w.B], { emailVerifiedAt: new Date() });
      const user = await makeUser(t, [], { email: member.email! });
      await linkMember(t, user, member);
      expect((await post('/auth/register', { email: member.email })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
      expect(mailsTo(member.email!)).toEqual([]);
    });
  });

  describe('one login, member records in several data controllers (issue 17)', () => {
    const me = (accessToken: string) => request(t.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${accessToken}`);

    it('an invitation to an address with a login adds the record to that login, with its own password only', async () => {
      const inA = await makeMember(t, [w.A]);
      const inB = await makeMember(t, [w.B], { email: inA.email });
      const user = await makeUser(t, [], { email: inA.email! });
      await linkMember(t, user, inA);
      // B's admin invites B's record: the answer says nothing of the login the address already has.
      const invited = await request(t.http).post(`/api/v1/members/${inB.id}/invitation`).set(w.users.adminB.auth);
      expect([invited.status, invited.body]).toEqual([202, { status: 'sent' }]);
      await sink.waitFor(() => sink.tokensFor(inA.email!).length === 1);
      const [token] = sink.tokensFor(inA.email!);
      const wrong = await post('/auth/accept-invitation', { token, password: 'not the login’s password' });
      expect(wrong.status).toBe(401);
      const right = await post('/auth/accept-invitation', { token, password: PASSWORD });
      expect(right.status).toBe(200);
      expect((await me(right.body.accessToken)).body.members).toEqual([
        { id: inA.id, controllerId: w.P.id },
        { id: inB.id, controllerId: w.B.id },
      ]);
      // The member role is the union: B's members-only event opens to the login too.
      const ofB = await makeEvent(t, { hostOrganisationId: w.B.id, visibility: 'members' });
      expect((await request(t.http).get(`/api/v1/events/${ofB.id}`).set(user.auth)).status).toBe(200); // links count at once, in every session of the login
      expect((await request(t.http).get(`/api/v1/events/${ofB.id}`).set('Authorization', `Bearer ${right.body.accessToken}`)).status).toBe(200);
      // B's audit log records the link in B's scope.
      const [link] = await t.db.query(`SELECT organisation_id FROM audit_log WHERE action = 'member.login_link' AND entity_id = $1`, [inB.id]);
      expect(link.organisation_id).toBe(w.B.id);
    });

    it('links the records held with the login’s address when the person asks, through a link mailed to that address', async () => {
      const email = `${unique('links')}@example.org`;
      const user = await makeUser(t, [], { email });
      const inA = await makeMember(t, [w.A], { email });
      const inB = await makeMember(t, [w.B], { email: email.toUpperCase() });
      const outsider = await makeUser(t);
      const asked = await request(t.http).post('/api/v1/me/links').set(user.auth);
      const nothing = await request(t.http).post('/api/v1/me/links').set(outsider.auth);
      expect([asked.status, nothing.status]).toEqual([202, 202]);
      expect(nothing.body).toEqual(asked.body);
      await sink.waitFor(() => sink.tokensFor(email).length === 1);
      const [token] = sink.tokensFor(email);
      // Another login cannot use it.
      const stolen = await request(t.http).post('/api/v1/me/links/confirm').set(outsider.auth).send({ token });
      expect([stolen.status, stolen.body.code]).toEqual([400, 'invalid-token']);
      const done = await request(t.http).post('/api/v1/me/links/confirm').set(user.auth).send({ token });
      expect([done.status, done.body]).toEqual([200, { linked: 2 }]);
      const { token: fresh } = await login(t, email);
      expect((await me(fresh)).body.members.map((m: { id: string }) => m.id).sort()).toEqual([inA.id, inB.id].sort());
      expect(mailsTo(outsider.email)).toEqual([]);
    });

    it('a staff invitation from a platform admin sets the password once, by the address’s owner', async () => {
      const email = `${unique('staff')}@example.org`;
      const created = await request(t.http).post('/api/v1/users').set(w.users.platform.auth).send({ email, locale: 'en' });
      expect(created.status).toBe(201);
      await expect(login(t, email, PASSWORD)).rejects.toThrow(); // no password until the owner chooses one
      await sink.waitFor(() => sink.tokensFor(email).length === 1);
      expect(mailsTo(email)[0].subject).toBe('Your Convoca account');
      const accepted = await post('/auth/accept-invitation', { token: sink.tokensFor(email)[0], password: 'chosen by the owner 2026' });
      expect(accepted.status).toBe(200);
      expect((await me(accepted.body.accessToken)).body).toMatchObject({ user: { email, emailConfirmed: true }, members: [] });
      await expect(login(t, email, 'chosen by the owner 2026')).resolves.toHaveProperty('token');
    });
  });
});
