import { randomUUID } from 'node:crypto';
import request from 'supertest';

import { MASKED } from '../src/domain-events/changes';
import { EventShift as EventShiftEntity } from '../src/events/event-shift.entity';
import { Event as EventEntity, type Event } from '../src/events/event.entity';
import { EventsRepository } from '../src/events/events.repository';
import { EventsService } from '../src/events/events.service';
import { SignupsService } from '../src/events/signups.service';
import { bootTestApp, type TestApp } from './support/app';
import { children, instantOf, parseICalendar, prop } from './support/ical';
import {
  auditEntriesFor,
  buildWorld,
  guest,
  linkMember,
  makeCoalition,
  makeDemand,
  makeEvent,
  makeMember,
  makeOrganisation,
  makeShift,
  makeUser,
  PASSWORD,
  unique,
  type TestUser,
  type World,
} from './support/world';

const hours = (n: number) => new Date(Date.now() + n * 3600_000);
let ipSeq = 0;
/** Each public signup comes from its own address (TRUST_PROXY is on): the per-IP budget is tested on its own. */
const nextIp = () => `10.20.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

/** A signup's check-in code, as its answer shows it (issue 21). */
const CHECK_IN_CODE = { token: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), code: expect.stringMatching(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/) };
describe('events: lifecycle, visibility, signups, calendar', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await bootTestApp({ env: { TRUST_PROXY: 'true', PUBLIC_URL: 'https://convoca.example.org' } });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const get = (path: string, user?: TestUser) => (user ? request(t.http).get(`/api/v1${path}`).set(user.auth) : request(t.http).get(`/api/v1${path}`));
  const send = (method: 'post' | 'patch' | 'delete', path: string, body: object | undefined, user?: TestUser) => {
    let r = request(t.http)[method](`/api/v1${path}`).set('X-Forwarded-For', nextIp());
    if (user) r = r.set(user.auth);
    return body ? r.send(body) : r;
  };
  const newEvent = (fields: object = {}, user: TestUser = w.users.organiserA) =>
    send('post', '/events', { hostOrganisationId: w.A.id, title: unique('Marcha'), kind: 'march', startsAt: hours(48).toISOString(), endsAt: hours(51).toISOString(), ...fields }, user);
  const signUp = (eventId: string, body: object = guest()) => send('post', `/events/${eventId}/signups`, body);
  const expectProblem = (res: request.Response, status: number, field?: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  };
  const ids = (res: request.Response) => res.body.items.map((e: { id: string }) => e.id);

  describe('campaigns', () => {
    it('are drafted by an organiser, hidden until active, and never go back to draft', async () => {
      const created = await send('post', '/campaigns', { organisationId: w.A.id, title: 'Defender el voto popular', startsOn: '2026-06-08', endsOn: '2026-07-28' }, w.users.organiserA);
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('draft');
      const id = created.body.id;
      expect((await get(`/campaigns/${id}`)).status).toBe(404);
      expect((await get(`/campaigns/${id}`, w.users.adminB)).status).toBe(404);
      expect((await get(`/campaigns/${id}`, w.users.adminP)).status).toBe(200);
      expect(ids(await get('/campaigns?limit=200'))).not.toContain(id);
      expect(ids(await get('/campaigns?limit=200', w.users.organiserA))).toContain(id);

      expect((await send('patch', `/campaigns/${id}`, { status: 'active' }, w.users.adminB)).status).toBe(404);
      expect((await send('patch', `/campaigns/${id}`, { status: 'active' }, w.users.organiserA)).status).toBe(200);
      expect((await get(`/campaigns/${id}`)).body.title).toBe('Defender el voto popular');
      expect((await send('patch', `/campaigns/${id}`, { status: 'active' }, w.users.adminB)).status).toBe(403);
      expectProblem(await send('patch', `/campaigns/${id}`, { status: 'draft' }, w.users.organiserA), 409);
      expect((await auditEntriesFor(t, id)).map((a) => a.action)).toEqual(['campaign.create', 'campaign.update']);
    });

    it('are owned by exactly one organisation or coalition, and end after they start', async () => {
      expectProblem(await send('post', '/campaigns', { organisationId: w.A.id, coalitionId: w.C.id, title: 'x', startsOn: '2026-06-08' }, w.users.platform), 400, 'organisationId');
      expectProblem(await send('post', '/campaigns', { title: 'x', startsOn: '2026-06-08' }, w.users.platform), 400, 'organisationId');
      expectProblem(await send('post', '/campaigns', { organisationId: w.A.id, title: 'x', startsOn: '2026-06-08', endsOn: '2026-06-01' }, w.users.organiserA), 400, 'endsOn');
      expectProblem(await send('post', '/campaigns', { organisationId: w.A.id, title: 'x', startsOn: '8 June' }, w.users.organiserA), 400, 'startsOn');
      expect((await send('post', '/campaigns', { coalitionId: w.C.id, title: 'Coalition campaign', startsOn: '2026-06-08' }, w.users.coordinator)).status).toBe(201);
      expect((await send('post', '/campaigns', { coalitionId: w.C.id, title: 'x', startsOn: '2026-06-08' }, w.users.organiserA)).status).toBe(403);
    });

    it('link the demands they push, showing each reader only the demands they may see', async () => {
      const adopted = await makeDemand(t, { coalition: w.C }, { status: 'adopted', title: 'Derogar las leyes pro crimen' });
      const proposed = await makeDemand(t, { coalition: w.C }, { status: 'proposed' });
      const draft = await makeDemand(t, { coalition: w.C }, { status: 'draft' });
      expectProblem(await send('post', '/campaigns', { coalitionId: w.C.id, title: 'x', startsOn: '2026-06-08', demandIds: [draft.id] }, w.users.coordinator), 400, 'demandIds');
      expectProblem(
        await send('post', '/campaigns', { coalitionId: w.C.id, title: 'x', startsOn: '2026-06-08', demandIds: ['00000000-0000-4000-8000-000000000000'] }, w.users.coordinator),
        400,
        'demandIds',
      );
      const campaign = await send(
        'post',
        '/campaigns',
        { coalitionId: w.C.id, title: 'Segunda vuelta', startsOn: '2026-06-08', status: 'active', demandIds: [adopted.id, proposed.id] },
        w.users.coordinator,
      );
      expect(campaign.status).toBe(201);
      expect(campaign.body.demands.map((d: { id: string }) => d.id).sort()).toEqual([adopted.id, proposed.id].sort());
      // A proposal is not public yet: anonymous readers see the adopted demand only.
      expect((await get(`/campaigns/${campaign.body.id}`)).body.demands).toEqual([{ id: adopted.id, code: adopted.code, title: 'Derogar las leyes pro crimen', status: 'adopted' }]);

      const event = await newEvent({ hostOrganisationId: undefined, coalitionId: w.C.id, campaignId: campaign.body.id, demandIds: [adopted.id] }, w.users.coordinator);
      expect(event.status).toBe(201);
      expect(event.body.demands.map((d: { id: string }) => d.id)).toEqual([adopted.id]);
      expect(event.body.campaign).toEqual({ id: campaign.body.id, title: 'Segunda vuelta' });
      const unlinked = await send('patch', `/events/${event.body.id}`, { demandIds: [] }, w.users.coordinator);
      expect(unlinked.body.demands).toEqual([]);
      expect((await auditEntriesFor(t, event.body.id)).map((a) => Object.keys(a.changes ?? {}).includes('demandIds'))).toEqual([true, true]);
      const closed = await send('patch', `/campaigns/${campaign.body.id}`, { status: 'closed' }, w.users.coordinator);
      expect(closed.body.status).toBe('closed');
      expectProblem(await newEvent({ hostOrganisationId: undefined, coalitionId: w.C.id, campaignId: campaign.body.id }, w.users.coordinator), 409);
    });
  });

  describe('creating and publishing', () => {
    it('creates a draft only the organisers see, publishes it, and audits each step', async () => {
      const created = await newEvent({ timezone: 'america/lima', capacity: 100, description: 'Por la voluntad popular' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'draft', timezone: 'America/Lima', capacity: 100, goingCount: 0, hostOrganisation: { id: w.A.id }, viewer: { canManage: true } });
      const id = created.body.id;
      expect((await get(`/events/${id}`)).status).toBe(404);
      expect((await get(`/events/${id}`, w.users.plain)).status).toBe(404);
      expect((await get(`/events/${id}`, w.users.adminP)).status).toBe(200); // the parent's admin manages A's events
      expectProblem(await signUp(id), 404);

      expect((await send('post', `/events/${id}/publish`, undefined, w.users.adminB)).status).toBe(404);
      const published = await send('post', `/events/${id}/publish`, undefined, w.users.organiserA);
      expect(published.status).toBe(200);
      expect(published.body.status).toBe('published');
      expect((await send('post', `/events/${id}/publish`, undefined, w.users.organiserA)).status).toBe(200); // idempotent
      const anon = await get(`/events/${id}`);
      expect(anon.status).toBe(200);
      expect(anon.body.viewer).toEqual({ canManage: false, canHandleSignups: false, signups: [], reach: null });
      expect((await send('patch', `/events/${id}`, { title: 'x' }, w.users.adminB)).status).toBe(403);
      expect((await auditEntriesFor(t, id)).map((a) => a.action)).toEqual(['event.create', 'event.publish']);
    });

    it('refuses bad input with 400 problem details naming the field', async () => {
      expectProblem(await newEvent({ startsAt: hours(50).toISOString(), endsAt: hours(49).toISOString() }), 400, 'endsAt');
      expectProblem(await newEvent({ endsAt: hours(48).toISOString() }), 400, 'endsAt');
      expectProblem(await newEvent({ timezone: 'Mars/Olympus_Mons' }), 400, 'timezone');
      expectProblem(await newEvent({ capacity: -1 }), 400, 'capacity');
      expectProblem(await newEvent({ capacity: 1.5 }), 400, 'capacity');
      expectProblem(await newEvent({ startsAt: '2026-06-08T16:00:00' }), 400, 'startsAt'); // no offset: ambiguous
      expectProblem(await newEvent({ kind: 'party' }), 400, 'kind');
      expectProblem(await newEvent({ lat: 91 }), 400, 'lat');
      expectProblem(await newEvent({ status: 'published' }), 400, 'status'); // only through /publish
      expectProblem(await newEvent({ coalitionId: w.C.id }), 400, 'hostOrganisationId');
      expectProblem(await newEvent({ signupDeadline: hours(60).toISOString() }), 400, 'signupDeadline');
      expectProblem(await newEvent({ hostOrganisationId: '00000000-0000-4000-8000-000000000000' }), 400, 'hostOrganisationId');
      expectProblem(await newEvent({ coHostOrganisationIds: [w.A.id] }), 400, 'coHostOrganisationIds');

      const id = (await newEvent({ capacity: 2 })).body.id;
      expectProblem(await send('patch', `/events/${id}`, { endsAt: hours(1).toISOString() }, w.users.organiserA), 400, 'endsAt');
      expectProblem(await send('patch', `/events/${id}`, { startsAt: null }, w.users.organiserA), 400, 'startsAt');
      expectProblem(await send('patch', `/events/${id}`, { timezone: 'Europe/Nowhere' }, w.users.organiserA), 400, 'timezone');
      expectProblem(await send('patch', `/events/${id}`, { hostOrganisationId: w.B.id }, w.users.organiserA), 400, 'hostOrganisationId');
      expectProblem(await get('/events?cursor=not*a*cursor'), 400, 'cursor');
      expectProblem(await get('/events?from=yesterday'), 400, 'from');
    });

    it('lets the coordinators create coalition events, and co-host organisers manage the event but not choose co-hosts', async () => {
      const coalitionEvent = await newEvent({ hostOrganisationId: undefined, coalitionId: w.C.id }, w.users.coordinator);
      expect(coalitionEvent.status).toBe(201);
      expect((await newEvent({ hostOrganisationId: undefined, coalitionId: w.C.id }, w.users.adminA)).status).toBe(403);
      expect((await newEvent({ hostOrganisationId: w.B.id })).status).toBe(403);

      const joint = (await newEvent({ coHostOrganisationIds: [w.B.id] })).body;
      expect(joint.coHosts.map((o: { id: string }) => o.id)).toEqual([w.B.id]);
      expect((await send('patch', `/events/${joint.id}`, { venue: 'Plaza Dos de Mayo' }, w.users.adminB)).status).toBe(200);
      expect((await send('post', `/events/${joint.id}/publish`, undefined, w.users.adminB)).status).toBe(200);
      expect((await send('patch', `/events/${joint.id}`, { coHostOrganisationIds: [] }, w.users.adminB)).status).toBe(403);
      expect((await send('patch', `/events/${joint.id}`, { coHostOrganisationIds: [] }, w.users.organiserA)).status).toBe(200);
      expect((await send('patch', `/events/${joint.id}`, { venue: 'x' }, w.users.adminB)).status).toBe(403); // no longer a co-host
    });

    it('cannot shrink the capacity below the seats taken; a bigger one moves the waiting list up at once', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      const first = await signUp(event.id);
      const second = await signUp(event.id);
      expect([first.body.status, second.body.status]).toEqual(['going', 'waitlisted']);
      expectProblem(await send('patch', `/events/${event.id}`, { capacity: 0 }, w.users.organiserA), 409);
      const bigger = await send('patch', `/events/${event.id}`, { capacity: 5 }, w.users.organiserA);
      expect(bigger.body).toMatchObject({ capacity: 5, goingCount: 2, spotsLeft: 3 });
      expect(await t.db.query('SELECT status FROM event_signups WHERE id = $1', [second.body.id])).toEqual([{ status: 'going' }]);
    });

    it('cancels with a reason, and a cancelled event takes no edits, signups or second cancellation', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      expectProblem(await send('post', `/events/${event.id}/cancel`, {}, w.users.organiserA), 400, 'reason');
      const cancelled = await send('post', `/events/${event.id}/cancel`, { reason: 'Paro de transportes' }, w.users.organiserA);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'Paro de transportes' });
      expect((await get(`/events/${event.id}`)).body.status).toBe('cancelled'); // people following a link learn it is off
      expectProblem(await send('post', `/events/${event.id}/cancel`, { reason: 'again' }, w.users.organiserA), 409);
      expectProblem(await send('patch', `/events/${event.id}`, { title: 'x' }, w.users.organiserA), 409);
      const res = await signUp(event.id);
      expectProblem(res, 409);
      expect(res.body.code).toBe('event-cancelled');
      expectProblem(await send('post', `/events/${event.id}/publish`, undefined, w.users.organiserA), 409);
    });

    it('completes only started events', async () => {
      const upcoming = await makeEvent(t, { hostOrganisationId: w.A.id });
      expectProblem(await send('post', `/events/${upcoming.id}/complete`, undefined, w.users.organiserA), 409);
      const started = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: hours(-1), endsAt: hours(1) });
      expect((await send('post', `/events/${started.id}/complete`, undefined, w.users.organiserA)).body.status).toBe('completed');
    });
  });

  describe('visibility', () => {
    let pub: Event, members: Event, priv: Event, draft: Event, coalitionPrivate: Event, hidden: Event;
    beforeAll(async () => {
      pub = await makeEvent(t, { hostOrganisationId: w.A.id, region: 'Cusco' });
      members = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'members' });
      priv = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'private' });
      draft = await makeEvent(t, { hostOrganisationId: w.A.id, status: 'draft' });
      coalitionPrivate = await makeEvent(t, { coalitionId: w.C.id, visibility: 'private' });
      hidden = await makeEvent(t, {
        hostOrganisationId: w.A.id,
        addressVisibility: 'attendees',
        venue: 'Local sindical',
        address: 'Av. Abancay 123',
        lat: -12.05,
        lng: -77.03,
        onlineUrl: 'https://meet.example.org/x',
      });
    });

    it('reads an event by id exactly as TypeORM’s findOne does (the hot-path reader behind every event page and signup)', async () => {
      for (const e of [pub, draft, coalitionPrivate, hidden]) {
        const read = await t.app.get(EventsRepository).byId(t.db.manager, e.id);
        expect(read).toBeInstanceOf(EventEntity);
        expect(read).toEqual(await t.db.manager.findOne(EventEntity, { where: { id: e.id } }));
      }
      expect(await t.app.get(EventsRepository).byId(t.db.manager, '00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('reads an event’s shifts exactly as TypeORM’s find does, in start order then by name (every event page reads them)', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const at = (hours: number) => new Date(event.startsAt.getTime() + hours * 3600_000);
      await makeShift(t, event, { name: 'Prensa', startsAt: at(1), endsAt: at(2), capacity: 3 });
      await makeShift(t, event, { name: 'Brigada', startsAt: at(1), endsAt: at(3), description: 'Primeros auxilios' });
      await makeShift(t, event, { name: 'Acomodadores', startsAt: at(0), endsAt: at(1) });
      const read = await t.app.get(EventsRepository).shifts(t.db.manager, event.id);
      expect(read.map((s) => s.name)).toEqual(['Acomodadores', 'Brigada', 'Prensa']);
      expect(read.every((s) => s instanceof EventShiftEntity)).toBe(true);
      expect(read).toEqual(await t.db.manager.find(EventShiftEntity, { where: { eventId: event.id }, order: { startsAt: 'ASC', name: 'ASC' } }));
      expect(await t.app.get(EventsRepository).shifts(t.db.manager, pub.id)).toEqual([]);
    });

    it('shows anonymous callers only published public events, and 404 for the rest', async () => {
      expect((await get(`/events/${pub.id}`)).status).toBe(200);
      for (const e of [members, priv, draft, coalitionPrivate]) {
        expect((await get(`/events/${e.id}`)).status).toBe(404);
        expect((await get(`/events/${e.id}/shifts`)).status).toBe(404);
        expect((await get(`/events/${e.id}/calendar.ics`)).status).toBe(404);
      }
      const listed = ids(await get('/events?limit=200'));
      expect(listed).toContain(pub.id);
      for (const e of [members, priv, draft, coalitionPrivate]) expect(listed).not.toContain(e.id);
      expect(ids(await get('/events?limit=200&status=draft'))).toEqual([]);
    });

    it('shows members-only and private events to those who run them, not to other organisations', async () => {
      for (const e of [members, priv, draft]) {
        expect((await get(`/events/${e.id}`, w.users.organiserA)).status).toBe(200);
        expect((await get(`/events/${e.id}`, w.users.adminP)).status).toBe(200);
        expect((await get(`/events/${e.id}`, w.users.adminB)).status).toBe(404);
        expect((await get(`/events/${e.id}`, w.users.plain)).status).toBe(404);
        expect((await get(`/events/${e.id}`, w.users.coordinator)).status).toBe(404);
      }
      expect((await get(`/events/${coalitionPrivate.id}`, w.users.coordinator)).status).toBe(200);
      expect((await get(`/events/${coalitionPrivate.id}`, w.users.organiserA)).status).toBe(404);
      const listed = ids(await get('/events?limit=200', w.users.organiserA));
      expect(listed).toEqual(expect.arrayContaining([pub.id, members.id, priv.id]));
      expect(listed).not.toContain(coalitionPrivate.id);
      expect(ids(await get('/events?limit=200&status=draft', w.users.organiserA))).toContain(draft.id);
      expect(ids(await get('/events?limit=200&status=draft', w.users.adminB))).not.toContain(draft.id);
      const mine = ids(await get('/events?limit=200', w.users.adminB));
      expect(mine).toContain(pub.id);
      for (const e of [members, priv]) expect(mine).not.toContain(e.id);
    });

    it('writes the list (a compiled serializer) exactly as JSON.stringify writes what the service returned: no field lost', async () => {
      await makeEvent(t, {
        hostOrganisationId: w.A.id,
        venue: 'Plaza',
        address: 'Jr. Junín 1',
        lat: -12.046,
        lng: -77.03,
        onlineUrl: 'https://x.example',
        capacity: 40,
        title: 'Ünïcödé "quoted" \\ \u2028',
      });
      const anonymous = { user: null, requestId: 'test', ip: '127.0.0.1' };
      for (const query of [{ limit: 200 }, { limit: 2 }]) {
        const res = await get(`/events?limit=${query.limit}`);
        const page = await t.app.get(EventsService).list(anonymous, query);
        expect(page.items.length).toBeGreaterThan(1);
        expect(res.text).toBe(JSON.stringify(page));
      }
    });

    it('hides an attendees-only location from anyone not signed up, in the page, the list and the calendar', async () => {
      const anon = await get(`/events/${hidden.id}`);
      expect(anon.body).toMatchObject({ venue: 'Local sindical', address: null, lat: null, lng: null, onlineUrl: null, locationHidden: true });
      const row = (await get('/events?limit=200')).body.items.find((e: { id: string }) => e.id === hidden.id);
      expect(row).toMatchObject({ address: null, lat: null, onlineUrl: null, locationHidden: true });
      const ics = (await get(`/events/${hidden.id}/calendar.ics`)).text;
      expect(ics).not.toContain('Abancay');
      expect(ics).not.toContain('meet.example.org');
      expect((await get(`/calendar.ics?organisation=${w.A.slug}`)).text).not.toContain('Abancay');
      expect(JSON.stringify((await get(`/events/${hidden.id}`, w.users.plain)).body)).not.toContain('Abancay');

      const organiser = await get(`/events/${hidden.id}`, w.users.organiserA);
      expect(organiser.body).toMatchObject({ address: 'Av. Abancay 123', locationHidden: false });
      const organiserRow = (await get('/events?limit=200', w.users.organiserA)).body.items.find((e: { id: string }) => e.id === hidden.id);
      expect(organiserRow.address).toBe('Av. Abancay 123');

      // A guest holding a seat sees it with their token; the waiting list does not.
      const seat = await signUp(hidden.id);
      const lookup = await send('post', '/signups/lookup', { token: seat.body.manageToken });
      expect(lookup.status).toBe(200);
      expect(lookup.body.event).toMatchObject({ address: 'Av. Abancay 123', onlineUrl: 'https://meet.example.org/x', locationHidden: false });
      const full = await makeEvent(t, { hostOrganisationId: w.A.id, addressVisibility: 'attendees', address: 'Jr. Secreto 1', capacity: 0 });
      const waiting = await signUp(full.id);
      expect(waiting.body.status).toBe('waitlisted');
      const waitingLookup = await send('post', '/signups/lookup', { token: waiting.body.manageToken });
      expect(waitingLookup.body.event).toMatchObject({ address: null, locationHidden: true });
    });

    it('filters by organisation (with its sub-organisations), coalition, campaign, region, kind and time, and pages by keyset', async () => {
      const org = await makeOrganisation(t, { kind: 'party' });
      const chapter = await makeOrganisation(t, { kind: 'chapter', parentId: org.id });
      const coalition = await makeCoalition(t, [org]);
      const campaign = (await t.db.query(`INSERT INTO campaigns (organisation_id, title, starts_on, status) VALUES ($1, 'K', '2026-01-01', 'active') RETURNING id`, [org.id]))[0].id;
      const base = hours(24 * 30);
      const at = (d: number) => new Date(base.getTime() + d * 3600_000);
      const e1 = await makeEvent(t, { hostOrganisationId: org.id, startsAt: at(1), endsAt: at(2), region: 'Puno', kind: 'assembly', campaignId: campaign });
      const e2 = await makeEvent(t, { hostOrganisationId: chapter.id, startsAt: at(3), endsAt: at(4), region: 'Puno' });
      const e3 = await makeEvent(t, { coalitionId: coalition.id, startsAt: at(5), endsAt: at(6) });
      const e4 = await makeEvent(t, { hostOrganisationId: w.B.id, startsAt: at(7), endsAt: at(8), coHosts: [chapter] });

      expect(ids(await get(`/events?organisation=${org.slug}`))).toEqual([e1.id, e2.id, e4.id]);
      expect(ids(await get(`/events?organisation=${chapter.id}`))).toEqual([e2.id, e4.id]);
      expect(ids(await get(`/events?coalition=${coalition.slug}`))).toEqual([e3.id]);
      expect(ids(await get(`/events?campaign=${campaign}`))).toEqual([e1.id]);
      expect(ids(await get(`/events?organisation=${org.id}&region=Puno`))).toEqual([e1.id, e2.id]);
      expect(ids(await get(`/events?organisation=${org.id}&kind=assembly`))).toEqual([e1.id]);
      expect(ids(await get(`/events?organisation=${org.id}&from=${encodeURIComponent(at(2).toISOString())}&to=${encodeURIComponent(at(7).toISOString())}`))).toEqual([e2.id]);
      expect(ids(await get('/events?organisation=no-such-organisation'))).toEqual([]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await get(`/events?organisation=${org.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...ids(page));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([e1.id, e2.id, e4.id]);
    });
  });

  describe('signups', () => {
    it('answers going with a one-time manage token, refuses a second live signup, and masks the person in the audit log', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const email = `${unique('rosa')}@example.org`;
      const res = await signUp(event.id, guest({ email, phone: '+51987654321' }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), eventId: event.id, shiftId: null, status: 'going', manageToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), checkIn: CHECK_IN_CODE });
      const twice = await signUp(event.id, guest({ email: email.toUpperCase() }));
      expectProblem(twice, 409);
      expect(twice.body.code).toBe('already-signed-up');
      const [audit] = await auditEntriesFor(t, res.body.id);
      expect(audit.action).toBe('event_signup.create');
      expect(audit.changes).toMatchObject({ guestEmail: { to: MASKED }, guestName: { to: MASKED }, guestPhone: { to: MASKED }, status: { to: 'going' } });
      expect(await t.db.query(`SELECT id FROM audit_log WHERE changes::text ILIKE $1 OR changes::text LIKE '%Rosa%'`, [`%${email}%`])).toEqual([]);
      // The stored token is a hash: the secret itself is nowhere in the database.
      expect(await t.db.query(`SELECT id FROM event_signups WHERE manage_token_hash = $1`, [res.body.manageToken])).toEqual([]);

      // After cancelling, the same person may sign up again.
      expect((await send('post', '/signups/cancel', { token: res.body.manageToken })).body).toEqual({ id: res.body.id, status: 'cancelled' });
      expect((await signUp(event.id, guest({ email }))).status).toBe(201);
    });

    it('answers the same whether or not the e-mail belongs to a known user', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const known = await signUp(event.id, guest({ email: w.users.adminB.email }));
      const unknown = await signUp(event.id, guest({ email: `${unique('nobody')}@example.org` }));
      expect([known.status, Object.keys(known.body).sort(), known.body.status]).toEqual([unknown.status, Object.keys(unknown.body).sort(), unknown.body.status]);
    });

    it('refuses incomplete guests, signups after the deadline, after the end, and to unknown shifts', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      expectProblem(await signUp(event.id, { name: 'Rosa', email: 'rosa@example.org' }), 400, 'consent.dataProcessing');
      expectProblem(await signUp(event.id, guest({ consent: { dataProcessing: false } })), 400, 'consent.dataProcessing');
      expectProblem(await signUp(event.id, guest({ email: 'not-an-email' })), 400, 'email');
      expectProblem(await signUp(event.id, guest({ phone: '98765' })), 400, 'phone');
      expectProblem(await signUp(event.id, {}), 400, 'name');
      expectProblem(await signUp(event.id, guest({ shiftId: '00000000-0000-4000-8000-000000000000' })), 400, 'shiftId');
      expectProblem(await signUp(event.id, guest({ admin: true })), 400, 'admin');

      const closed = await makeEvent(t, { hostOrganisationId: w.A.id, signupDeadline: hours(-1) });
      const late = await signUp(closed.id);
      expectProblem(late, 409);
      expect(late.body.code).toBe('signup-deadline-passed');
      const over = await makeEvent(t, { hostOrganisationId: w.A.id, startsAt: hours(-3), endsAt: hours(-1) });
      expectProblem(await signUp(over.id), 409);
    });

    it('waitlists past capacity and promotes the first in line when a seat is freed by a cancellation', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 2 });
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push((await signUp(event.id)).body);
      expect(answers.map((a) => a.status)).toEqual(['going', 'going', 'waitlisted', 'waitlisted', 'waitlisted']);
      await send('post', '/signups/cancel', { token: answers[1].manageToken });
      const rows = await t.db.query('SELECT id, status FROM event_signups WHERE event_id = $1 ORDER BY seq', [event.id]);
      expect(rows.map((r: { status: string }) => r.status)).toEqual(['going', 'cancelled', 'going', 'waitlisted', 'waitlisted']);
      expect((await auditEntriesFor(t, answers[2].id)).map((a) => a.action)).toEqual(['event_signup.create', 'event_signup.promote']);
      // A waitlisted guest may leave the line without moving anyone.
      await send('post', '/signups/cancel', { token: answers[3].manageToken });
      expect((await get(`/events/${event.id}`)).body).toMatchObject({ goingCount: 2, spotsLeft: 0 });
    });

    it('keeps shift seats apart from the event’s', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      const marshals = await makeShift(t, event, { name: 'Marshals', capacity: 1 });
      const email = `${unique('m')}@example.org`;
      expect((await signUp(event.id, guest({ email }))).body.status).toBe('going');
      expect((await signUp(event.id, guest({ email, shiftId: marshals.id }))).body.status).toBe('going');
      expect((await signUp(event.id, guest({ shiftId: marshals.id }))).body.status).toBe('waitlisted');
      expectProblem(await signUp(event.id, guest({ email, shiftId: marshals.id })), 409);
      const shifts = (await get(`/events/${event.id}/shifts`)).body;
      expect(shifts).toEqual([expect.objectContaining({ id: marshals.id, name: 'Marshals', capacity: 1, goingCount: 1, spotsLeft: 0 })]);
      const raised = await send('patch', `/events/${event.id}/shifts/${marshals.id}`, { capacity: 2 }, w.users.organiserA);
      expect(raised.body).toMatchObject({ capacity: 2, goingCount: 2 });
      expectProblem(await send('patch', `/events/${event.id}/shifts/${marshals.id}`, { capacity: 1 }, w.users.organiserA), 409);
      expectProblem(await send('post', `/events/${event.id}/shifts`, { name: 'x', startsAt: hours(5).toISOString(), endsAt: hours(4).toISOString() }, w.users.organiserA), 400, 'endsAt');
      expectProblem(
        await send('post', `/events/${event.id}/shifts`, { name: 'x', startsAt: hours(4).toISOString(), endsAt: hours(5).toISOString(), capacity: -1 }, w.users.organiserA),
        400,
        'capacity',
      );
    });

    it('lets guests view and cancel with their token only; idempotent; the same 404 for any bad token', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const res = await signUp(event.id, guest({ name: 'Juana Mamani' }));
      const lookup = await send('post', '/signups/lookup', { token: res.body.manageToken });
      expect(lookup.body.signup).toMatchObject({ id: res.body.id, status: 'going', name: 'Juana Mamani' });
      expect((await send('post', '/signups/cancel', { token: res.body.manageToken })).status).toBe(200);
      expect((await send('post', '/signups/cancel', { token: res.body.manageToken })).body.status).toBe('cancelled');
      expectProblem(await send('post', '/signups/cancel', { token: 'x'.repeat(43) }), 404);
      expectProblem(await send('post', '/signups/lookup', { token: 'x'.repeat(43) }), 404);
      expectProblem(await send('post', '/signups/cancel', {}), 400, 'token');
    });

    it('limits signups per address', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const ip = '203.0.113.77';
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await request(t.http).post(`/api/v1/events/${event.id}/signups`).set('X-Forwarded-For', ip).send(guest())).status);
      expect(statuses.slice(0, 30).every((s) => s === 201)).toBe(true);
      expect(statuses[30]).toBe(429);
    });
  });

  describe('organisers, per-event hosts and check-in', () => {
    let event: Event;
    let other: Event;
    let host: TestUser;
    let going: string;
    let waiting: string;
    beforeAll(async () => {
      event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      other = await makeEvent(t, { hostOrganisationId: w.A.id });
      host = await makeUser(t);
      expect((await send('post', `/events/${event.id}/hosts`, { userId: host.id }, w.users.organiserA)).status).toBe(201);
      going = (await signUp(event.id, guest({ email: 'ana@example.org', phone: '+51911111111' }))).body.id;
      waiting = (await signUp(event.id)).body.id;
    });

    it('shows contact details to organisers with member-data access only', async () => {
      const organiser = await get(`/events/${event.id}/signups`, w.users.organiserA);
      expect(organiser.body.items.map((s: { id: string }) => s.id)).toEqual([going, waiting]);
      expect(organiser.body.items[0]).toMatchObject({ kind: 'guest', name: 'Rosa Quispe', email: 'ana@example.org', phone: '+51911111111', status: 'going' });
      const byHost = await get(`/events/${event.id}/signups`, host);
      expect(byHost.status).toBe(200);
      expect(byHost.body.items[0].name).toBe('Rosa Quispe');
      expect(byHost.body.items[0]).not.toHaveProperty('email');
      expect(byHost.body.items[0]).not.toHaveProperty('phone');
      expect((await get(`/events/${event.id}/signups?status=waitlisted`, w.users.organiserA)).body.items.map((s: { id: string }) => s.id)).toEqual([waiting]);
      expect((await get(`/events/${event.id}/signups`, w.users.adminB)).status).toBe(403); // sees the public event, may not handle it
      expect((await get(`/events/${event.id}/signups`, w.users.plain)).status).toBe(403);
    });

    it('lets a per-event host check people in, idempotently, but not edit this or any other event', async () => {
      const first = await send('post', `/events/${event.id}/signups/${going}/check-in`, undefined, host);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ status: 'attended', checkedInAt: expect.any(String) });
      const again = await send('post', `/events/${event.id}/signups/${going}/check-in`, undefined, host);
      expect(again.body.checkedInAt).toBe(first.body.checkedInAt);
      expect((await auditEntriesFor(t, going)).filter((a) => a.action === 'event_signup.check_in')).toHaveLength(1);
      expectProblem(await send('post', `/events/${event.id}/signups/${waiting}/check-in`, undefined, host), 409);

      expect((await send('patch', `/events/${event.id}`, { title: 'x' }, host)).status).toBe(403); // no event.manage anywhere
      expect((await send('post', `/events/${event.id}/hosts`, { userId: w.users.plain.id }, host)).status).toBe(403);
      expect((await get(`/events/${other.id}/signups`, host)).status).toBe(403);
      const otherSignup = (await signUp(other.id)).body.id;
      expect((await send('post', `/events/${other.id}/signups/${otherSignup}/check-in`, undefined, host)).status).toBe(403);
      expect((await send('post', `/events/${event.id}/signups/${otherSignup}/check-in`, undefined, host)).status).toBe(404);
    });

    it('marks no-shows and corrects them; a cancellation by an organiser promotes the next in line', async () => {
      const e = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      const a = (await signUp(e.id)).body.id;
      const b = (await signUp(e.id)).body.id;
      expect((await send('patch', `/events/${e.id}/signups/${a}`, { status: 'no_show' }, w.users.organiserA)).body.status).toBe('no_show');
      expect((await send('patch', `/events/${e.id}/signups/${a}`, { status: 'attended' }, w.users.organiserA)).body.status).toBe('attended');
      expectProblem(await send('patch', `/events/${e.id}/signups/${b}`, { status: 'attended' }, w.users.organiserA), 409);
      expectProblem(await send('patch', `/events/${e.id}/signups/${a}`, { status: 'going' }, w.users.organiserA), 400, 'status');
      const c = (await signUp(e.id)).body.id;
      await send('patch', `/events/${e.id}/signups/${b}`, { status: 'cancelled' }, w.users.organiserA);
      expect((await t.db.query('SELECT status FROM event_signups WHERE id = $1', [c]))[0].status).toBe('waitlisted'); // a waitlisted cancellation frees nothing
      expectProblem(await send('patch', `/events/${e.id}/signups/${a}`, { status: 'cancelled' }, w.users.organiserA), 409);
    });

    it('lists and revokes per-event hosts', async () => {
      expect((await get(`/events/${event.id}/hosts`, w.users.organiserA)).body).toEqual([expect.objectContaining({ userId: host.id, role: 'host', grantedBy: w.users.organiserA.id })]);
      expect((await send('post', `/events/${event.id}/hosts`, { userId: host.id }, w.users.organiserA)).status).toBe(201); // idempotent
      expectProblem(await send('post', `/events/${event.id}/hosts`, { userId: '00000000-0000-4000-8000-000000000000' }, w.users.organiserA), 400, 'userId');
      const extra = await makeUser(t);
      await send('post', `/events/${event.id}/hosts`, { userId: extra.id }, w.users.organiserA);
      expect((await send('delete', `/events/${event.id}/hosts/${extra.id}`, undefined, w.users.organiserA)).status).toBe(204);
      expect((await send('delete', `/events/${event.id}/hosts/${extra.id}`, undefined, w.users.organiserA)).status).toBe(404);
      expect((await get(`/events/${event.id}/signups`, extra)).status).toBe(403);
      expect((await auditEntriesFor(t, event.id)).map((a) => a.action)).toEqual(['event_role.grant', 'event_role.grant', 'event_role.revoke']);
    });

    it('lists a user’s own signups (none without a linked member)', async () => {
      expect((await get('/me/signups', w.users.plain)).body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('members', () => {
    /** A login linked to a member with an active membership of `org` (or none). */
    const memberUser = async (orgs: Parameters<typeof makeMember>[1], fields: Parameters<typeof makeMember>[2] = {}) => {
      const member = await makeMember(t, orgs, fields);
      const user = await makeUser(t);
      await linkMember(t, user, member);
      return { member, user };
    };

    it('see the members-only events of their organisations, of co-hosts and of their coalition — only while active', async () => {
      const ofA = await memberUser([w.A]);
      const ofB = await memberUser([w.B]);
      const lapsed = await memberUser([{ organisation: w.A, status: 'lapsed' }]);
      const ofP = await memberUser([w.P]); // a parent's member is not a member of the current
      const forA = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'members' });
      const coHostedByB = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'members', coHosts: [w.B] });
      const coalitionWide = await makeEvent(t, { coalitionId: w.C.id, visibility: 'members' });
      const privateOfA = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'private' });
      const sees = async (who: TestUser, e: Event) => (await get(`/events/${e.id}`, who)).status;
      expect(await Promise.all([forA, coHostedByB, coalitionWide, privateOfA].map((e) => sees(ofA.user, e)))).toEqual([200, 200, 200, 404]);
      expect(await Promise.all([forA, coHostedByB, coalitionWide, privateOfA].map((e) => sees(ofB.user, e)))).toEqual([404, 200, 200, 404]);
      expect(await Promise.all([forA, coHostedByB, coalitionWide].map((e) => sees(lapsed.user, e)))).toEqual([404, 404, 404]);
      expect(await Promise.all([forA, coHostedByB, coalitionWide].map((e) => sees(ofP.user, e)))).toEqual([404, 404, 404]);
      const listed = ids(await get('/events?limit=200', ofA.user));
      expect(listed).toEqual(expect.arrayContaining([forA.id, coHostedByB.id, coalitionWide.id]));
      expect(listed).not.toContain(privateOfA.id);
      expect(ids(await get('/events?limit=200', ofB.user))).not.toContain(forA.id);
      expect(ids(await get('/events?limit=200'))).not.toContain(forA.id);
    });

    it('sign up with their login alone, once, and see it in /me/signups and the attendees-only address', async () => {
      const { member, user } = await memberUser([w.A], { givenName: 'Teodora' });
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, visibility: 'members', addressVisibility: 'attendees', address: 'Local de la base', capacity: 10 });
      expect((await get(`/events/${event.id}`, user)).body.address).toBeNull();
      const res = await send('post', `/events/${event.id}/signups`, {}, user);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(String), eventId: event.id, shiftId: null, status: 'going', checkIn: CHECK_IN_CODE }); // no token: the login manages it
      expectProblem(await send('post', `/events/${event.id}/signups`, {}, user), 409);
      const page = await get(`/events/${event.id}`, user);
      expect(page.body).toMatchObject({ address: 'Local de la base', locationHidden: false, viewer: { signups: [{ id: res.body.id, status: 'going', shiftId: null }] } });
      expect((await get('/events?limit=200', user)).body.items.find((e: { id: string }) => e.id === event.id).address).toBe('Local de la base');
      const mine = await get('/me/signups', user);
      expect(mine.body.items).toEqual([expect.objectContaining({ id: res.body.id, status: 'going', event: expect.objectContaining({ id: event.id, address: 'Local de la base' }) })]);
      const [row] = await t.db.query('SELECT member_id, guest_email, source FROM event_signups WHERE id = $1', [res.body.id]);
      expect(row).toEqual({ member_id: member.id, guest_email: null, source: 'member' });
      expect((await auditEntriesFor(t, res.body.id))[0].changes).toMatchObject({ memberId: { to: member.id }, source: { to: 'member' } });

      // They cancel it themselves; nobody else but the organisers may.
      const other = await memberUser([w.A]);
      expect((await send('patch', `/events/${event.id}/signups/${res.body.id}`, { status: 'cancelled' }, other.user)).status).toBe(403);
      expect((await send('patch', `/events/${event.id}/signups/${res.body.id}`, { status: 'attended' }, user)).status).toBe(403);
      const cancelled = await send('patch', `/events/${event.id}/signups/${res.body.id}`, { status: 'cancelled' }, user);
      expect(cancelled.body.status).toBe('cancelled');
      expect((await send('post', `/events/${event.id}/signups`, {}, user)).status).toBe(201);
    });

    it('need a linked, not erased member to sign up without guest fields', async () => {
      const event = await makeEvent(t, { hostOrganisationId: w.A.id });
      const res = await send('post', `/events/${event.id}/signups`, {}, w.users.plain);
      expectProblem(res, 400, 'email');
      expect(res.body.detail).toContain('not linked to a member');
      const erased = await memberUser([w.A], { erasedAt: new Date(), email: null, givenName: 'Erased', familyName: 'Erased' });
      expectProblem(await send('post', `/events/${event.id}/signups`, {}, erased.user), 400, 'email');
      // A logged-in member may still sign someone else up as a guest.
      const member = await memberUser([w.A]);
      expect((await send('post', `/events/${event.id}/signups`, guest(), member.user)).body.manageToken).toEqual(expect.any(String));
    });

    it('show a member’s e-mail and phone only to member-data readers of the member’s own organisations', async () => {
      const joint = await makeEvent(t, { hostOrganisationId: w.A.id, coHosts: [w.B] });
      const ofA = await memberUser([w.A], { givenName: 'Ana', familyName: 'Mamani', phone: '+51933333333' });
      const ofB = await memberUser([w.B], { givenName: 'Beto', familyName: 'Huamán' });
      await send('post', `/events/${joint.id}/signups`, {}, ofA.user);
      await send('post', `/events/${joint.id}/signups`, {}, ofB.user);
      const byName = (res: request.Response) => Object.fromEntries(res.body.items.map((x: { name: string }) => [x.name, x]));
      const forA = byName(await get(`/events/${joint.id}/signups`, w.users.organiserA));
      expect(forA['Ana Mamani']).toMatchObject({ kind: 'member', email: ofA.member.email, phone: '+51933333333' });
      expect(forA['Beto Huamán']).not.toHaveProperty('email'); // B's member: not A's to read
      const forB = byName(await get(`/events/${joint.id}/signups`, w.users.adminB));
      expect(forB['Beto Huamán']).toMatchObject({ email: ofB.member.email });
      expect(forB['Ana Mamani']).not.toHaveProperty('email');
      const forPlatform = byName(await get(`/events/${joint.id}/signups`, w.users.platform));
      expect(forPlatform['Ana Mamani'].email).toBe(ofA.member.email);
    });
  });

  describe('a person’s data (hooks for the members module)', () => {
    const system = { user: null, requestId: 'test', ip: '127.0.0.1' };

    it('exports every signup held on an e-mail, and erasure removes the personal data, frees the seats and keeps the counts', async () => {
      const signups = t.app.get(SignupsService);
      const event = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      const other = await makeEvent(t, { hostOrganisationId: w.A.id });
      const email = `${unique('erase')}@example.org`;
      const seat = await signUp(event.id, guest({ email, phone: '+51922222222' }));
      const next = await signUp(event.id);
      await signUp(other.id, guest({ email: email.toUpperCase() }));

      const exported = await signups.exportFor(t.db.manager, { memberId: null, email });
      expect(exported.map((x) => [x.eventId, x.email, x.status])).toEqual([
        [event.id, email, 'going'],
        [other.id, email.toUpperCase(), 'going'],
      ]);

      // The erasure's own path (as the members module calls it), for a record holding no signups of its own: its address's guest signups.
      await t.db.transaction((em) => signups.erasePerson(em, system, { memberId: randomUUID(), emails: [email], controllerId: null }));
      expect(
        (
          await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'event_signup.erase' AND entity_id IN (SELECT id::text FROM event_signups WHERE event_id = ANY($1))`, [
            [event.id, other.id],
          ])
        )[0].n,
      ).toBe(2);
      const rows = await t.db.query(`SELECT guest_name, guest_email, guest_phone, manage_token_hash, status, erased_at FROM event_signups WHERE event_id = ANY($1) AND erased_at IS NOT NULL`, [
        [event.id, other.id],
      ]);
      expect(rows).toHaveLength(2);
      for (const r of rows) expect(r).toMatchObject({ guest_name: null, guest_email: null, guest_phone: null, manage_token_hash: null, status: 'cancelled' });
      expect(await t.db.query('SELECT status FROM event_signups WHERE id = $1', [next.body.id])).toEqual([{ status: 'going' }]);
      expect(await signups.exportFor(t.db.manager, { memberId: null, email })).toEqual([]);
      expectProblem(await send('post', '/signups/lookup', { token: seat.body.manageToken }), 404);
      expect(await t.db.query(`SELECT id FROM audit_log WHERE changes::text ILIKE $1`, [`%${email}%`])).toEqual([]);
      expect((await auditEntriesFor(t, seat.body.id)).map((a) => a.action)).toEqual(['event_signup.create', 'event_signup.cancel', 'event_signup.erase']);
      expect((await get(`/events/${event.id}`)).body.goingCount).toBe(1);
    });
  });

  describe('a member’s export and erasure (through the members module)', () => {
    it('export the signups the person holds, and erasure frees their seats and erases their guest signups', async () => {
      const member = await makeMember(t, [w.A], { givenName: 'Rosa', familyName: unique('Condori') });
      const user = await makeUser(t);
      await linkMember(t, user, member);
      const full = await makeEvent(t, { hostOrganisationId: w.A.id, capacity: 1 });
      const ofB = await makeEvent(t, { hostOrganisationId: w.B.id });
      const mine = (await send('post', `/events/${full.id}/signups`, {}, user)).body.id;
      const next = (await signUp(full.id)).body.id;
      const asGuest = (await signUp(ofB.id, guest({ email: member.email!.toUpperCase(), name: 'Rosa C.' }))).body.id;

      const own = await get('/me/export', user);
      expect(own.status).toBe(200);
      expect(own.body.members[0].eventSignups.map((x: { id: string }) => x.id)).toEqual([mine, asGuest]);
      // A's admin exports what A holds: the signup to A's event, not the one to B's.
      const byAdminA = await get(`/members/${member.id}/export`, w.users.adminA);
      expect(byAdminA.body.eventSignups.map((x: { id: string }) => x.id)).toEqual([mine]);

      // The person erases themselves: everything held on them goes, whoever holds it.
      expect((await send('post', '/me/erase', { password: PASSWORD }, user)).status).toBe(200);
      const rows = await t.db.query<{ id: string; status: string; guest_name: string | null; guest_email: string | null }[]>(
        'SELECT id, status, guest_name, guest_email FROM event_signups WHERE id = ANY($1)',
        [[mine, next, asGuest]],
      );
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId[mine].status).toBe('cancelled');
      expect(byId[next].status).toBe('going'); // the seat went to the next in line
      expect(byId[asGuest]).toMatchObject({ status: 'cancelled', guest_name: null, guest_email: null });
      expect(await t.db.query(`SELECT count(*)::int AS n FROM event_signups WHERE guest_email = $1 OR guest_name = 'Rosa C.'`, [member.email])).toEqual([{ n: 0 }]);
    });

    it('an organisation’s erasure of its record leaves guest signups to other data controllers’ events alone', async () => {
      const member = await makeMember(t, [w.A], { givenName: 'Elsa', familyName: unique('Mamani') });
      const ofA = await makeEvent(t, { hostOrganisationId: w.A.id });
      const ofB = await makeEvent(t, { hostOrganisationId: w.B.id });
      const inA = (await signUp(ofA.id, guest({ email: member.email!, name: 'Elsa M.' }))).body.id;
      const inB = (await signUp(ofB.id, guest({ email: member.email!, name: 'Elsa M.' }))).body.id;
      expect((await send('post', `/members/${member.id}/erase`, {}, w.users.adminP)).status).toBe(200);
      const rows = await t.db.query<{ id: string; status: string; guest_email: string | null }[]>('SELECT id, status, guest_email FROM event_signups WHERE id = ANY($1)', [[inA, inB]]);
      const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(byId[inA]).toMatchObject({ status: 'cancelled', guest_email: null });
      expect(byId[inB]).toMatchObject({ status: 'going', guest_email: member.email });
    });
  });

  describe('calendar feeds', () => {
    it('serve one event as valid iCalendar with its time zone', async () => {
      const event = await makeEvent(t, {
        hostOrganisationId: w.A.id,
        title: 'Asamblea; regional, abierta',
        description: 'Orden del día: balance, plan',
        startsAt: new Date('2027-01-15T20:00:00Z'),
        endsAt: new Date('2027-01-15T23:30:00Z'),
        venue: 'Plaza de Armas',
        locality: 'Cusco',
        lat: -13.5167,
        lng: -71.9781,
      });
      const res = await get(`/events/${event.id}/calendar.ics`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/calendar/);
      const cal = parseICalendar(res.text);
      const [vevent] = children(cal, 'VEVENT');
      expect(prop(vevent, 'DTSTART')).toEqual({ name: 'DTSTART', params: { TZID: 'America/Lima' }, value: '20270115T150000' });
      expect(instantOf(cal, prop(vevent, 'DTSTART')!).toISOString()).toBe('2027-01-15T20:00:00.000Z');
      expect(instantOf(cal, prop(vevent, 'DTEND')!).toISOString()).toBe('2027-01-15T23:30:00.000Z');
      expect(children(cal, 'VTIMEZONE').map((z) => prop(z, 'TZID')!.value)).toEqual(['America/Lima']);
      expect(prop(vevent, 'STATUS')!.value).toBe('CONFIRMED');
      expect(prop(vevent, 'SUMMARY')!.value).toBe('Asamblea\\; regional\\, abierta');
      expect(prop(vevent, 'URL')!.value).toBe(`https://convoca.example.org/e/${event.id}`);
      expect(prop(vevent, 'LOCATION')!.value).toContain('Plaza de Armas');
      expect(prop(vevent, 'GEO')!.value).toBe('-13.5167;-71.9781');
    });

    it('serve an organisation’s feed with each event in its own zone, cancelled ones as cancelled, nothing hidden', async () => {
      const org = await makeOrganisation(t);
      const lima = await makeEvent(t, { hostOrganisationId: org.id, startsAt: new Date('2027-07-01T15:00:00Z'), endsAt: new Date('2027-07-01T17:00:00Z') });
      // Madrid in summer is UTC+2: DST must be right in the VTIMEZONE.
      const madrid = await makeEvent(t, { hostOrganisationId: org.id, timezone: 'Europe/Madrid', startsAt: new Date('2027-07-02T17:00:00Z'), endsAt: new Date('2027-07-02T19:00:00Z') });
      const off = await makeEvent(t, { hostOrganisationId: org.id, startsAt: new Date('2027-07-03T15:00:00Z'), endsAt: new Date('2027-07-03T16:00:00Z') });
      expect((await send('post', `/events/${off.id}/cancel`, { reason: 'Lluvia' }, w.users.platform)).status).toBe(200);
      const notShown = [
        await makeEvent(t, { hostOrganisationId: org.id, visibility: 'members' }),
        await makeEvent(t, { hostOrganisationId: org.id, visibility: 'private' }),
        await makeEvent(t, { hostOrganisationId: org.id, status: 'draft' }),
        await makeEvent(t, { hostOrganisationId: org.id, status: 'cancelled', publishedAt: null }),
      ];
      const res = await get(`/calendar.ics?organisation=${org.slug}`);
      expect(res.status).toBe(200);
      const cal = parseICalendar(res.text);
      const events = children(cal, 'VEVENT');
      const uid = (e: Event) => `${e.id}@convoca`;
      expect(events.map((e) => prop(e, 'UID')!.value)).toEqual([uid(lima), uid(madrid), uid(off)]);
      for (const hidden of notShown) expect(res.text).not.toContain(hidden.id);
      expect(
        children(cal, 'VTIMEZONE')
          .map((z) => prop(z, 'TZID')!.value)
          .sort(),
      ).toEqual(['America/Lima', 'Europe/Madrid']);
      const [, inMadrid, cancelled] = events;
      expect(prop(inMadrid, 'DTSTART')).toEqual({ name: 'DTSTART', params: { TZID: 'Europe/Madrid' }, value: '20270702T190000' });
      expect(instantOf(cal, prop(inMadrid, 'DTSTART')!).toISOString()).toBe('2027-07-02T17:00:00.000Z');
      expect(prop(cancelled, 'STATUS')!.value).toBe('CANCELLED');
      expect(Number(prop(cancelled, 'SEQUENCE')!.value)).toBeGreaterThan(0);

      expect(parseICalendar((await get(`/calendar.ics?coalition=${w.C.slug}`)).text).name).toBe('VCALENDAR');
      expect(children(parseICalendar((await get('/calendar.ics?organisation=nobody-here')).text), 'VEVENT')).toEqual([]);
      expectProblem(await get('/calendar.ics?campaign=nope'), 400, 'campaign');
    });
  });
});
