import request from 'supertest';

import { LOGIN_LIMITS } from '../src/auth/auth.service';
import { bootTestApp, type TestApp } from './support/app';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { buildWorld, linkMember, login, makeEvent, makeMember, makeUser, PASSWORD, unique, type TestUser, type World } from './support/world';

/** The cookie over plain HTTP (tests, development): no `__Host-` prefix, no Secure. */
const SESSION = 'convoca_session';
const NEW_PASSWORD = 'a brand new passphrase 2026';

const csrfOf = (html: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no form token in the page:\n${html.slice(0, 500)}`);
  return match[1];
};
const sessionLine = (res: request.Response): string | undefined => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${SESSION}=`));

/**
 * A browser, as far as the pages can tell: it keeps the session cookie the
 * pages set, and posts forms url-encoded with the token read from the page
 * that carries the form.
 */
class Browser {
  cookie: string | undefined;

  constructor(private readonly t: TestApp) {}

  get(path: string): request.Test {
    const req = request(this.t.http).get(path);
    return this.cookie ? req.set('Cookie', this.cookie) : req;
  }

  /** Posts to `path` the form of the page at `from` (the same path unless told), with its token unless `csrf` is given. */
  async post(path: string, fields: Record<string, string>, options: { from?: string; csrf?: string | null; headers?: Record<string, string> } = {}): Promise<request.Response> {
    const token = options.csrf !== undefined ? options.csrf : csrfOf((await this.get(options.from ?? path)).text);
    let req = request(this.t.http)
      .post(path)
      .type('form')
      .set(options.headers ?? {});
    if (this.cookie) req = req.set('Cookie', this.cookie);
    const res = await req.send(token === null ? fields : { ...fields, _csrf: token });
    const line = sessionLine(res);
    if (line) this.cookie = /Max-Age=0(;|$)/.test(line) ? undefined : line.split(';')[0];
    return res;
  }

  async logIn(email: string, password = PASSWORD): Promise<request.Response> {
    return this.post('/account/login', { email, password });
  }
}

