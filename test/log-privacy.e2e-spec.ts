import request from 'supertest';

import { bootTestApp, type TestApp } from './support/app';
import { freePort, productionEnv, startService, until, waitForOk, type ServiceProcess } from './support/process';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { buildWorld, guest, makeEvent, PASSWORD, unique, type World } from './support/world';

jest.setTimeout(180_000);

/**
 * Privacy hygiene (issue 9): the real service, logging as in production
 * (info, one line per request), runs the flows that handle personal data —
 * members created, searched, edited, imported, exported, erased; guests
 * signing up; applications; failed logins; registrations; password resets;
 * mail delivered and retried; pages opened from mailed links — and its logs
 * hold none of the e-mail addresses or phone numbers it was given, nor any
 * secret of a link.
 */
describe('logs of a realistic run', () => {
  let t: TestApp;
  let w: World;
  let sink: SmtpSink;
  let service: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = startService(
      productionEnv(t.database.url, port, {
        SMTP_URL: sink.url,
        OUTBOX_POLL_MS: '50',
        OUTBOX_RETRY_BASE_MS: '1',
        LOG_LEVEL: 'info',
        REQUEST_LOGGING: 'true',
      }),
    );
    await waitForOk(`${base}/health/ready`, 90_000, service);
  });
  afterAll(async () => {
    if (service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await sink.close();
    await t.close();
  });

  it('never writes an e-mail address or a phone number it handled', async () => {
    const emails: string[] = Object.values(w.users).map((u) => u.email);
    const phones: string[] = [];
    let phoneSeq = 0;
    const person = () => {
      const email = `${unique('priv')}@example.org`;
      const phone = `+5198${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;
      emails.push(email);
      phones.push(phone);
      return { email, phone };
    };
    let sent = 0;
    const api = () => (sent++, request(base));
    const admin = w.users.adminA.auth;
    // The first mail deliveries fail (retried, logged as warnings). Set before the flows that send mail: set after
    // them, the worker (polling every 50 ms) could have delivered everything already, and nothing would be retried.
    sink.failNext(3);

    // Members: created, duplicated (409), searched by e-mail (a query string), read, edited, invited, exported, erased.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = person();
      const res = await api()
        .post('/api/v1/members')
        .set(admin)
        .send({ givenName: 'Rosa', familyName: 'Quispe', ...p, memberships: [{ organisationId: w.A.id }] });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const [first] = emails.slice(-3);
    expect(
      (
        await api()
          .post('/api/v1/members')
          .set(admin)
          .send({ givenName: 'Otra', familyName: 'Vez', email: first, memberships: [{ organisationId: w.A.id }] })
      ).status,
    ).toBe(409);
    expect((await api().get('/api/v1/members').query({ organisation: w.A.id, q: first }).set(admin)).body.items.map((m: { email: string }) => m.email)).toContain(first);
    expect((await api().get(`/api/v1/members/${ids[0]}`).set(admin)).status).toBe(200);
    const newPhone = person();
    expect((await api().patch(`/api/v1/members/${ids[0]}`).set(admin).send({ phone: newPhone.phone, email: newPhone.email })).status).toBe(200);
    expect((await api().patch(`/api/v1/members/${ids[1]}`).set(admin).send({ phone: 'not a phone' })).status).toBe(400);
    expect((await api().post(`/api/v1/members/${ids[1]}/invitation`).set(admin)).status).toBe(202);
    expect((await api().get(`/api/v1/members/${ids[1]}/export`).set(admin)).status).toBe(200);
    expect((await api().post(`/api/v1/members/${ids[2]}/erase`).set(admin)).status).toBe(200);

    // A CSV import with good and bad rows, and the list exported.
    const csv = ['given_name,family_name,email,phone'];
    for (let i = 0; i < 20; i++) {
      const p = person();
      csv.push(`Ana,Import ${i},${p.email},${i % 5 === 0 ? p.phone.slice(1) : p.phone}`); // every fifth phone not E.164: a rejected row
    }
    const upload = await api()
      .post(`/api/v1/organisations/${w.A.id}/imports`)
      .set(admin)
      .attach('file', Buffer.from(csv.join('\n')), 'people.csv');
    expect(upload.status).toBe(202);
    await until('the import to complete', async () => ((await api().get(`/api/v1/imports/${upload.body.id}`).set(admin)).body.state === 'completed' ? true : undefined));
    expect((await api().get(`/api/v1/organisations/${w.A.id}/members.csv`).set(admin)).status).toBe(200);

    // Guests sign up (once twice: 409), look their signup up; people apply to join.
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 2 });
    const secrets: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = person();
      const res = await api().post(`/api/v1/events/${event.id}/signups`).send(guest(p));
      expect(res.status).toBe(201);
      if (i === 0) {
        secrets.push(res.body.manageToken);
        expect((await api().post(`/api/v1/events/${event.id}/signups`).send(guest(p))).status).toBe(409);
        expect((await api().post('/api/v1/signups/lookup').send({ token: res.body.manageToken })).status).toBe(200);
      }
    }
    const applicant = person();
    expect(
      (
        await api()
          .post(`/api/v1/organisations/${w.A.id}/applications`)
          .send({ givenName: 'Luz', familyName: 'Mamani', ...applicant, consent: { dataProcessing: true } })
      ).status,
    ).toBe(202);

    // Accounts: failed logins (known and unknown address), registration, password resets.
    expect((await api().post('/api/v1/auth/login').send({ email: w.users.plain.email, password: 'not the password' })).status).toBe(401);
    const stranger = person();
    expect((await api().post('/api/v1/auth/login').send({ email: stranger.email, password: PASSWORD })).status).toBe(401);
    expect((await api().post('/api/v1/auth/login').send({ email: 'not-an-address', password: PASSWORD })).status).toBe(400);
    expect(
      (
        await api()
          .post('/api/v1/auth/register')
          .send({ email: emails[emails.length - 2] })
      ).status,
    ).toBe(202);
    expect((await api().post('/api/v1/auth/password-reset').send({ email: w.users.organiserA.email })).status).toBe(202);
    expect((await api().post('/api/v1/auth/password-reset').send({ email: stranger.email })).status).toBe(202);

    // Mail: every mail is sent in the end (the first deliveries failed and were retried, see above).
    await until('every mail sent', async () => ((await t.db.query(`SELECT count(*)::int AS n FROM outbox_messages WHERE state <> 'sent'`))[0].n === 0 ? true : undefined));
    expect(sink.mails.length).toBeGreaterThan(5);

    // Pages whose path carries a secret (the links the service mails): opened, the secret is not logged.
    const [resetToken] = sink.tokensFor(w.users.organiserA.email);
    secrets.push(resetToken);
    expect((await api().get(`/account/reset-password/${resetToken}`)).status).toBe(200);
    expect((await api().get(`/signups/manage/${secrets[0]}`)).status).toBe(200);

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const logs = service.output();
    // Logging was on: one line for each request sent, and the retried mail was logged.
    expect(logs.match(/"msg":"request"/g)?.length ?? 0).toBeGreaterThanOrEqual(sent);
    expect(logs).toContain('outbox message will be retried');

    const lower = logs.toLowerCase();
    const leakedEmails = emails.filter((e) => lower.includes(e.toLowerCase()) || lower.includes(e.split('@')[0].toLowerCase()));
    // A phone number is also looked for without its country code and "+".
    const leakedPhones = phones.filter((p) => logs.includes(p.slice(3)));
    expect({ leakedEmails, leakedPhones }).toEqual({ leakedEmails: [], leakedPhones: [] });
    expect(secrets.filter((secret) => logs.includes(secret))).toEqual([]);
    expect(logs).toContain('"path":"/account/reset-password/[token]"');
    expect(emails.length).toBeGreaterThan(30);
  });
});
