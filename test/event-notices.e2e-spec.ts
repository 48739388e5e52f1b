import request from 'supertest';

import { EventRemindersJob } from '../src/events/event-reminders.job';
import type { Event } from '../src/events/event.entity';
import { OutboxWorker } from '../src/outbox/outbox.worker';
import { bootTestApp, type TestApp } from './support/app';
import { startSmtpSink, type SmtpSink, type SunkMail } from './support/smtp-sink';
import { buildWorld, guest, linkMember, makeEvent, makeMember, makeUser, unique, type World } from './support/world';

/** The Subject header of a received mail: unfolded, RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) decoded. */
function subjectOf(mail: SunkMail): string {
  const head = mail.raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const value = /^Subject:[ \t]*(.*)$/im.exec(head)?.[1] ?? '';
  const word = /=\?UTF-8\?([QB])\?([^?]*)\?=/gi;
  return value.replace(/(\?=)\s+(=\?)/g, '$1$2').replace(word, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

const hours = (n: number) => new Date(Date.now() + n * 3600_000);

describe('event notices through the outbox', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;
  let ipSeq = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // The worker loop and the reminder job are off (OUTBOX_WORKER=false): the tests drive both.
    t = await bootTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: 'https://convoca.example.org', TRUST_PROXY: 'true' } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.mails.length = 0;
  });

  const deliver = () => t.app.get(OutboxWorker).deliverDue();
  const subjectsTo = (address: string) => sink.mails.filter((m: SunkMail) => m.to.includes(address.toLowerCase())).map(subjectOf);
  const signUp = (eventId: string, body: object = guest()) =>
    request(t.http)
      .post(`/api/v1/events/${eventId}/signups`)
      .set('X-Forwarded-For', `10.40.0.${(++ipSeq % 250) + 1}`)
      .send(body);
  const patch = (eventId: string, body: object) => request(t.http).patch(`/api/v1/events/${eventId}`).set(w.users.organiserA.auth).send(body);
  const address = () => `${unique('p')}@example.org`;
  const messagesFor = (eventId: string, template: string) =>
    t.db.query<{ recipient: string; dedupe_key: string }[]>(`SELECT recipient, dedupe_key FROM outbox_messages WHERE template = $1 AND dedupe_key LIKE '%' || $2 || '%' ORDER BY seq`, [
      template,
      eventId,
    ]);

  /** Three people: two going, one waiting; and one who cancelled (hears nothing more). */
  async function crowd(event: Event) {
    const people = { a: address(), b: address(), waiting: address(), gone: address() };
    const gone = await signUp(event.id, guest({ email: people.gone }));
    await signUp(event.id, guest({ email: people.a }));
    await signUp(event.id, guest({ email: people.b }));
    await signUp(event.id, guest({ email: people.waiting }));
    await request(t.http).post('/api/v1/signups/cancel').send({ token: gone.body.manageToken });
    await deliver();
    sink.mails.length = 0;
    return people;
  }

  it('confirms a signup once, in the guest’s language, with the cancel link carrying the token in the fragment', async () => {
    const event = await makeEvent(t, {
      hostOrganisationId: w.A.id,
      title: 'Marcha del 8',
      capacity: 1,
      addressVisibility: 'attendees',
      address: 'Av. Abancay 123',
      startsAt: new Date('2027-03-08T20:00:00Z'),
      endsAt: new Date('2027-03-08T23:00:00Z'),
    });
    const es = address();
    const en = address();
    const going = await signUp(event.id, guest({ email: es }));
    const waiting = await signUp(event.id, guest({ email: en, locale: 'en' }));
    await deliver();
    await deliver();
    expect(subjectsTo(es)).toEqual(['Inscripción confirmada: Marcha del 8']);
    expect(subjectsTo(en)).toEqual(['Waiting list: Marcha del 8']);
    expect(sink.tokensFor(es)).toEqual([going.body.manageToken]);
    expect(sink.tokensFor(en)).toEqual([waiting.body.manageToken]);
    const raw = sink.mails
      .find((m) => m.to.includes(es))!
      .raw.replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    expect(raw).toContain(`https://convoca.example.org/signups/manage/${going.body.manageToken}`);
    expect(raw).toContain('Abancay'); // going: the attendees-only address is theirs
    expect(raw).toContain('8 de marzo de 2027, 3:00 p. m.'); // 20:00 UTC, told in Lima time
    expect(raw).toContain('(America/Lima)');
    expect(sink.mails.find((m) => m.to.includes(en))!.raw).not.toContain('Abancay'); // the waiting list does not get it yet
    expect(await messagesFor(going.body.id, 'event.signup_confirmation')).toEqual([{ recipient: es, dedupe_key: `event_signup:${going.body.id}` }]);
  });

  it('writes to members at their own address, in their language, with the event page instead of a token link', async () => {
    const member = await makeMember(t, [w.A], { preferredLanguage: 'en', givenName: 'Quispe' });
    const user = await makeUser(t);
    await linkMember(t, user, member);
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Assembly' });
    const res = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(user.auth).send({});
    expect(res.status).toBe(201);
    await deliver();
    expect(subjectsTo(member.email!)).toEqual(['Signup confirmed: Assembly']);
    const raw = sink.mails
      .find((m) => m.to.includes(member.email!))!
      .raw.replace(/=\r?\n/g, '')
      .replace(/=3D/g, '=');
    expect(raw).toContain('Hello Quispe');
    expect(raw).toContain(`https://convoca.example.org/e/${event.id}`);
    expect(raw).not.toContain('/signups/manage');
  });

  it('tells the first in line once when a seat frees up', async () => {
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1, title: 'Vigilia' });
    const first = await signUp(event.id);
    const next = address();
    const later = address();
    await signUp(event.id, guest({ email: next }));
    await signUp(event.id, guest({ email: later }));
    await deliver(); // the confirmations first (delivery lanes run in parallel: order only between rounds)
    await request(t.http).post('/api/v1/signups/cancel').send({ token: first.body.manageToken });
    await request(t.http).post('/api/v1/signups/cancel').send({ token: first.body.manageToken }); // idempotent: no second promotion
    await deliver();
    expect(subjectsTo(next)).toEqual(['Lista de espera: Vigilia', 'Tienes lugar: Vigilia']);
    expect(subjectsTo(later)).toEqual(['Lista de espera: Vigilia']);
  });

  it('tells everyone still signed up once per change of time or place, and nobody about other edits', async () => {
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 2, title: 'Asamblea' });
    const p = await crowd(event);
    expect((await patch(event.id, { description: 'Nueva agenda' })).status).toBe(200);
    expect((await patch(event.id, { startsAt: hours(200).toISOString(), endsAt: hours(203).toISOString() })).status).toBe(200);
    await deliver();
    for (const who of [p.a, p.b, p.waiting]) expect(subjectsTo(who)).toEqual(['Cambio de hora o lugar: Asamblea']);
    expect(subjectsTo(p.gone)).toEqual([]);
    expect((await patch(event.id, { venue: 'Plaza San Martín' })).status).toBe(200);
    await deliver();
    expect(subjectsTo(p.a)).toEqual(['Cambio de hora o lugar: Asamblea', 'Cambio de hora o lugar: Asamblea']);
    expect((await messagesFor(event.id, 'event.changed')).map((m) => m.dedupe_key.split(':')[2])).toEqual(['1', '1', '1', '2', '2', '2']);
  });

  it('leaves no notice behind when the change that caused it is rolled back', async () => {
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Mitin' });
    const p = await crowd(event);
    // Make the outbox refuse one of the messages: the whole request must roll back.
    await t.db.query(`CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END $$`);
    await t.db.query(`CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox_messages FOR EACH ROW WHEN (NEW.recipient = '${p.b}') EXECUTE FUNCTION refuse_mail()`);
    try {
      const moved = await patch(event.id, { startsAt: hours(300).toISOString(), endsAt: hours(301).toISOString() });
      expect(moved.status).toBe(400);
      const cancelled = await request(t.http).post(`/api/v1/events/${event.id}/cancel`).set(w.users.organiserA.auth).send({ reason: 'x' });
      expect(cancelled.status).toBe(400);
    } finally {
      await t.db.query('DROP TRIGGER refuse_mail ON outbox_messages');
      await t.db.query('DROP FUNCTION refuse_mail()');
    }
    expect(await messagesFor(event.id, 'event.changed')).toEqual([]);
    expect(await messagesFor(event.id, 'event.cancelled')).toEqual([]);
    const [row] = await t.db.query('SELECT starts_at, status, revision FROM events WHERE id = $1', [event.id]);
    expect(row).toEqual({ starts_at: event.startsAt, status: 'published', revision: 0 });
    expect(await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [event.id])).toEqual([]);
    await deliver();
    expect(sink.mails).toEqual([]);
  });

  it('tells everyone still signed up once when the event is cancelled', async () => {
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 2, title: 'Plantón' });
    const p = await crowd(event);
    expect((await request(t.http).post(`/api/v1/events/${event.id}/cancel`).set(w.users.organiserA.auth).send({ reason: 'Lluvia torrencial' })).status).toBe(200);
    expect((await request(t.http).post(`/api/v1/events/${event.id}/cancel`).set(w.users.organiserA.auth).send({ reason: 'again' })).status).toBe(409);
    await deliver();
    for (const who of [p.a, p.b, p.waiting]) expect(subjectsTo(who)).toEqual(['Cancelado: Plantón']);
    expect(subjectsTo(p.gone)).toEqual([]);
    expect(sink.mails.find((m) => m.to.includes(p.a))!.raw).toContain('Lluvia torrencial');
  });

  describe('the 24-hour reminder', () => {
    /** An event a week away with people signed up, then brought to 20 hours away (no change notice: arranged in SQL). */
    async function soon(title: string) {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 2, title });
      const p = await crowd(event);
      await t.db.query(`UPDATE events SET starts_at = now() + interval '20 hours', ends_at = now() + interval '22 hours' WHERE id = $1`, [event.id]);
      return { event, p };
    }

    it('goes once to everyone going, however often the job runs', async () => {
      const { event, p } = await soon('Caravana');
      const job = t.app.get(EventRemindersJob);
      expect(await job.queueDue()).toBe(2);
      expect(await job.queueDue()).toBe(0);
      // Even if the job's own bookkeeping were lost, the dedupe key holds.
      await t.db.query('UPDATE event_signups SET reminder_queued_at = NULL WHERE event_id = $1', [event.id]);
      expect(await job.queueDue()).toBe(0);
      await deliver();
      expect(subjectsTo(p.a)).toEqual(['Recordatorio: Caravana']);
      expect(subjectsTo(p.b)).toEqual(['Recordatorio: Caravana']);
      expect(subjectsTo(p.waiting)).toEqual([]);
      expect(subjectsTo(p.gone)).toEqual([]);
      const going = await t.db.query<{ id: string }[]>(`SELECT id FROM event_signups WHERE event_id = $1 AND status = 'going'`, [event.id]);
      const keys = await t.db.query<{ dedupe_key: string }[]>(`SELECT dedupe_key FROM outbox_messages WHERE template = 'event.reminder' AND recipient = ANY($1)`, [[p.a, p.b]]);
      expect(keys.map((k) => k.dedupe_key).sort()).toEqual(going.map((g) => `event_reminder:${g.id}`).sort());
    });

    it('goes once per signup when two application instances run the job at the same moment', async () => {
      const events = await Promise.all([soon('Marcha norte'), soon('Marcha sur'), soon('Marcha este')]);
      const second = await bootTestApp({ database: t.database, env: { SMTP_URL: sink.url } });
      try {
        const [x, y] = await Promise.all([t.app.get(EventRemindersJob).queueDue(), second.app.get(EventRemindersJob).queueDue()]);
        expect(x + y).toBe(6);
      } finally {
        await second.close();
      }
      await deliver();
      for (const { p } of events) {
        expect(subjectsTo(p.a)).toHaveLength(1);
        expect(subjectsTo(p.b)).toHaveLength(1);
        expect(subjectsTo(p.waiting)).toEqual([]);
      }
    });

    it('is not sent on top of the confirmation to someone signing up within the last 24 hours', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, title: 'Olla común', startsAt: hours(5), endsAt: hours(8) });
      const late = address();
      await signUp(event.id, guest({ email: late }));
      await t.app.get(EventRemindersJob).queueDue();
      await deliver();
      expect(subjectsTo(late)).toEqual(['Inscripción confirmada: Olla común']);
    });
  });
});