describe('account pages', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // PUBLIC_URL stays http://localhost:3000: cookies without Secure, as in development.
    t = await bootTestApp({ env: { SMTP_URL: sink.url, OUTBOX_WORKER: 'true', OUTBOX_POLL_MS: '50' } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const browser = () => new Browser(t);
  const api = (path: string) => request(t.http).post(`/api/v1${path}`);
  const unfolded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  /** The path of the link to `prefix/{token}` in the latest mail to `address` (the mail is awaited). */
  const mailedLink = async (address: string, prefix: string): Promise<string> => {
    const pattern = new RegExp(`http://localhost:3000(${prefix}/[A-Za-z0-9_-]{20,})`);
    const find = () =>
      sink.mails
        .filter((m) => m.to.includes(address.toLowerCase()))
        .map((m) => pattern.exec(unfolded(m.raw))?.[1])
        .filter((p): p is string => !!p)
        .pop();
    await sink.waitFor(() => !!find());
    return find()!;
  };
  const tokenUsed = async (path: string) => {
    const [row] = await t.db.query<{ used: boolean }[]>("SELECT used_at IS NOT NULL AS used FROM account_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')", [
      path.split('/').pop(),
    ]);
    return row.used;
  };

  describe('logging in and out', () => {
    it('sets an HttpOnly, SameSite=Lax session cookie and goes to my signups, or to a path of this site it was given', async () => {
      const user = await makeUser(t);
      const b = browser();
      const form = await b.get('/account/login');
      expect(form.status).toBe(200);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.text).toMatch(/<h1>[^<]+<\/h1>/);
      expect(form.text).toContain('<label for="f-email">');
      expect(form.text).toContain('autocomplete="current-password"');

      const res = await b.logIn(user.email);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/signups');
      const cookie = sessionLine(res)!;
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      const mine = await b.get('/account/signups');
      expect(mine.status).toBe(200);
      expect(mine.headers['cache-control']).toBe('no-store');
      expect(mine.text).toContain('action="/account/logout"');

      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      for (const [next, to] of [
        [`/e/${event.id}`, `/e/${event.id}`],
        ['//evil.example/x', '/account/signups'],
        ['/\\evil.example', '/account/signups'],
        ['https://evil.example/', '/account/signups'],
      ]) {
        const other = browser();
        expect((await other.get(`/account/login?next=${encodeURIComponent(next)}`)).status).toBe(200);
        const went = await other.post('/account/login', { email: user.email, password: PASSWORD, next }, { from: '/account/login' });
        expect([next, went.status, went.headers.location]).toEqual([next, 303, to]);
      }
      // Already logged in: the login page sends the reader on.
      expect((await b.get('/account/login')).headers.location).toBe('/account/signups');
    });

    it('answers a wrong password or an unknown address with the form, one generic error, the e-mail kept, no cookie', async () => {
      const user = await makeUser(t);
      const wrong = await browser().logIn(user.email, 'not the password at all');
      const unknown = await browser().logIn('nobody-at-all@example.org', 'not the password at all');
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(sessionLine(res)).toBeUndefined();
        expect(res.text).toContain('role="alert"');
        expect(res.text).toContain('El correo o la contraseña no son correctos.');
        expect(res.text).not.toContain('not the password at all');
      }
      expect(wrong.text).toContain(`value="${user.email}"`);
      // Nothing tells the two apart but the address typed (and the form token, should the hour turn in between).
      const same = (html: string, email: string) => html.replace(email, 'X').replace(/name="_csrf" value="[^"]+"/, '');
      expect(same(wrong.text, user.email)).toBe(same(unknown.text, 'nobody-at-all@example.org'));

      const invalid = await browser().post('/account/login', { email: 'not-an-address', password: '' }, { from: '/account/login' });
      expect(invalid.status).toBe(400);
      expect(invalid.text).toContain('id="f-email-error"');
      expect(invalid.text).toContain('id="f-password-error"');
      expect(invalid.text).toContain('aria-invalid="true"');
    });

    it('counts failures with the API’s login: the same lockout locks both', async () => {
      const user = await makeUser(t);
      const half = LOGIN_LIMITS.perAccount / 2;
      for (let i = 0; i < half; i++) expect((await api('/auth/login').send({ email: user.email, password: `wrong ${i}` })).status).toBe(401);
      for (let i = 0; i < half; i++) expect((await browser().logIn(user.email, `wrong again ${i}`)).status).toBe(401);
      // Locked, even with the right password, on the API and on the page.
      expect((await api('/auth/login').send({ email: user.email, password: PASSWORD })).status).toBe(429);
      const locked = await browser().logIn(user.email);
      expect(locked.status).toBe(429);
      expect(locked.headers['retry-after']).toMatch(/^\d+$/);
      expect(sessionLine(locked)).toBeUndefined();
      expect(locked.text).toContain('Demasiados intentos');
    });

    it('ends the session on logout: the old cookie no longer opens anything', async () => {
      const user = await makeUser(t);
      const b = browser();
      await b.logIn(user.email);
      const old = b.cookie!;
      // A form token from before the login (anonymous) is no good for the session's forms.
      const anonymousToken = csrfOf((await request(t.http).get('/account/login')).text);
      expect((await b.post('/account/logout', {}, { csrf: anonymousToken })).status).toBe(403);
      expect((await b.get('/account/signups')).status).toBe(200);

      const out = await b.post('/account/logout', {}, { from: '/account/signups' });
      expect(out.status).toBe(303);
      expect(out.headers.location).toBe('/account/login');
      expect(sessionLine(out)).toMatch(/^convoca_session=; .*Max-Age=0/);
      const replay = await request(t.http).get('/account/signups').set('Cookie', old);
      expect(replay.status).toBe(303);
      expect(replay.headers.location).toBe('/account/login?next=%2Faccount%2Fsignups');
      const [session] = await t.db.query<{ revoked_reason: string }[]>('SELECT revoked_reason FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NOT NULL', [user.id]);
      expect(session.revoked_reason).toBe('logout');
    });
  });

  describe('links in e-mails', () => {
    it('an invitation’s link opens the set-password page (opening it twice uses nothing up); the button sets the password and logs in', async () => {
      const member = await makeMember(t, [w.A]);
      expect((await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminA.auth)).status).toBe(202);
      const link = await mailedLink(member.email!, '/account/accept-invitation');

      const b = browser();
      for (let i = 0; i < 2; i++) {
        const page = await b.get(link);
        expect(page.status).toBe(200);
        expect(page.headers['cache-control']).toBe('no-store');
        expect(page.headers['referrer-policy']).toBe('no-referrer');
        expect(page.text).toContain(`action="${link}"`);
        expect(page.text).toContain('autocomplete="new-password"');
      }
      expect(await tokenUsed(link)).toBe(false);

      const weak = await b.post(link, { password: 'password123456' });
      expect(weak.status).toBe(400);
      expect(weak.text).toContain('Esa contraseña es demasiado común. Elige otra.');
      expect(weak.text).not.toContain('password123456');
      const short = await b.post(link, { password: 'short' });
      expect(short.text).toContain('La contraseña debe tener al menos 12 caracteres.');
      expect(await tokenUsed(link)).toBe(false);

      const done = await b.post(link, { password: NEW_PASSWORD });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/account/signups');
      expect(b.cookie).toBeDefined();
      expect((await b.get('/account/signups')).status).toBe(200);
      await expect(login(t, member.email!, NEW_PASSWORD)).resolves.toHaveProperty('token');
      const [linked] = await t.db.query('SELECT user_id FROM member_logins WHERE member_id = $1', [member.id]);
      expect(linked).toBeDefined();

      // Used: the page says so, with no form left.
      const again = await browser().post(link, { password: 'yet another passphrase 1' });
      expect(again.status).toBe(400);
      expect(again.text).toContain('Este enlace no es válido, ya venció o ya se usó.');
      expect(again.text).not.toContain('name="password"');
    });

    it('takes every kind of invitation: a staff login’s and a registration', async () => {
      const staff = `${unique('staff')}@example.org`;
      expect((await request(t.http).post('/api/v1/users').set(w.users.platform.auth).send({ email: staff })).status).toBe(201);
      const registered = await makeMember(t, [w.B], { emailVerifiedAt: new Date() });
      expect((await api('/auth/register').send({ email: registered.email })).status).toBe(202);
      for (const address of [staff, registered.email!]) {
        const b = browser();
        const link = await mailedLink(address, '/account/accept-invitation');
        expect((await b.get(link)).status).toBe(200);
        const done = await b.post(link, { password: NEW_PASSWORD });
        expect([address, done.status]).toEqual([address, 303]);
        await expect(login(t, address, NEW_PASSWORD)).resolves.toHaveProperty('token');
      }
    });

    it('an invitation to an address that already has a login asks for that login’s password, next to the field', async () => {
      const user = await makeUser(t);
      const member = await makeMember(t, [w.B], { email: user.email });
      expect((await request(t.http).post(`/api/v1/members/${member.id}/invitation`).set(w.users.adminB.auth)).status).toBe(202);
      const link = await mailedLink(user.email, '/account/accept-invitation');
      const b = browser();
      const wrong = await b.post(link, { password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('id="f-password-error"');
      expect(wrong.text).toContain('Esta dirección ya tiene una cuenta');
      expect(await tokenUsed(link)).toBe(false);
      expect((await b.post(link, { password: PASSWORD })).status).toBe(303);
      const [linked] = await t.db.query<{ user_id: string }[]>('SELECT user_id FROM member_logins WHERE member_id = $1', [member.id]);
      expect(linked.user_id).toBe(user.id);
    });

    it('a reset: the same answer for any address; the mailed link opens the page twice, then sets the password and logs in', async () => {
      const user = await makeUser(t);
      const known = await browser().post('/account/forgot-password', { email: user.email });
      const unknown = await browser().post('/account/forgot-password', { email: 'nobody-here-either@example.org' });
      expect(known.status).toBe(200);
      expect([unknown.status, unknown.text]).toEqual([known.status, known.text]);
      expect(known.text).toContain('Revisa tu correo');
      const invalid = await browser().post('/account/forgot-password', { email: 'not-an-address' });
      expect(invalid.status).toBe(400);
      expect(invalid.text).toContain('value="not-an-address"');

      const link = await mailedLink(user.email, '/account/reset-password');
      const b = browser();
      expect((await b.get(link)).status).toBe(200);
      expect((await b.get(link)).text).toContain('name="password"');
      expect(await tokenUsed(link)).toBe(false);
      const short = await b.post(link, { password: 'too short' });
      expect(short.status).toBe(400);
      expect(short.text).toMatch(/<p class="error" id="f-password-error">La contraseña debe tener al menos 12 caracteres\.<\/p>/);
      expect(await tokenUsed(link)).toBe(false);

      const done = await b.post(link, { password: NEW_PASSWORD });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/account/signups');
      expect((await b.get('/account/signups')).status).toBe(200);
      // Every older session ended; the new password works, the old one does not.
      expect((await request(t.http).get('/api/v1/auth/me').set(user.auth)).status).toBe(401);
      await expect(login(t, user.email, PASSWORD)).rejects.toThrow();
      await expect(login(t, user.email, NEW_PASSWORD)).resolves.toHaveProperty('token');
      const used = await browser().post(link, { password: 'yet another passphrase 1' });
      expect(used.status).toBe(400);
      expect(used.text).toContain('href="/account/forgot-password"');
    });

    it('an application’s confirmation link confirms the address with the page’s button, not by being opened', async () => {
      const email = `${unique('applicant')}@example.org`;
      const consent = { dataProcessing: true, contactByEmail: false, noticeVersion: '2026-05' };
      expect((await api(`/organisations/${w.A.slug}/applications`).send({ givenName: 'Rosa', familyName: 'Quispe', email, consent })).status).toBe(202);
      const link = await mailedLink(email, '/account/confirm-email');
      const verified = async () => (await t.db.query('SELECT email_verified_at IS NOT NULL AS v FROM members WHERE email = $1', [email]))[0].v;
      const b = browser();
      expect((await b.get(link)).status).toBe(200);
      expect(await verified()).toBe(false);
      const done = await b.post(link, {});
      expect(done.status).toBe(200);
      expect(done.text).toContain('Tu dirección de correo quedó confirmada');
      expect(await verified()).toBe(true);
    });

    it('the "link my memberships" link asks for the login first, then links with the button', async () => {
      const email = `${unique('links')}@example.org`;
      const user = await makeUser(t, [], { email });
      const record = await makeMember(t, [w.A], { email });
      expect((await request(t.http).post('/api/v1/me/links').set(user.auth)).status).toBe(202);
      const link = await mailedLink(email, '/account/link-memberships');
      const b = browser();
      const anonymous = await b.get(link);
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.location).toBe(`/account/login?next=${encodeURIComponent(link)}`);
      const loggedIn = await b.post('/account/login', { email, password: PASSWORD, next: link }, { from: anonymous.headers.location });
      expect(loggedIn.headers.location).toBe(link);
      const done = await b.post(link, {});
      expect(done.status).toBe(200);
      expect(done.text).toContain('Se vinculó 1 membresía a tu cuenta.');
      const [linked] = await t.db.query<{ user_id: string }[]>('SELECT user_id FROM member_logins WHERE member_id = $1', [record.id]);
      expect(linked.user_id).toBe(user.id);
    });

    it('old links with the token after # land on a page whose script moves it into the path', async () => {
      for (const path of ['/account/accept-invitation', '/account/reset-password', '/account/confirm-email', '/account/link-memberships']) {
        const res = await request(t.http).get(path);
        expect([path, res.status]).toEqual([path, 200]);
        expect(res.text).toMatch(/<script src="\/assets\/fragment\.[0-9a-f]+\.js" defer><\/script>/);
      }
      // A malformed token is a page that does not exist.
      expect((await request(t.http).get('/account/reset-password/short')).status).toBe(404);
    });
  });

  describe('my signups', () => {
    const memberUser = async (): Promise<TestUser> => {
      const user = await makeUser(t);
      await linkMember(t, user, await makeMember(t, [w.A], { email: user.email }));
      return user;
    };
    const signUp = async (user: TestUser, eventId: string): Promise<string> => {
      const res = await request(t.http).post(`/api/v1/events/${eventId}/signups`).set(user.auth).send({});
      expect(res.status).toBe(201);
      return res.body.id;
    };
    const statusOf = async (id: string) => (await t.db.query<{ status: string }[]>('SELECT status FROM event_signups WHERE id = $1', [id]))[0].status;

    it('asks an anonymous reader to log in first', async () => {
      const res = await request(t.http).get('/account/signups');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/account/login?next=%2Faccount%2Fsignups');
    });

    it('lists a member’s signups and cancels one with its button, through the member’s own cancel', async () => {
      const user = await memberUser();
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Asamblea de Comas' });
      const signupId = await signUp(user, event.id);
      const b = browser();
      await b.logIn(user.email);
      const list = await b.get('/account/signups');
      expect(list.status).toBe(200);
      expect(list.text).toContain('Asamblea de Comas');
      expect(list.text).toContain(`href="/e/${event.id}"`);
      expect(list.text).toContain(`action="/account/signups/${signupId}/cancel"`);

      const cancelled = await b.post(`/account/signups/${signupId}/cancel`, {}, { from: '/account/signups' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.text).toContain('Cancelaste tu inscripción a «Asamblea de Comas»');
      expect(await statusOf(signupId)).toBe('cancelled');
      expect(cancelled.text).not.toContain(`action="/account/signups/${signupId}/cancel"`);
      expect(cancelled.text).toContain('data-status="cancelled"');
    });

    it('never touches another person’s signup', async () => {
      const user = await memberUser();
      const other = await memberUser();
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      await signUp(user, event.id);
      const theirs = await signUp(other, event.id);
      const b = browser();
      await b.logIn(user.email);
      const res = await b.post(`/account/signups/${theirs}/cancel`, {}, { from: '/account/signups' });
      expect(res.status).toBe(404);
      expect(await statusOf(theirs)).toBe('going');
    });

    it('refuses a form without its token, or sent from another site, and changes nothing', async () => {
      const user = await memberUser();
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const signupId = await signUp(user, event.id);
      const b = browser();
      await b.logIn(user.email);
      const cancel = `/account/signups/${signupId}/cancel`;
      const withoutToken = await b.post(cancel, {}, { csrf: null });
      const crossSite = await b.post(cancel, {}, { from: '/account/signups', headers: { 'Sec-Fetch-Site': 'cross-site' } });
      const otherOrigin = await b.post(cancel, {}, { from: '/account/signups', headers: { Origin: 'https://evil.example' } });
      for (const res of [withoutToken, crossSite, otherOrigin]) {
        expect(res.status).toBe(403);
        expect(res.text).toContain('Esta solicitud no vino de un formulario de Convoca');
      }
      expect(await statusOf(signupId)).toBe('going');
      // A login form from another site neither logs in nor counts a failure.
      const forged = await browser().post('/account/login', { email: user.email, password: PASSWORD }, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      expect(forged.status).toBe(403);
      expect(sessionLine(forged)).toBeUndefined();
      // And the session still works from our own page.
      expect((await b.post('/account/logout', {}, { from: '/account/signups', headers: { 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(303);
    });

    it('shows a login without member records where its signups would be', async () => {
      const user = await makeUser(t);
      const b = browser();
      await b.logIn(user.email);
      const res = await b.get('/account/signups');
      expect(res.status).toBe(200);
      expect(res.text).toContain('Tu cuenta no está vinculada a ninguna membresía.');
    });

    it('speaks English when asked', async () => {
      const user = await memberUser();
      const b = browser();
      const form = await b.get('/account/login?lang=en');
      expect(form.text).toContain('<html lang="en"');
      const res = await b.post('/account/login', { email: user.email, password: PASSWORD, lang: 'en' }, { from: '/account/login?lang=en' });
      expect(res.headers.location).toBe('/account/signups?lang=en');
      expect((await b.get('/account/signups?lang=en')).text).toContain('My signups');
    });
  });
});
