import request from 'supertest';

import type { EventShift } from '../src/events/event-shift.entity';
import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, guest, linkMember, makeEvent, makeMember, makeShift, makeUser, unique, type TestUser, type World } from './support/world';

const hours = (n: number) => new Date(Date.now() + n * 3600_000);
let ipSeq = 0;
/** Each attempt from its own address (TRUST_PROXY is on), unless a case needs one. */
const nextIp = () => `10.40.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

/** Everything a signup may change: every seat counter of every event and shift, and the rows a signup writes. */
interface Footprint {
  eventSeats: Record<string, number>;
  shiftSeats: Record<string, number>;
  signups: number;
  outbox: number;
  audit: number;
}

/**
 * A refused request changes nothing: no row, no counter, no seat. Every way a
 * signup can be refused is tried against seats it could take — a shift of the
 * event, of another event, of a draft, of a private event — and afterwards
 * every seat counter and the signup, outbox and audit row counts are exactly
 * what they were.
 */
describe('refused signups take no seat and write nothing', () => {
  let t: TestApp;
  let w: World;
  let member: TestUser;
  /** Open, public, with a shift: what the refused attempts are made against. */
  let open: Event;
  let openShift: EventShift;
  /** Another open public event, a draft and a private event of another organisation, each with a shift. */
  let other: Event;
  let otherShift: EventShift;
  let draft: Event;
  let draftShift: EventShift;
  let hidden: Event;
  let hiddenShift: EventShift;
  let cancelled: Event;
  let completed: Event;
  let ended: Event;
  let closed: Event;
  let closedShift: EventShift;
  /** Signed up already: to the open event and to its shift (a guest), and to the open event (a member). */
  const taken = `${unique('taken')}@example.org`;
  /** Its per-person budget is spent before its case runs. */
  const spent = `${unique('spent')}@example.org`;

  beforeAll(async () => {
    t = await bootTestApp({ env: { TRUST_PROXY: 'true' } });
    w = await buildWorld(t);
    member = await makeUser(t);
    await linkMember(t, member, await makeMember(t, [w.A]));
    open = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 10 });
    openShift = await makeShift(t, open, { name: 'Marshals', capacity: 3 });
    other = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 10 });
    otherShift = await makeShift(t, other, { name: 'First aid', capacity: 3 });
    draft = await makeEvent(t, { hostOrganisationId: w.A.id, status: 'draft', capacity: 10 });
    draftShift = await makeShift(t, draft, { capacity: 3 });
    hidden = await makeEvent(t, { hostOrganisationId: w.B.id, visibility: 'private', capacity: 10 });
    hiddenShift = await makeShift(t, hidden, { capacity: 3 });
    cancelled = await makeEvent(t, { hostOrganisationId: w.A.id, status: 'cancelled', cancelledAt: new Date(), capacity: 10 });
    completed = await makeEvent(t, { hostOrganisationId: w.A.id, status: 'completed', startsAt: hours(-5), capacity: 10 });
    ended = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: hours(-5), capacity: 10 });
    closed = await makeEvent(t, { hostOrganisationId: w.A.id, signupDeadline: hours(-1), capacity: 10 });
    closedShift = await makeShift(t, closed, { capacity: 3 });

    // Live signups the duplicates run into.
    const post = (eventId: string, body: object, user?: TestUser) => {
      const r = request(t.http).post(`/api/v1/events/${eventId}/signups`).set('X-Forwarded-For', nextIp());
      return (user ? r.set(user.auth) : r).send(body);
    };
    expect((await post(open.id, guest({ email: taken }))).status).toBe(201);
    expect((await post(open.id, guest({ email: taken, shiftId: openShift.id }))).status).toBe(201);
    expect((await post(open.id, {}, member)).status).toBe(201);
    // Ten refused attempts spend this e-mail's hourly budget (10): the eleventh is rate limited.
    for (let i = 0; i < 10; i++) expect((await post(cancelled.id, guest({ email: spent }))).status).toBe(409);
  });
  afterAll(() => t.close());

  async function footprint(): Promise<Footprint> {
    const [row] = await t.db.query<Footprint[]>(
      `SELECT (SELECT coalesce(json_object_agg(id, going_count), '{}') FROM events) AS "eventSeats",
              (SELECT coalesce(json_object_agg(id, going_count), '{}') FROM event_shifts) AS "shiftSeats",
              (SELECT count(*)::int FROM event_signups) AS signups,
              (SELECT count(*)::int FROM outbox_messages) AS outbox,
              (SELECT count(*)::int FROM audit_log) AS audit`,
    );
    return row;
  }

  interface Refusal {
    name: string;
    eventId: () => string;
    body: () => object;
    user?: () => TestUser;
    ip?: string;
    status: number;
    code?: string;
  }

  const refusals: Refusal[] = [
    { name: 'an unknown shift', eventId: () => open.id, body: () => guest({ shiftId: '00000000-0000-4000-8000-000000000000' }), status: 400, code: 'unknown-shift' },
    { name: 'a shift of another public event', eventId: () => open.id, body: () => guest({ shiftId: otherShift.id }), status: 400, code: 'unknown-shift' },
    { name: 'a shift of a draft event', eventId: () => open.id, body: () => guest({ shiftId: draftShift.id }), status: 400, code: 'unknown-shift' },
    { name: 'a shift of a private event of another organisation', eventId: () => open.id, body: () => guest({ shiftId: hiddenShift.id }), status: 400, code: 'unknown-shift' },
    { name: 'a shift of another event, by a member', eventId: () => other.id, body: () => ({ shiftId: openShift.id }), user: () => member, status: 400, code: 'unknown-shift' },
    { name: 'a draft event (seen by its organiser)', eventId: () => draft.id, body: () => guest({ shiftId: draftShift.id }), user: () => w.users.organiserA, status: 409, code: 'event-not-published' },
    { name: 'a cancelled event', eventId: () => cancelled.id, body: () => guest(), status: 409, code: 'event-cancelled' },
    { name: 'a completed event', eventId: () => completed.id, body: () => guest(), status: 409, code: 'event-over' },
    { name: 'an event that has ended', eventId: () => ended.id, body: () => guest(), status: 409, code: 'event-over' },
    { name: 'an event whose signup deadline has passed', eventId: () => closed.id, body: () => guest({ shiftId: closedShift.id }), status: 409, code: 'signup-deadline-passed' },
    { name: 'a second live signup to the event', eventId: () => open.id, body: () => guest({ email: taken.toUpperCase() }), status: 409, code: 'already-signed-up' },
    { name: 'a second live signup to the shift', eventId: () => open.id, body: () => guest({ email: taken, shiftId: openShift.id }), status: 409, code: 'already-signed-up' },
    { name: 'a member’s second live signup', eventId: () => open.id, body: () => ({}), user: () => member, status: 409, code: 'already-signed-up' },
    { name: 'a person over their signup budget', eventId: () => open.id, body: () => guest({ email: spent, shiftId: openShift.id }), status: 429, code: 'rate-limited' },
    { name: 'invalid input (no consent)', eventId: () => open.id, body: () => guest({ shiftId: openShift.id, consent: { dataProcessing: false } }), status: 400, code: 'validation-failed' },
    { name: 'invalid input (an e-mail that is none)', eventId: () => open.id, body: () => guest({ shiftId: otherShift.id, email: 'not-an-email' }), status: 400, code: 'validation-failed' },
    { name: 'invalid input (a shift id that is no uuid)', eventId: () => open.id, body: () => guest({ shiftId: 'shift-1' }), status: 400, code: 'validation-failed' },
    { name: 'an event the caller may not see', eventId: () => hidden.id, body: () => guest({ shiftId: hiddenShift.id }), status: 404 },
    { name: 'a draft event, anonymously', eventId: () => draft.id, body: () => guest({ shiftId: draftShift.id }), status: 404 },
  ];

  it.each(refusals.map((r) => [r.name, r] as const))('%s: refused, and nothing changed', async (_name, r) => {
    const before = await footprint();
    let req = request(t.http)
      .post(`/api/v1/events/${r.eventId()}/signups`)
      .set('X-Forwarded-For', r.ip ?? nextIp());
    if (r.user) req = req.set(r.user().auth);
    const res = await req.send(r.body());
    expect({ status: res.status, code: res.body.code as unknown }).toEqual({ status: r.status, code: r.code ?? expect.anything() });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await footprint()).toEqual(before);
  });

  it('the seats are all still there: every shift can still be filled to its capacity by real signups', async () => {
    expect((await t.db.query('SELECT going_count FROM event_shifts WHERE id = $1', [otherShift.id]))[0].going_count).toBe(0);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++)
      answers.push(
        (
          await request(t.http)
            .post(`/api/v1/events/${other.id}/signups`)
            .set('X-Forwarded-For', nextIp())
            .send(guest({ shiftId: otherShift.id }))
        ).body.status,
      );
    expect(answers).toEqual(['going', 'going', 'going', 'waitlisted']);
  });
});
