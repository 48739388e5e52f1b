import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';

import type { Caller } from '../src/access/caller';
import { Transactions } from '../src/database/transactions';
import { CheckInCodes } from '../src/events/check-in-codes';
import { CheckInsService } from '../src/events/check-ins.service';
import type { CheckInManifest } from '../src/events/check-ins.views';
import type { Event } from '../src/events/event.entity';
import { SignupsService } from '../src/events/signups.service';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, guest, linkMember, makeEvent, makeMember, makeShift, makeUser, unique, type World } from './support/world';

const sha = (v: string) => createHash('sha256').update(v).digest('hex');
const HOUR = 3600_000;

/**
 * Check-in at the door (issue 21): the codes a signup gets, the manifest a
 * door takes offline, batches of scans (idempotent per clientId, conflicts,
 * walk-ins under the capacity rule), door links, turnout.
 */
describe('check-in at the door', () => {
  let t: TestApp;
  let w: World;
  let codes: CheckInCodes;
  let organiser: { Authorization: string };

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
    codes = t.app.get(CheckInCodes);
    organiser = w.users.organiserA.auth;
  });
  afterAll(() => t.close());

  /** A published event of A under way: started an hour ago, ends in two. */
  const liveEvent = (fields: Partial<Event> = {}) => makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + 2 * HOUR), ...fields });
  const signUp = async (event: Event, body: object = guest()) => {
    const res = await request(t.http).post(`/api/v1/events/${event.id}/signups`).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; manageToken?: string; checkIn: { token: string; code: string } };
  };
  const post = (event: Event, items: object[], auth: Record<string, string> = organiser, extra: object = {}) =>
    request(t.http)
      .post(`/api/v1/events/${event.id}/check-ins`)
      .set(auth)
      .send({ items, ...extra });
  const scan = (fields: object, at = new Date()) => ({ clientId: randomUUID(), at: at.toISOString(), ...fields });
  const row = async (id: string) =>
    (await t.db.query('SELECT status, checked_in_at, over_capacity, checkin_token_hash, checkin_code_hash, source FROM event_signups WHERE id = $1', [id]))[0] as {
      status: string;
      checked_in_at: Date | null;
      over_capacity: boolean;
      checkin_token_hash: string | null;
      checkin_code_hash: string | null;
      source: string;
    };
  const goingCount = async (event: Event) => (await t.db.query<{ going_count: number }[]>('SELECT going_count FROM events WHERE id = $1', [event.id]))[0].going_count;
  const checkInRows = async (event: Event) => (await t.db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM event_check_ins WHERE event_id = $1', [event.id]))[0].n;

  describe('codes', () => {
    it('gives each signup a token and a short code, shown again to its holder, and stores only their hashes', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const answer = await signUp(event);
      expect(answer.checkIn.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(answer.checkIn.code).toMatch(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
      expect(answer.checkIn).toEqual({ token: codes.tokenFor(answer.id), code: codes.shortCodeFor(answer.id) });
      const stored = await row(answer.id);
      expect(stored.checkin_token_hash).toBe(sha(answer.checkIn.token));
      expect(stored.checkin_code_hash).toBe(sha(answer.checkIn.code.replace('-', '')));
      const text = JSON.stringify(await t.db.query('SELECT * FROM event_signups WHERE id = $1', [answer.id]));
      expect(text).not.toContain(answer.checkIn.token);
      expect(text).not.toContain(answer.checkIn.code.replace('-', ''));

      // The guest's manage lookup shows it again; a member's own signups too.
      const lookup = await request(t.http).post('/api/v1/signups/lookup').send({ token: answer.manageToken });
      expect(lookup.body.checkIn).toEqual(answer.checkIn);
      const user = await makeUser(t);
      await linkMember(t, user, await makeMember(t, [w.A]));
      const memberSignup = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(user.auth).send({});
      expect(memberSignup.status).toBe(201);
      const list = await request(t.http).get('/api/v1/me/signups').set(user.auth);
      expect(list.body.items[0].checkIn).toEqual(memberSignup.body.checkIn);
      // Cancelled: no code is shown any more.
      await request(t.http).post('/api/v1/signups/cancel').send({ token: answer.manageToken });
      expect((await request(t.http).post('/api/v1/signups/lookup').send({ token: answer.manageToken })).body.checkIn).toBeNull();
    });

    it('forgets both hashes when the person is erased', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const email = `${unique('erased')}@example.org`;
      const answer = await signUp(event, guest({ email }));
      const member = await makeMember(t, [w.A], { email });
      const user = await makeUser(t);
      await linkMember(t, user, member);
      const memberAnswer = (await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(user.auth).send({})).body as { id: string };
      const system: Caller = { user: null, requestId: 'test:erase', ip: '' };
      const [{ controller_id }] = await t.db.query<{ controller_id: string }[]>('SELECT controller_id FROM members WHERE id = $1', [member.id]);
      await t.app.get(Transactions).run((tx) => t.app.get(SignupsService).erasePerson(tx, system, { memberId: member.id, emails: [email], controllerId: controller_id }));
      for (const id of [answer.id, memberAnswer.id]) expect(await row(id)).toMatchObject({ checkin_token_hash: null, checkin_code_hash: null });
    });
  });

  describe('the manifest', () => {
    it('lists what a door needs and nothing more — no e-mail, no phone, no member id — and is signed', async () => {
      const event = await liveEvent({ capacity: 10 });
      const shift = await makeShift(t, event, { capacity: 3 });
      const email = `${unique('manifest')}@example.org`;
      const g = await signUp(event, guest({ name: 'Rosa Quispe', email, phone: '+51987654321' }));
      const user = await makeUser(t);
      const member = await makeMember(t, [w.A], { givenName: 'Luis', phone: '+51911111111' });
      await linkMember(t, user, member);
      const m = (await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(user.auth).send({ shiftId: shift.id })).body as { id: string };

      const res = await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set(organiser);
      expect(res.status).toBe(200);
      const manifest = res.body as CheckInManifest;
      expect(Object.keys(manifest).sort()).toEqual(['counts', 'entries', 'eventId', 'expiresAt', 'issuedAt', 'signature']);
      expect(new Date(manifest.expiresAt).getTime()).toBe(event.endsAt.getTime() + 12 * HOUR);
      expect(manifest.entries).toEqual([
        { signupId: g.id, tokenHash: sha(g.checkIn.token), codeHash: sha(g.checkIn.code.replace('-', '')), name: 'Rosa Quispe', shiftId: null, status: 'going' },
        { signupId: m.id, tokenHash: expect.any(String), codeHash: expect.any(String), name: expect.stringContaining('Luis'), shiftId: shift.id, status: 'going' },
      ]);
      expect(manifest.counts).toEqual({ going: 1, attended: 0, perShift: [{ shiftId: shift.id, going: 1, attended: 0 }] });
      for (const secret of [email, '+51987654321', '+51911111111', member.email, member.id, g.manageToken!, g.checkIn.token]) expect(res.text).not.toContain(secret);
      for (const entry of manifest.entries) expect(Object.keys(entry).sort()).toEqual(['codeHash', 'name', 'shiftId', 'signupId', 'status', 'tokenHash']);

      // The signature: the server tells its own copy from an altered or forged one.
      const service = t.app.get(CheckInsService);
      expect(service.verifyManifest(manifest)).toBe(true);
      expect(service.verifyManifest({ ...manifest, entries: manifest.entries.map((e) => ({ ...e, status: 'attended' as const })) })).toBe(false);
      expect(service.verifyManifest({ ...manifest, signature: manifest.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).toBe(false);
    });

    it('is refused for a draft (409) and a cancelled event (409), and after the window (410, problem+json)', async () => {
      const draft = await liveEvent({ status: 'draft' });
      expect((await request(t.http).get(`/api/v1/events/${draft.id}/check-in-manifest`).set(organiser)).body.code).toBe('event-not-published');
      const cancelled = await liveEvent({ status: 'cancelled', cancelledAt: new Date() });
      expect((await request(t.http).get(`/api/v1/events/${cancelled.id}/check-in-manifest`).set(organiser)).status).toBe(409);
      const over = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - 16 * HOUR), endsAt: new Date(Date.now() - 13 * HOUR) });
      const res = await request(t.http).get(`/api/v1/events/${over.id}/check-in-manifest`).set(organiser);
      expect(res.status).toBe(410);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.code).toBe('check-in-closed');
      // Still within the window: 11 hours after the end.
      const recent = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - 14 * HOUR), endsAt: new Date(Date.now() - 11 * HOUR) });
      expect((await request(t.http).get(`/api/v1/events/${recent.id}/check-in-manifest`).set(organiser)).status).toBe(200);
    });
  });

  describe('a batch of scans', () => {
    it('checks people in by token, by short code however typed, and by signup id; the same scan again is `already`, with the same answer', async () => {
      const event = await liveEvent();
      const [a, b, c] = [await signUp(event), await signUp(event), await signUp(event)];
      const items = [scan({ token: a.checkIn.token }), scan({ code: ` ${b.checkIn.code.toLowerCase().replace('-', ' ').replace(/0/g, 'o')} ` }), scan({ signupId: c.id })];
      const res = await post(event, items, organiser, { door: 'Puerta 1' });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        { clientId: items[0].clientId, result: 'checked_in', signupId: a.id, name: 'Rosa Quispe', shiftId: null },
        { clientId: items[1].clientId, result: 'checked_in', signupId: b.id, name: 'Rosa Quispe', shiftId: null },
        { clientId: items[2].clientId, result: 'checked_in', signupId: c.id, name: 'Rosa Quispe', shiftId: null },
      ]);
      for (const s of [a, b, c]) expect((await row(s.id)).status).toBe('attended');
      expect(new Date((await row(a.id)).checked_in_at!).getTime()).toBeCloseTo(new Date(items[0].at).getTime(), -3);

      // The door lost the answer and sends the same batch again: nothing changes.
      const again = await post(event, items, organiser, { door: 'Puerta 1' });
      expect(again.body.items).toEqual(res.body.items.map((i: object) => ({ ...i, result: 'already', firstResult: 'checked_in' })));
      expect(await checkInRows(event)).toBe(3);
      const audit = await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'event_signup.check_in' AND entity_id = ANY($1)`, [[a.id, b.id, c.id]]);
      expect(audit[0].n).toBe(3);
    });

    it('tells a second door who checked the person in, and when (conflict); unknown, cancelled, waitlisted and late scans check no one in', async () => {
      const event = await liveEvent({ capacity: 2 });
      const [a, b] = [await signUp(event), await signUp(event)];
      await request(t.http).post('/api/v1/signups/cancel').send({ token: b.manageToken });
      const [, waiting] = [await signUp(event), await signUp(event)];
      expect(waiting.status).toBe('waitlisted');
      const first = scan({ token: a.checkIn.token }, new Date(Date.now() - 60_000));
      await post(event, [first], organiser, { door: 'Puerta 1' });
      const elsewhere = await signUp(await liveEvent());
      const items = [
        scan({ code: a.checkIn.code }),
        scan({ token: 'AAAAAAAAAAAAAAAAAAAAAA' }),
        scan({ token: elsewhere.checkIn.token }),
        scan({ code: b.checkIn.code }),
        scan({ token: waiting.checkIn.token }),
      ];
      const res = await post(event, items, w.users.adminA.auth, { door: 'Puerta 2' });
      expect(res.body.items.map((i: { result: string }) => i.result)).toEqual(['conflict', 'unknown', 'unknown', 'cancelled', 'waitlisted']);
      expect(res.body.items[0].conflict).toEqual({ door: 'Puerta 1', at: new Date(first.at).toISOString() });
      expect((await row(waiting.id)).status).toBe('waitlisted');
      expect((await row(elsewhere.id)).status).toBe('going');
      // A conflict sent again is still told who and when.
      const again = await post(event, [items[0]], w.users.adminA.auth);
      expect(again.body.items[0]).toMatchObject({ result: 'already', firstResult: 'conflict', conflict: { door: 'Puerta 1' } });

      // Scanned after the end: not checked in (taken until the window closes, but only for scans made before the end).
      const ended = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - 5 * HOUR), endsAt: new Date(Date.now() - 2 * HOUR) });
      const late = await t.db.query<{ id: string }[]>(
        `INSERT INTO event_signups (event_id, guest_name, guest_email, status, source, consent_data_processing_at) VALUES ($1, 'Ana', $2, 'going', 'guest_form', now()) RETURNING id`,
        [ended.id, `${unique('late')}@example.org`],
      );
      const lateItems = [scan({ signupId: late[0].id }, new Date(Date.now() - HOUR)), scan({ signupId: late[0].id }, new Date(Date.now() - 3 * HOUR))];
      const lateRes = await post(ended, lateItems);
      expect(lateRes.body.items.map((i: { result: string }) => i.result)).toEqual(['late', 'checked_in']);
    });

    it('takes walk-ins under the hard capacity rule, and records those beyond it apart: the seat count never exceeds capacity', async () => {
      const event = await liveEvent({ capacity: 2 });
      await signUp(event);
      const items = [scan({ walkIn: { name: 'Juana Huamán' } }), scan({ walkIn: { name: 'Pedro Condori' } }), scan({ walkIn: { name: 'Elena Mamani' } })];
      const res = await post(event, items);
      expect(res.body.items.map((i: { result: string; overCapacity: boolean }) => [i.result, i.overCapacity])).toEqual([
        ['checked_in', false],
        ['checked_in', true],
        ['checked_in', true],
      ]);
      expect(await goingCount(event)).toBe(2);
      const walkIn = await row(res.body.items[1].signupId);
      expect(walkIn).toMatchObject({ status: 'attended', over_capacity: true, source: 'walk_in' });
      const turnout = await request(t.http).get(`/api/v1/events/${event.id}/turnout`).set(organiser);
      expect(turnout.body).toMatchObject({ going: 2, attended: 3, walkIns: 3, overCapacity: 2, noShow: null, ended: false, capacity: 2 });
      // The walk-in sent again is not a second person.
      expect((await post(event, [items[0]])).body.items[0]).toMatchObject({ result: 'already', firstResult: 'checked_in', name: 'Juana Huamán', overCapacity: false });
      expect(await goingCount(event)).toBe(2);
      const audit = await t.db.query<{ changes: Record<string, { to: unknown }> }[]>(`SELECT changes FROM audit_log WHERE action = 'event_signup.walk_in' AND entity_id = $1`, [
        res.body.items[1].signupId,
      ]);
      expect(audit[0].changes.overCapacity.to).toBe(true);
      expect(JSON.stringify(audit)).not.toContain('Pedro');
    });

    it('holds the capacity under concurrent doors, and answers two copies of one batch sent at once with one check-in', async () => {
      const event = await liveEvent({ capacity: 3 });
      const batches = Array.from({ length: 6 }, (_, i) => [scan({ walkIn: { name: `Persona ${i}` } })]);
      const answers = await Promise.all(batches.map((items) => post(event, items)));
      expect(answers.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(answers.filter((r) => r.body.items[0].overCapacity === false)).toHaveLength(3);
      expect(await goingCount(event)).toBe(3);

      const s = await signUp(await liveEvent());
      const other = (await t.db.query<{ event_id: string }[]>('SELECT event_id FROM event_signups WHERE id = $1', [s.id]))[0].event_id;
      const items = [scan({ token: s.checkIn.token })];
      const twice = await Promise.all([0, 1].map(() => request(t.http).post(`/api/v1/events/${other}/check-ins`).set(organiser).send({ items })));
      expect(twice.map((r) => r.body.items[0].result).sort()).toEqual(['already', 'checked_in']);
    });

    it('refuses a request with a malformed scan, or after the window, and then records nothing', async () => {
      const event = await liveEvent({ capacity: 5 });
      const a = await signUp(event);
      const bad = await post(event, [scan({ token: a.checkIn.token }), scan({ walkIn: { name: 'Juana' } }), scan({ token: a.checkIn.token, signupId: a.id })]);
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: 'items[2]', message: 'give exactly one of token, code, signupId or walkIn' }]);
      const tooMany = await post(
        event,
        Array.from({ length: 501 }, () => scan({ signupId: a.id })),
      );
      expect(tooMany.status).toBe(400);
      const unknownShift = await post(event, [scan({ token: a.checkIn.token }), scan({ walkIn: { name: 'Juana' }, shiftId: randomUUID() })]);
      expect(unknownShift.status).toBe(400);
      expect((await row(a.id)).status).toBe('going');
      expect(await checkInRows(event)).toBe(0);
      expect(await goingCount(event)).toBe(1);

      const over = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - 16 * HOUR), endsAt: new Date(Date.now() - 13 * HOUR) });
      const closed = await post(over, [scan({ walkIn: { name: 'Juana' } }, new Date(Date.now() - 14 * HOUR))]);
      expect(closed.status).toBe(410);
      expect(await checkInRows(over)).toBe(0);
    });
  });

  describe('door links', () => {
    let event: Event;
    let other: Event;
    let link: { id: string; secret: string; url: string; label: string; expiresAt: string };

    beforeAll(async () => {
      event = await liveEvent({ capacity: 50 });
      other = await liveEvent();
      const res = await request(t.http).post(`/api/v1/events/${event.id}/door-links`).set(organiser).send({ label: 'Puerta 2 — Jr. de la Unión' });
      expect(res.status).toBe(201);
      link = res.body;
    });

    it('answers the secret once, inside the door page’s address, and keeps only its hash', async () => {
      expect(link.url).toBe(`${t.config.publicUrl}/checkin/${event.id}#door=${link.secret}`);
      expect(new Date(link.expiresAt).getTime()).toBe(event.endsAt.getTime() + 12 * HOUR);
      const list = await request(t.http).get(`/api/v1/events/${event.id}/door-links`).set(organiser);
      expect(list.body).toEqual([expect.objectContaining({ id: link.id, label: link.label, revokedAt: null })]);
      expect(list.text).not.toContain(link.secret);
      const [stored] = await t.db.query<{ secret_hash: string }[]>('SELECT secret_hash FROM event_door_links WHERE id = $1', [link.id]);
      expect(stored.secret_hash).toBe(sha(link.secret));
    });

    it('lets its holder read the manifest and post check-ins of this event, each use audited with the link’s id', async () => {
      const a = await signUp(event);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set('Authorization', `DoorLink ${link.secret}`)).status).toBe(200);
      const items = [scan({ token: a.checkIn.token }), scan({ walkIn: { name: 'Juana Huamán' } })];
      const res = await request(t.http).post(`/api/v1/events/${event.id}/check-ins`).set('X-Door-Link', link.secret).send({ items });
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { result: string }) => i.result)).toEqual(['checked_in', 'checked_in']);
      const [recorded] = await t.db.query<{ door_link_id: string; door_user_id: string | null; door_label: string }[]>(
        'SELECT door_link_id, door_user_id, door_label FROM event_check_ins WHERE client_id = $1',
        [items[0].clientId],
      );
      expect(recorded).toEqual({ door_link_id: link.id, door_user_id: null, door_label: link.label });
      const checkIn = await t.db.query<{ changes: Record<string, { to: unknown }>; actor_user_id: string | null }[]>(
        `SELECT changes, actor_user_id FROM audit_log WHERE action = 'event_signup.check_in' AND entity_id = $1`,
        [a.id],
      );
      expect(checkIn).toEqual([{ actor_user_id: null, changes: { status: { from: 'going', to: 'attended' }, doorLinkId: { from: null, to: link.id } } }]);
      const uses = await t.db.query<{ changes: Record<string, { to: unknown }> }[]>(`SELECT changes FROM audit_log WHERE action = 'door_link.use' AND entity_id = $1 ORDER BY id`, [link.id]);
      expect(uses.map((u) => u.changes.route.to)).toEqual(['check-in-manifest', 'check-ins']);
      // A second door is told it was this link.
      const second = await post(event, [scan({ token: a.checkIn.token })]);
      expect(second.body.items[0].conflict.door).toBe(link.label);
    });

    it('does nothing else: not another event (404), not another route (401), not a wrong secret (401)', async () => {
      const as = { 'X-Door-Link': link.secret };
      expect((await request(t.http).get(`/api/v1/events/${other.id}/check-in-manifest`).set(as)).status).toBe(404);
      expect(
        (
          await request(t.http)
            .post(`/api/v1/events/${other.id}/check-ins`)
            .set(as)
            .send({ items: [scan({ walkIn: { name: 'x' } })] })
        ).status,
      ).toBe(404);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/signups`).set(as)).status).toBe(401);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/door-links`).set('Authorization', `DoorLink ${link.secret}`)).status).toBe(401);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/turnout`).set(as)).status).toBe(401);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set('X-Door-Link', `${link.secret}x`)).status).toBe(401);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set('Authorization', 'DoorLink ')).status).toBe(401);
    });

    it('stops working the moment it is revoked', async () => {
      const made = (await request(t.http).post(`/api/v1/events/${event.id}/door-links`).set(organiser).send({ label: 'Puerta 3' })).body as { id: string; secret: string };
      const as = { 'X-Door-Link': made.secret };
      expect((await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set(as)).status).toBe(200);
      expect((await request(t.http).delete(`/api/v1/events/${event.id}/door-links/${made.id}`).set(organiser)).status).toBe(204);
      expect((await request(t.http).get(`/api/v1/events/${event.id}/check-in-manifest`).set(as)).status).toBe(401);
      expect(
        (
          await request(t.http)
            .post(`/api/v1/events/${event.id}/check-ins`)
            .set(as)
            .send({ items: [scan({ walkIn: { name: 'x' } })] })
        ).status,
      ).toBe(401);
      expect((await request(t.http).delete(`/api/v1/events/${event.id}/door-links/${made.id}`).set(organiser)).status).toBe(204);
      expect((await request(t.http).delete(`/api/v1/events/${other.id}/door-links/${made.id}`).set(organiser)).status).toBe(404);
      const audit = await t.db.query<{ action: string }[]>(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [made.id]);
      expect(audit.map((a) => a.action)).toEqual(['door_link.create', 'door_link.use', 'door_link.revoke']);
    });

    it('stops with the check-in window: a link of an event long over gets 410', async () => {
      const over = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: new Date(Date.now() - 5 * HOUR), endsAt: new Date(Date.now() - 2 * HOUR) });
      const made = (await request(t.http).post(`/api/v1/events/${over.id}/door-links`).set(organiser).send({ label: 'Puerta 4' })).body as { secret: string };
      await t.db.query(`UPDATE events SET starts_at = now() - interval '20 hours', ends_at = now() - interval '13 hours' WHERE id = $1`, [over.id]);
      expect((await request(t.http).get(`/api/v1/events/${over.id}/check-in-manifest`).set('X-Door-Link', made.secret)).status).toBe(410);
      expect((await request(t.http).post(`/api/v1/events/${over.id}/door-links`).set(organiser).send({ label: 'late' })).status).toBe(410);
    });
  });

  describe('turnout', () => {
    it('counts no-shows once the event has ended: seats held at the end and never checked in', async () => {
      const event = await liveEvent({ capacity: 10 });
      const shift = await makeShift(t, event, { capacity: 2, name: 'Primeros auxilios' });
      const [a, b, c] = [await signUp(event), await signUp(event), await signUp(event, guest({ shiftId: shift.id }))];
      await post(event, [scan({ token: a.checkIn.token }), scan({ token: c.checkIn.token }), scan({ walkIn: { name: 'Juana' }, shiftId: shift.id })]);
      await t.db.query(`UPDATE events SET ends_at = now() - interval '1 minute' WHERE id = $1`, [event.id]);
      const res = await request(t.http).get(`/api/v1/events/${event.id}/turnout`).set(organiser);
      expect(res.status).toBe(200);
      expect((await row(b.id)).status).toBe('going');
      expect(res.body).toEqual({
        eventId: event.id,
        ended: true,
        capacity: 10,
        going: 2,
        attended: 1,
        noShow: 1,
        walkIns: 0,
        overCapacity: 0,
        perShift: [{ shiftId: shift.id, name: 'Primeros auxilios', going: 2, attended: 2, noShow: 0, walkIns: 1, overCapacity: 0 }],
      });
    });

    it('gives coordinators each partner’s turnout at the coalition’s ended events, counts under 5 as "<5", nothing to difference', async () => {
      const event = await makeEvent(t, { coalitionId: w.C.id, startsAt: new Date(Date.now() - 5 * HOUR), endsAt: new Date(Date.now() - HOUR), capacity: 100 });
      const seat = async (org: typeof w.A, status: string) => {
        const member = await makeMember(t, [org]);
        await t.db.query(`INSERT INTO event_signups (event_id, member_id, status, source, checked_in_at) VALUES ($1, $2, $3, 'member', CASE WHEN $3 = 'attended' THEN now() END)`, [
          event.id,
          member.id,
          status,
        ]);
      };
      // A (a current of P): 12 seats, 9 came; B: 3 seats, all came; a guest and a walk-in count for no partner.
      for (let i = 0; i < 9; i++) await seat(w.A, 'attended');
      for (let i = 0; i < 3; i++) await seat(w.A, 'no_show');
      for (let i = 0; i < 3; i++) await seat(w.B, 'attended');
      await t.db.query(`INSERT INTO event_signups (event_id, guest_name, guest_email, status, source, consent_data_processing_at) VALUES ($1, 'Ana', $2, 'attended', 'guest_form', now())`, [
        event.id,
        `${unique('g')}@example.org`,
      ]);
      const res = await request(t.http).get(`/api/v1/coalitions/${w.C.id}/turnout`).set(w.users.coordinator.auth);
      expect(res.status).toBe(200);
      const byOrg = Object.fromEntries((res.body.partners as { organisation: { id: string } }[]).map((p) => [p.organisation.id, p]));
      expect(res.body).toMatchObject({ coalitionId: w.C.id, suppressionThreshold: 5, events: 1 });
      // 12 = 9 + 3: the 3 is under 5, and 9 would give it away from 12, so 9 is withheld too.
      expect(byOrg[w.A.id]).toMatchObject({ going: 12, attended: 'suppressed', noShow: '<5' });
      expect(byOrg[w.B.id]).toMatchObject({ going: '<5', attended: '<5', noShow: '<5' });
      expect(res.body).not.toHaveProperty('total');
      expect((await request(t.http).get(`/api/v1/coalitions/${w.C.id}/turnout`).set(w.users.adminA.auth)).status).toBe(403);
    });
  });
});
