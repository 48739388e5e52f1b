import request from 'supertest';
import { bootTestApp, type TestApp } from './support/app';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { login, makeUser, PASSWORD } from './support/world';

describe('self-service accounts over e-mail', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await bootTestApp({ env: { SMTP_URL: sink.url, OUTBOX_WORKER: 'true', OUTBOX_POLL_MS: '50', PUBLIC_URL: 'https://convoca.example.org' } });
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
      expect(mailsTo(user.email)[0].raw).toContain('https://convoca.example.org/account/reset-password#token=');

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
});
