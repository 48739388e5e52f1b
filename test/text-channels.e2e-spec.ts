import request from 'supertest';

import { EventRemindersJob } from '../src/events/event-reminders.job';
import type { Event } from '../src/events/event.entity';
import { OutboxWorker } from '../src/outbox/outbox.worker';
import { TextWorker } from '../src/text-messages/text.worker';
import { bootTestApp, type TestApp } from './support/app';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { signBody, startTextProviderFake, type TextProviderFake } from './support/text-provider-fake';
import { buildWorld, guest, makeEvent, makeMember, makeOrganisation, unique, type World } from './support/world';

/**
 * Text channels (issue 24) against a local fake SMS gateway and a fake
 * WhatsApp Cloud API, both started here: who gets what by which channel,
 * once, with two workers; replies (SI / NO / BAJA) through the signed
 * inbound webhooks; the monthly budget; the reach counts.
 */
const SMS_SECRET = 'sms-inbound-secret-0123456789';
const WA_SECRET = 'whatsapp-app-secret-0123456789';
const VERIFY = 'verify-token-0123456789';

describe('text channels: SMS and WhatsApp notices, replies and opt-out', () => {
  let sink: SmtpSink;
  let fake: TextProviderFake;
  let t: TestApp;
  let second: TestApp;
  let w: World;
  let ip = 0;
  let phoneSeq = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    fake = await startTextProviderFake();
    const env = {
      SMTP_URL: sink.url,
      PUBLIC_URL: 'https://convoca.example.org',
      TRUST_PROXY: 'true',
      SMS_PROVIDER: 'http',
      SMS_GATEWAY_URL: fake.smsUrl,
      SMS_GATEWAY_TOKEN: 'gateway-token',
      SMS_GATEWAY_INBOUND_SECRET: SMS_SECRET,
      WHATSAPP_API_BASE_URL: fake.whatsappUrl,
      WHATSAPP_TOKEN: 'whatsapp-token',
      WHATSAPP_PHONE_NUMBER_ID: '1098765432',
      WHATSAPP_APP_SECRET: WA_SECRET,
      WHATSAPP_VERIFY_TOKEN: VERIFY,
    };
    // The worker loops are off (OUTBOX_WORKER=false): the tests drive them, in two application instances on one database.
    t = await bootTestApp({ env });
    second = await bootTestApp({ database: t.database, env });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
    await fake?.close();
    await sink?.close();
  });

  /** Both instances' e-mail and text workers at once, until nothing is left to send (a text turned e-mail goes in the next round). */
  async function deliver(): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const n = await Promise.all([t, second].flatMap((a) => [a.app.get(TextWorker).deliverDue(), a.app.get(OutboxWorker).deliverDue()]));
      if (n.every((x) => x === 0)) return;
    }
  }
  /** Both instances' reminder jobs at once. */
  const remind = () => Promise.all([t.app.get(EventRemindersJob).queueDue(), second.app.get(EventRemindersJob).queueDue()]);
  const newPhone = () => `+5198${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;
  const signUp = (eventId: string, body: object) =>
    request(t.http)
      .post(`/api/v1/events/${eventId}/signups`)
      .set('X-Forwarded-For', `10.60.0.${(++ip % 250) + 1}`)
      .send(body);
  const mailsTo = (address: string) => sink.mails.filter((m) => m.to.includes(address.toLowerCase()));
  const inbound = (channel: 'sms' | 'whatsapp', payload: object, secret = channel === 'sms' ? SMS_SECRET : WA_SECRET) => {
    const body = JSON.stringify(payload);
    return request(t.http)
      .post(`/api/v1/text/${channel}/inbound`)
      .set('content-type', 'application/json')
      .set(channel === 'sms' ? 'x-convoca-signature' : 'x-hub-signature-256', signBody(secret, body))
      .send(body);
  };
  const smsReply = (from: string, text: string) => inbound('sms', { from, text });
  const whatsappReply = (from: string, text: string) =>
    inbound('whatsapp', {
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: from.slice(1), id: unique('wamid'), type: 'text', text: { body: text } }] } }] }],
    });
  const startIn = (event: Event, minutes: number) =>
    t.db.query(`UPDATE events SET starts_at = now() + make_interval(mins => $2), ends_at = now() + make_interval(mins => $2 + 120) WHERE id = $1`, [event.id, minutes]);
  const smsGuest = (phone: string, fields: Record<string, unknown> = {}) => ({ ...guest({ consent: { dataProcessing: true, contactBySms: true }, ...fields }), phone });

  describe('who gets what, by which channel, once', () => {
    it('sends a consenting guest the confirmation and both reminders by SMS exactly once with two workers; one without consent gets e-mail only', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Marcha del agua', venue: 'Plaza San Martín', capacity: 10 });
      const phone = newPhone();
      const texted = smsGuest(phone.replace('+51', '').replace(/(\d{3})(\d{3})(\d{3})/, '$1 $2 $3')); // typed as people type it: "987 654 321"
      const mailed = { ...guest({ consent: { dataProcessing: true, contactByEmail: true } }), phone: newPhone() }; // a number, but no consent to texts
      expect((await signUp(event.id, texted)).status).toBe(201);
      expect((await signUp(event.id, mailed)).status).toBe(201);
      await deliver();
      await startIn(event, 20 * 60);
      await remind();
      await remind(); // however often it runs
      await deliver();
      await startIn(event, 90);
      await remind();
      await deliver();
      await remind();
      await deliver();

      const texts = fake.to(phone, 'sms');
      expect(texts).toHaveLength(3);
      expect(texts[0].text).toMatch(
        /^Convoca: inscripción confirmada a «Marcha del agua», .*Código de ingreso: [0-9A-Z]{5}-[0-9A-Z]{5}\. https:\/\/convoca\.example\.org\/signups\/manage\/\S+ BAJA: no recibir más\.$/,
      );
      // The manage token is kept hashed only: the reminder links the event page, and the reply is the way to answer.
      expect(texts[1].text).toMatch(/^Convoca: «Marcha del agua» es .+\. ¿Vienes\? Responde SI para confirmar o NO para cancelar\. https:\/\/convoca\.example\.org\/e\//);
      for (const text of texts) expect(text.text).not.toMatch(/\.\./);
      expect(texts[2].text).toMatch(/^Convoca: «Marcha del agua» empieza .*Lugar: Plaza San Martín.*Código de ingreso/);
      expect(texts[0].request.headers.authorization).toBe('Bearer gateway-token');
      expect(mailsTo(texted.email)).toEqual([]);
      // The other guest: the confirmation and the day-before reminder by e-mail, no two-hour one, no text.
      expect(mailsTo(mailed.email)).toHaveLength(2);
      expect(fake.sent.filter((s) => s.to === mailed.phone)).toEqual([]);
      const rows = await t.db.query<{ template: string; channel: string; state: string; segments: number; provider_message_id: string }[]>(
        `SELECT template, channel, state, segments, provider_message_id FROM outbox_messages WHERE recipient = $1 ORDER BY seq`,
        [phone],
      );
      expect(rows.map((r) => [r.template, r.channel, r.state])).toEqual([
        ['event.signup_confirmation', 'sms', 'sent'],
        ['event.reminder', 'sms', 'sent'],
        ['event.final_reminder', 'sms', 'sent'],
      ]);
      for (const r of rows) expect(r.segments).toBeGreaterThanOrEqual(1);
      expect(rows.map((r) => r.provider_message_id)).toEqual(texts.map(() => expect.stringMatching(/^prov-\d+$/)));
    });

    it('sends a member who consented to WhatsApp the approved template, in their language, to the record’s number', async () => {
      const phone = newPhone();
      const member = await makeMember(t, [w.A], { phone, preferredLanguage: 'en' });
      await t.db.query(`INSERT INTO member_consents (member_id, organisation_id, notice_version, data_processing, contact_by_whatsapp, source) VALUES ($1, $2, '2026-01', true, true, 'form')`, [
        member.id,
        w.A.id,
      ]);
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Assembly' });
      await t.db.query(`INSERT INTO event_signups (event_id, member_id, source, status) VALUES ($1, $2, 'member', 'going')`, [event.id, member.id]);
      await t.db.query('UPDATE events SET going_count = 1 WHERE id = $1', [event.id]);
      await startIn(event, 20 * 60);
      await remind();
      await deliver();
      const [sent] = fake.to(phone, 'whatsapp');
      expect(sent.template).toEqual({ name: 'convoca_event_reminder', language: 'en', params: ['Assembly', expect.any(String), `https://convoca.example.org/e/${event.id}`] });
      expect(sent.request.path).toBe('/graph/1098765432/messages');
      expect(sent.request.headers.authorization).toBe('Bearer whatsapp-token');
      expect(mailsTo(member.email!)).toEqual([]);
    });

    it('sends nothing for a signup that was rolled back', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const phone = newPhone();
      // The outbox refuses the text: the one statement that makes the signup fails whole.
      await t.db.query(`CREATE FUNCTION refuse_text() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END $$`);
      await t.db.query(`CREATE TRIGGER refuse_text BEFORE INSERT ON outbox_messages FOR EACH ROW WHEN (NEW.recipient = '${phone}') EXECUTE FUNCTION refuse_text()`);
      try {
        expect((await signUp(event.id, smsGuest(phone))).status).toBe(400);
      } finally {
        await t.db.query('DROP TRIGGER refuse_text ON outbox_messages');
        await t.db.query('DROP FUNCTION refuse_text()');
      }
      await deliver();
      expect(fake.to(phone)).toEqual([]);
      expect(await t.db.query('SELECT id FROM event_signups WHERE event_id = $1', [event.id])).toEqual([]);
      expect(await t.db.query('SELECT going_count FROM events WHERE id = $1', [event.id])).toEqual([{ going_count: 0 }]);
    });

    it('retries a text the gateway refuses, with backoff, as e-mails are', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const phone = newPhone();
      await signUp(event.id, smsGuest(phone));
      fake.failNext(1);
      await t.app.get(TextWorker).deliverDue();
      const [row] = await t.db.query(`SELECT state, attempts, last_error, next_attempt_at > now() AS later FROM outbox_messages WHERE recipient = $1`, [phone]);
      expect(row).toEqual({ state: 'pending', attempts: 1, last_error: 'HTTP 503', later: true });
      await t.db.query(`UPDATE outbox_messages SET next_attempt_at = now() WHERE recipient = $1`, [phone]);
      await deliver();
      expect(fake.to(phone)).toHaveLength(1);
    });
  });

  describe('phone numbers at input', () => {
    it('normalises numbers typed the Peruvian or the international way, and refuses invalid ones with a clear 400', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const cases: [string, string][] = [
        ['987 654 321', '+51987654321'],
        ['+51 (987) 654-322', '+51987654322'],
        ['0051987654323', '+51987654323'],
        ['+44 20 7946 0958', '+442079460958'], // a foreign number, kept in its own country
      ];
      for (const [typed, stored] of cases) {
        const res = await signUp(event.id, guest({ phone: typed }));
        expect({ typed, status: res.status }).toEqual({ typed, status: 201 });
        const [row] = await t.db.query('SELECT guest_phone FROM event_signups WHERE id = $1', [res.body.id]);
        expect(row.guest_phone).toBe(stored);
      }
      for (const typed of ['12', '+51 123', 'call me', '+999 123456789']) {
        const res = await signUp(event.id, guest({ phone: typed }));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors).toEqual([{ field: 'phone', message: expect.stringContaining('valid phone number') }]);
      }
    });
  });

  describe('replies', () => {
    /** An event with `holder` going and, when full, someone waiting; the day-before reminder sent to the holder's number. */
    async function asked(phone: string, options: { capacity?: number } = {}) {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: options.capacity ?? 5, title: unique('Vigilia') });
      const mine = await signUp(event.id, smsGuest(phone));
      await startIn(event, 20 * 60);
      await remind();
      await deliver();
      return { event, signupId: mine.body.id as string };
    }
    const status = async (id: string) => (await t.db.query('SELECT status, confirmed_at IS NOT NULL AS confirmed FROM event_signups WHERE id = $1', [id]))[0];

    it('NO cancels only the signup the last question named, frees its seat for the waiting list, and answers once', async () => {
      const phone = newPhone();
      const earlier = await asked(phone);
      const { event, signupId } = await asked(phone, { capacity: 1 });
      const waiting = await signUp(event.id, guest());
      expect(waiting.body.status).toBe('waitlisted');
      expect((await smsReply(phone, ' No ')).status).toBe(204);
      expect(await status(signupId)).toEqual({ status: 'cancelled', confirmed: false });
      expect(await status(earlier.signupId)).toEqual({ status: 'going', confirmed: false }); // asked earlier: not the last question
      expect(await status(waiting.body.id)).toEqual({ status: 'going', confirmed: false });
      expect((await t.db.query(`SELECT action, changes->'by' AS by FROM audit_log WHERE entity_id = $1 ORDER BY id`, [signupId])).map((a: { action: string }) => a.action)).toContain(
        'event_signup.cancel',
      );
      await smsReply(phone, 'NO'); // again: nothing changes, nothing more is said
      await deliver();
      expect(fake.to(phone).map((s) => s.text)).toContainEqual(expect.stringMatching(/^Convoca: cancelamos tu inscripción a «Vigilia/));
      expect(fake.to(phone).filter((s) => /cancelamos/.test(s.text ?? ''))).toHaveLength(1);
    });

    it('SI confirms the signup the question named; a reply from a number never asked gets the help text and acts on nothing', async () => {
      const phone = newPhone();
      const { signupId } = await asked(phone);
      expect((await smsReply(phone, '¡Sí!')).status).toBe(204);
      expect(await status(signupId)).toEqual({ status: 'going', confirmed: true });
      const stranger = newPhone();
      const other = await makeEvent(t, { hostOrganisationId: w.A.id });
      const theirs = await signUp(other.id, smsGuest(stranger)); // signed up, but never asked
      expect((await smsReply(stranger, 'NO')).status).toBe(204);
      expect((await smsReply(stranger, 'hola?')).status).toBe(204);
      await deliver();
      expect(await status(theirs.body.id)).toEqual({ status: 'going', confirmed: false });
      // Its confirmation, and one help text (one a day, however many unmatched replies); delivery lanes run in parallel, so in either order.
      const toStranger = fake.to(stranger).map((s) => s.text);
      expect(toStranger).toHaveLength(2);
      expect(toStranger).toEqual(expect.arrayContaining([expect.stringMatching(/inscripción confirmada/), expect.stringMatching(/^Convoca: responde SI o NO/)]));
      expect(fake.to(phone).map((s) => s.text)).toContainEqual(expect.stringMatching(/^Convoca: gracias, te esperamos/));
    });

    it('BAJA withdraws the channel’s consent on every record holding the number, each audited in its own controller, answers once naming no organisation, and nothing more goes there', async () => {
      const phone = newPhone();
      const B = w.B;
      const inP = await makeMember(t, [w.A], { phone });
      const inB = await makeMember(t, [B], { phone });
      for (const [m, org] of [
        [inP, w.A],
        [inB, B],
      ] as const) {
        await t.db.query(
          `INSERT INTO member_consents (member_id, organisation_id, notice_version, data_processing, contact_by_sms, contact_by_email, source) VALUES ($1, $2, '2026-01', true, true, true, 'form')`,
          [m.id, org.id],
        );
      }
      const { event, signupId } = await asked(phone);
      const pending = await makeEvent(t, { hostOrganisationId: w.A.id });
      await signUp(pending.id, smsGuest(phone)); // its confirmation is still in the outbox when BAJA arrives
      const sentBefore = fake.to(phone).length;

      expect((await smsReply(phone, 'Baja')).status).toBe(204);
      expect((await smsReply(phone, 'STOP')).status).toBe(204); // again: nothing more
      await deliver();
      const after = fake.to(phone).slice(sentBefore);
      expect(after.map((s) => s.text)).toEqual(['Convoca: listo, no recibirás más mensajes por este medio en este número.']);
      for (const name of [w.A.name, w.P.name, B.name, event.title]) expect(after[0].text).not.toContain(name);

      // Consent withdrawn on the guest signups and on both records (a new consent row each), audited in each controller.
      expect(await t.db.query('SELECT DISTINCT consent_contact_by_sms FROM event_signups WHERE guest_phone = $1', [phone])).toEqual([{ consent_contact_by_sms: false }]);
      for (const m of [inP, inB]) {
        const [latest] = await t.db.query('SELECT contact_by_sms, contact_by_email, source FROM member_consents WHERE member_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT 1', [m.id]);
        expect(latest).toEqual({ contact_by_sms: false, contact_by_email: true, source: 'self' });
      }
      const audits = await t.db.query<{ organisation_id: string }[]>(
        `SELECT a.organisation_id FROM audit_log a JOIN member_consents c ON c.id::text = a.entity_id::text WHERE a.action = 'member.consent' AND c.member_id = ANY($1) AND c.source = 'self'`,
        [[inP.id, inB.id]],
      );
      expect(audits.map((a) => a.organisation_id).sort()).toEqual([w.A.id, B.id].sort());
      expect(await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1 AND action = 'event_signup.consent'`, [signupId])).toHaveLength(1);
      expect(await t.db.query(`SELECT state, last_error FROM outbox_messages WHERE recipient = $1 AND template = 'event.signup_confirmation' AND state <> 'sent'`, [phone])).toEqual([
        { state: 'failed', last_error: 'opted-out' },
      ]);

      // Later notices to those signups go by e-mail, never to the number by SMS.
      const moved = await request(t.http).patch(`/api/v1/events/${event.id}`).set(w.users.organiserA.auth).send({ venue: 'Parque de la Exposición' });
      expect(moved.status).toBe(200);
      await deliver();
      expect(fake.to(phone, 'sms').slice(sentBefore)).toHaveLength(1);
      expect(await t.db.query(`SELECT channel FROM outbox_messages WHERE template = 'event.changed' AND signup_id = $1`, [signupId])).toEqual([{ channel: 'email' }]);
    });

    it('acts on WhatsApp replies on the WhatsApp channel only: BAJA there leaves SMS consent as it is', async () => {
      const phone = newPhone();
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const res = await signUp(event.id, guest({ phone, consent: { dataProcessing: true, contactBySms: true, contactByWhatsapp: true } }));
      await deliver();
      expect(fake.to(phone).map((s) => s.channel)).toEqual(['whatsapp']);
      expect((await whatsappReply(phone, 'STOP')).status).toBe(204);
      await deliver();
      expect(fake.to(phone).map((s) => [s.channel, s.text])).toEqual([
        ['whatsapp', null],
        ['whatsapp', 'Convoca: listo, no recibirás más mensajes por este medio en este número.'],
      ]);
      expect((await t.db.query('SELECT consent_contact_by_sms, consent_contact_by_whatsapp FROM event_signups WHERE id = $1', [res.body.id]))[0]).toEqual({
        consent_contact_by_sms: true,
        consent_contact_by_whatsapp: false,
      });
      await request(t.http).post(`/api/v1/events/${event.id}/cancel`).set(w.users.organiserA.auth).send({ reason: 'Lluvia' });
      await deliver();
      expect(fake.to(phone, 'sms').map((s) => s.text)).toEqual([expect.stringMatching(/fue cancelado\. Motivo: Lluvia$/)]);
    });

    it('refuses a forged inbound call with a bad signature (401, problem+json) and changes nothing', async () => {
      const phone = newPhone();
      const { signupId } = await asked(phone);
      const optOutsBefore = await t.db.query(`SELECT count(*)::int AS n FROM text_opt_outs`);
      const forged = [
        await inbound('sms', { from: phone, text: 'BAJA' }, 'not-the-secret-at-all-000'),
        await inbound('sms', { from: phone, text: 'NO' }, 'not-the-secret-at-all-000'),
        await request(t.http).post('/api/v1/text/sms/inbound').set('content-type', 'application/json').send({ from: phone, text: 'NO' }),
        // A login is no signature: the host's admin and a platform admin are refused the same way.
        await request(t.http).post('/api/v1/text/sms/inbound').set(w.users.adminA.auth).send({ from: phone, text: 'NO' }),
        await request(t.http).post('/api/v1/text/sms/inbound').set(w.users.platform.auth).send({ from: phone, text: 'BAJA' }),
        await inbound('whatsapp', { entry: [{ changes: [{ value: { messages: [{ from: phone.slice(1), type: 'text', text: { body: 'BAJA' } }] } }] }] }, SMS_SECRET),
      ];
      for (const res of forged) {
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect(await status(signupId)).toEqual({ status: 'going', confirmed: false });
      expect(await t.db.query('SELECT consent_contact_by_sms FROM event_signups WHERE id = $1', [signupId])).toEqual([{ consent_contact_by_sms: true }]);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM text_opt_outs`)).toEqual(optOutsBefore);
      expect(await t.db.query(`SELECT template FROM outbox_messages WHERE recipient = $1 AND template LIKE 'text.%'`, [phone])).toEqual([]);
    });

    it('stores delivery receipts, and answers WhatsApp’s subscription handshake only with the verify token', async () => {
      const phone = newPhone();
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      await signUp(event.id, smsGuest(phone));
      await deliver();
      const [{ provider_message_id: id }] = await t.db.query('SELECT provider_message_id FROM outbox_messages WHERE recipient = $1', [phone]);
      expect((await inbound('sms', { id, status: 'delivered' })).status).toBe(204);
      expect(await t.db.query('SELECT delivery_status, delivery_status_at IS NOT NULL AS at FROM outbox_messages WHERE recipient = $1', [phone])).toEqual([{ delivery_status: 'delivered', at: true }]);
      const ok = await request(t.http).get('/api/v1/text/whatsapp/inbound').query({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY, 'hub.challenge': '1158201444' });
      expect([ok.status, ok.text]).toEqual([200, '1158201444']);
      const bad = await request(t.http).get('/api/v1/text/whatsapp/inbound').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' });
      expect(bad.status).toBe(401);
    });
  });

  describe('the monthly budget and the reach counts', () => {
    it('never spends past an organisation’s budget with two workers: what does not fit goes by e-mail, recorded; the event view counts each channel', async () => {
      const org = await makeOrganisation(t);
      const admin = w.users.platform;
      expect((await request(t.http).patch(`/api/v1/organisations/${org.id}`).set(admin.auth).send({ textMonthlySegments: 10 })).body.textMonthlySegments).toBe(10);
      expect((await request(t.http).patch(`/api/v1/organisations/${org.id}`).set(admin.auth).send({ textMonthlySegments: -1 })).status).toBe(400);
      const event = await makeEvent(t, { hostOrganisationId: org.id, title: 'Mitin' });
      const people = Array.from({ length: 8 }, () => smsGuest(newPhone()));
      for (const p of people) expect((await signUp(event.id, p)).status).toBe(201);
      await deliver();
      const rows = await t.db.query<{ channel: string; segments: number | null; fallback_reason: string | null; state: string }[]>(
        `SELECT o.channel, o.segments, o.fallback_reason, o.state FROM outbox_messages o JOIN event_signups s ON s.id = o.signup_id WHERE s.event_id = $1`,
        [event.id],
      );
      const texted = rows.filter((r) => r.channel === 'sms');
      const spent = texted.reduce((n, r) => n + r.segments!, 0);
      expect(texted.length).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(10);
      expect(rows.filter((r) => r.channel === 'email')).toEqual(
        Array.from({ length: 8 - texted.length }, () => ({ channel: 'email', segments: null, fallback_reason: 'text-budget-spent', state: 'sent' })),
      );
      expect(await t.db.query('SELECT segments FROM text_segment_usage WHERE organisation_id = $1', [org.id])).toEqual([{ segments: spent }]);
      expect(fake.sent.filter((s) => people.some((p) => p.phone === s.to))).toHaveLength(texted.length);

      const view = await request(t.http).get(`/api/v1/events/${event.id}`).set(admin.auth);
      expect(view.body.viewer.reach).toEqual({ email: 8 - texted.length, sms: texted.length, whatsapp: 0, textBudgetFallbacks: 8 - texted.length });
      const anonymous = await request(t.http).get(`/api/v1/events/${event.id}`);
      expect(anonymous.body.viewer.reach).toBeNull();
    });

    it('sends no texts for an organisation whose budget is 0, and none for a coalition’s events', async () => {
      const org = await makeOrganisation(t, { textMonthlySegments: 0 });
      const event = await makeEvent(t, { hostOrganisationId: org.id });
      const coalitionEvent = await makeEvent(t, { hostOrganisationId: null, coalitionId: w.C.id });
      const a = smsGuest(newPhone());
      const b = smsGuest(newPhone());
      await signUp(event.id, a);
      await signUp(coalitionEvent.id, b);
      await deliver();
      expect(fake.to(a.phone)).toEqual([]);
      expect(fake.to(b.phone)).toEqual([]);
      expect(mailsTo(a.email)).toHaveLength(1);
      expect(mailsTo(b.email)).toHaveLength(1);
    });
  });
});
