import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, guest, linkMember, makeEvent, makeMember, makeShift, makeUser, type TestUser, type World } from './support/world';

/** One signup attempt: the answer, and the member login that made it (null: a guest). */
type Attempt = request.Response & { member: TestUser | null };

/**
 * Capacity is a hard invariant (DOMAIN.md): `going` never exceeds capacity
 * under any concurrency — members and guests signing up together — also with several API processes on one database;
 * past capacity people wait in arrival order; a freed seat goes to the
 * first in line in the same transaction.
 */
describe('capacity under fire', () => {
  let t: TestApp;
  let second: TestApp;
  let w: World;
  let ipSeq = 0;
  /** Logins linked to active members of A: a tenth of every storm. */
  const members: TestUser[] = [];
  let memberSeq = 0;

  beforeAll(async () => {
    // TRUST_PROXY: each simulated person arrives from their own address (the per-IP limit is tested elsewhere).
    t = await bootTestApp({ env: { TRUST_PROXY: 'true' } });
    second = await bootTestApp({ database: t.database, env: { TRUST_PROXY: 'true' } });
    w = await buildWorld(t);
    for (let i = 0; i < 20; i++) {
      const user = await makeUser(t);
      await linkMember(t, user, await makeMember(t, [w.A]));
      members.push(user);
    }
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const ip = () => `10.30.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

  /** n signups at once, spread round-robin over the given instances: every tenth one a member with their login, the others guests. */
  async function storm(apps: TestApp[], eventId: string, n: number, extra: Record<string, unknown> = {}): Promise<Attempt[]> {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        // Each storm takes the next members in turn (one live signup per person per event).
        const member = i % 10 === 0 ? members[memberSeq++ % members.length] : null;
        let req = request(apps[i % apps.length].http)
          .post(`/api/v1/events/${eventId}/signups`)
          .set('X-Forwarded-For', ip());
        if (member) req = req.set(member.auth);
        const res = await req.send(member ? extra : guest(extra));
        return Object.assign(res, { member });
      }),
    );
  }

  async function rowsOf(eventId: string, shiftId: string | null = null) {
    return t.db.query<{ id: string; status: string; seq: string; waitlisted_at: Date | null }[]>(
      'SELECT id, status, seq, waitlisted_at FROM event_signups WHERE event_id = $1 AND shift_id IS NOT DISTINCT FROM $2::uuid ORDER BY seq',
      [eventId, shiftId],
    );
  }

  /** Exactly `seats` going, the rest waiting, and the line is arrival order: every going signup arrived before every waiting one. */
  async function expectFilledInArrivalOrder(res: Attempt[], eventId: string, shiftId: string | null, seats: number) {
    expect(res.filter((r) => r.status >= 500).map((r) => r.body)).toEqual([]);
    expect(res.map((r) => r.status).every((s) => s === 201)).toBe(true);
    const answered = res.map((r) => r.body.status);
    expect(answered.filter((s) => s === 'going')).toHaveLength(seats);
    expect(answered.filter((s) => s === 'waitlisted')).toHaveLength(res.length - seats);

    const rows = await rowsOf(eventId, shiftId);
    expect(rows).toHaveLength(res.length);
    expect(rows.slice(0, seats).every((r) => r.status === 'going')).toBe(true);
    expect(rows.slice(seats).every((r) => r.status === 'waitlisted')).toBe(true);
    // Waiting-list timestamps follow the arrival order too.
    const waits = rows.slice(seats).map((r) => r.waitlisted_at!.getTime());
    expect(waits).toEqual([...waits].sort((a, b) => a - b));
    // Members and guests alike, and what each person was told is what the database holds.
    expect(res.filter((r) => r.member)).toHaveLength(res.length / 10);
    const told = new Map(res.map((r) => [r.body.id as string, r.body.status as string]));
    expect(rows.every((r) => told.get(r.id) === r.status)).toBe(true);
    const counter = shiftId ? await t.db.query('SELECT going_count FROM event_shifts WHERE id = $1', [shiftId]) : await t.db.query('SELECT going_count FROM events WHERE id = $1', [eventId]);
    expect(counter).toEqual([{ going_count: seats }]);
  }

  /** Cancels these signups at once over the given instances: guests with their secret, members with their login. */
  async function cancelAll(apps: TestApp[], leaving: Attempt[]) {
    return Promise.all(
      leaving.map((a, i) =>
        a.member
          ? request(apps[i % apps.length].http)
              .patch(`/api/v1/events/${a.body.eventId}/signups/${a.body.id}`)
              .set(a.member.auth)
              .send({ status: 'cancelled' })
          : request(apps[i % apps.length].http)
              .post('/api/v1/signups/cancel')
              .set('X-Forwarded-For', ip())
              .send({ token: a.body.manageToken }),
      ),
    );
  }

  /** 10 going people cancel at once: exactly the first 10 in line move up, nobody else. */
  async function expectTenPromoted(apps: TestApp[], res: Attempt[], eventId: string, shiftId: string | null, seats: number) {
    const before = await rowsOf(eventId, shiftId);
    const line = before.filter((r) => r.status === 'waitlisted').map((r) => r.id);
    const going = res.filter((r) => r.body.status === 'going');
    const goingMembers = going.filter((r) => r.member).slice(0, 5);
    const leaving = [...goingMembers, ...going.filter((r) => !r.member).slice(0, 10 - goingMembers.length)];
    expect(leaving).toHaveLength(10);
    const cancelled = await cancelAll(apps, leaving);
    expect(cancelled.map((r) => r.status)).toEqual(Array(10).fill(200));
    const after = await rowsOf(eventId, shiftId);
    const status = new Map(after.map((r) => [r.id, r.status]));
    expect(leaving.every((r) => status.get(r.body.id) === 'cancelled')).toBe(true);
    expect(line.slice(0, 10).every((id) => status.get(id) === 'going')).toBe(true);
    expect(line.slice(10).every((id) => status.get(id) === 'waitlisted')).toBe(true);
    expect(after.filter((r) => r.status === 'going')).toHaveLength(seats);
    const promotions = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'event_signup.promote' AND entity_id = ANY($1)`, [line]);
    expect(promotions).toEqual([{ n: 10 }]);
  }

  describe('one application instance', () => {
    let event: Event;
    let res: Attempt[];

    it('200 concurrent signups for 50 seats: exactly 50 going, 150 waitlisted in arrival order, no 5xx', async () => {
      event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 50 });
      res = await storm([t], event.id, 200);
      await expectFilledInArrivalOrder(res, event.id, null, 50);
    });

    it('10 concurrent cancellations promote exactly the next 10 in line', async () => {
      await expectTenPromoted([t], res, event.id, null, 50);
    });

    it('the same for a shift', async () => {
      const e = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 5 });
      const shift = await makeShift(t, e, { name: 'First aid', capacity: 50 });
      const shiftRes = await storm([t], e.id, 200, { shiftId: shift.id });
      await expectFilledInArrivalOrder(shiftRes, e.id, shift.id, 50);
      // The event's own seats are untouched by the shift.
      expect((await t.db.query('SELECT going_count FROM events WHERE id = $1', [e.id]))[0].going_count).toBe(0);
      await expectTenPromoted([t], shiftRes, e.id, shift.id, 50);
    });
  });

  describe('two application instances on one database', () => {
    it('hold the invariant for an event: 50 going, 150 waiting in order, 10 cancellations promote 10', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 50 });
      const res = await storm([t, second], event.id, 200);
      await expectFilledInArrivalOrder(res, event.id, null, 50);
      await expectTenPromoted([t, second], res, event.id, null, 50);
    });

    it('hold it for a shift too', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const shift = await makeShift(t, event, { name: 'Marshals', capacity: 50 });
      const res = await storm([t, second], event.id, 200, { shiftId: shift.id });
      await expectFilledInArrivalOrder(res, event.id, shift.id, 50);
      await expectTenPromoted([t, second], res, event.id, shift.id, 50);
    });

    it('hand freed seats out once when a capacity increase races with cancellations and new signups', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 10 });
      const first = await storm([t, second], event.id, 40);
      const leaving = first.filter((r) => r.body.status === 'going').slice(0, 5);
      const [raised] = await Promise.all([
        request(second.http).patch(`/api/v1/events/${event.id}`).set(w.users.organiserA.auth).send({ capacity: 20 }),
        cancelAll([t, second], leaving),
        storm([t, second], event.id, 20),
      ]);
      expect(raised.status).toBe(200);
      const rows = await t.db.query<{ status: string; n: number }[]>('SELECT status, count(*)::int AS n FROM event_signups WHERE event_id = $1 GROUP BY status ORDER BY status', [event.id]);
      expect(rows).toEqual([
        { status: 'cancelled', n: 5 },
        { status: 'going', n: 20 },
        { status: 'waitlisted', n: 35 },
      ]);
      // Nobody who is still waiting arrived before someone who got a seat by promotion or late arrival.
      const ordered = await rowsOf(event.id);
      const lastGoing = Math.max(...ordered.filter((r) => r.status === 'going').map((r) => Number(r.seq)));
      const firstWaiting = Math.min(...ordered.filter((r) => r.status === 'waitlisted').map((r) => Number(r.seq)));
      expect(lastGoing).toBeLessThan(firstWaiting);
    });
  });

  it('is enforced by the database itself, whatever the code does', async () => {
    const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
    await expect(t.db.query('UPDATE events SET going_count = 2 WHERE id = $1', [event.id])).rejects.toThrow(/ck_events_going_count/);
    const shift = await makeShift(t, event, { capacity: 0 });
    await expect(t.db.query('UPDATE event_shifts SET going_count = 1 WHERE id = $1', [shift.id])).rejects.toThrow(/ck_event_shifts_going_count/);
  });
});
