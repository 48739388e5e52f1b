import request from 'supertest';

import type { Coalition } from '../src/coalitions/coalition.entity';
import type { Event } from '../src/events/event.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import { bootTestApp, type TestApp } from './support/app';
import { guest, makeCoalition, makeEvent, makeMember, makeOrganisation, makeUser, unique, type TestUser } from './support/world';

let ipSeq = 0;
/** Each signup from its own address (TRUST_PROXY is on): the per-address budget is not what is tested here. */
const nextIp = () => `10.52.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
/** An iCalendar text with its folded lines joined again (RFC 5545 §3.1). */
const unfold = (ics: string) => ics.replace(/\r\n[ \t]/g, '');

/**
 * Partners promote each other's events (issue 22), in the reference story:
 * Voces del Pueblo (VP) promotes Nuevo Perú's (NP) march; guests sign up
 * through VP's link; NP sees its signups attributed to VP; VP sees how many
 * came through it, never who; the "also join VP's list" box makes a record
 * in VP's data controller only.
 */
describe('promotion and attribution (issue 22)', () => {
  let t: TestApp;
  let VP: Organisation;
  let NP: Organisation;
  let SUMATE: Organisation;
  let other: Organisation;
  let VENCEREMOS: Coalition;
  let organiserVP: TestUser;
  let organiserNP: TestUser;
  let organiserOther: TestUser;
  let coordinator: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await bootTestApp({ env: { TRUST_PROXY: 'true' } });
    VP = await makeOrganisation(t, { slug: unique('voces'), name: 'Voces del Pueblo' });
    NP = await makeOrganisation(t, { slug: unique('nuevo-peru'), name: 'Nuevo Perú' });
    SUMATE = await makeOrganisation(t, { slug: unique('sumate'), name: 'SÚMATE', kind: 'current', parentId: NP.id });
    other = await makeOrganisation(t, { slug: unique('otra'), name: 'Otra Organización' });
    VENCEREMOS = await makeCoalition(t, [VP, NP], { slug: unique('venceremos'), name: 'VENCEREMOS' });
    organiserVP = await makeUser(t, [{ role: 'organiser', organisation: VP }]);
    organiserNP = await makeUser(t, [{ role: 'organiser', organisation: NP }]);
    organiserOther = await makeUser(t, [{ role: 'organiser', organisation: other }]);
    coordinator = await makeUser(t, [{ role: 'coordinator', coalition: VENCEREMOS }]);
    admin = await makeUser(t, [], { isPlatformAdmin: true });
  });
  afterAll(() => t.close());

  const march = (fields: Partial<Event> = {}) => makeEvent(t, { hostOrganisationId: NP.id, title: unique('Marcha por la voluntad popular'), capacity: 500, ...fields });
  const promote = (event: Event, by: TestUser, body: object) => request(t.http).post(`/api/v1/events/${event.id}/promotions`).set(by.auth).send(body);
  const signUp = (event: Event, body: object) => request(t.http).post(`/api/v1/events/${event.id}/signups`).set('X-Forwarded-For', nextIp()).send(body);
  const stats = (event: Event, by: TestUser) => request(t.http).get(`/api/v1/events/${event.id}/promotions/stats`).set(by.auth);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${sql}`, params))[0].n);
  /** The rows a signup or a promotion may write, everywhere. */
  const footprint = async () => ({
    promotions: await count('event_promotions'),
    signups: await count('event_signups'),
    members: await count('members'),
    memberships: await count('memberships'),
    consents: await count('member_consents'),
    outbox: await count('outbox_messages'),
    audit: await count('audit_log'),
  });

  describe('promoting', () => {
    it('VP’s organiser promotes NP’s public march: a short URL-safe ref, a link to share; promoting again answers the same', async () => {
      const event = await march();
      const res = await promote(event, organiserVP, { organisationId: VP.id });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        eventId: event.id,
        promoter: { kind: 'organisation', id: VP.id, slug: VP.slug, name: 'Voces del Pueblo' },
        ref: expect.stringMatching(/^[a-z2-9]{8}$/),
        url: `${t.config.publicUrl.replace(/\/$/, '')}/e/${event.id}?ref=${res.body.ref}`,
        status: 'active',
        createdBy: organiserVP.id,
        createdAt: expect.any(String),
        endedAt: null,
      });
      const again = await promote(event, organiserVP, { organisationId: VP.id });
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(res.body.id);
      expect(await count('event_promotions WHERE event_id = $1', [event.id])).toBe(1);
      // Recorded in the promoter's audit log.
      expect(await t.db.query(`SELECT action, organisation_id FROM audit_log WHERE entity_id = $1`, [res.body.id])).toEqual([{ action: 'event_promotion.create', organisation_id: VP.id }]);
    });

    it('never promotes a members-only or private event, a draft, a cancelled or ended one, or one’s own — and a refused request writes nothing', async () => {
      const members = await march({ visibility: 'members' });
      const hidden = await march({ visibility: 'private' });
      const draft = await march({ status: 'draft' });
      const cancelled = await march({ status: 'cancelled', cancelledAt: new Date() });
      const over = await march({ startsAt: new Date(Date.now() - 5 * 3600_000), endsAt: new Date(Date.now() - 3600_000) });
      const own = await march();
      const before = await footprint();
      // VP's organiser cannot see what is not public: the same 404 as an event that does not exist.
      for (const e of [members, hidden, draft]) expect((await promote(e, organiserVP, { organisationId: VP.id })).status).toBe(404);
      // Whoever can see them (a platform admin, acting for VP) is told why.
      expect((await promote(members, admin, { organisationId: VP.id })).body.code).toBe('not-public');
      expect((await promote(hidden, admin, { organisationId: VP.id })).body.code).toBe('not-public');
      expect((await promote(draft, admin, { organisationId: VP.id })).body.code).toBe('event-not-published');
      expect((await promote(cancelled, organiserVP, { organisationId: VP.id })).body.code).toBe('event-closed');
      expect((await promote(over, organiserVP, { organisationId: VP.id })).body.code).toBe('event-over');
      // NP's own event: it lists it already.
      const ownEvent = await promote(own, organiserNP, { organisationId: NP.id });
      expect(ownEvent.status).toBe(409);
      expect(ownEvent.body.code).toBe('own-event');
      // On behalf of an organisation the caller does not organise; neither or both promoters; an unknown one.
      expect((await promote(own, organiserVP, { organisationId: other.id })).status).toBe(403);
      expect((await promote(own, organiserVP, { coalitionId: VENCEREMOS.id })).status).toBe(403);
      expect((await promote(own, organiserVP, {})).status).toBe(400);
      expect((await promote(own, organiserVP, { organisationId: VP.id, coalitionId: VENCEREMOS.id })).status).toBe(400);
      expect((await promote(own, admin, { organisationId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
      expect(await footprint()).toEqual(before);
    });

    it('lets SÚMATE promote its parent’s event, and NP’s organiser see SÚMATE’s promotion as its manager', async () => {
      const organiserSumate = await makeUser(t, [{ role: 'organiser', organisation: SUMATE }]);
      const event = await march();
      // SÚMATE is NP's sub-organisation, but NP's event is not SÚMATE's: SÚMATE may promote it.
      expect((await promote(event, organiserSumate, { organisationId: SUMATE.id })).status).toBe(201);
      const list = await request(t.http).get(`/api/v1/events/${event.id}/promotions`).set(organiserNP.auth);
      expect(list.body.map((p: { promoter: { name: string } }) => p.promoter.name)).toEqual(['SÚMATE']);
    });

    it('lets a coalition’s coordinator promote a partner’s event for the coalition', async () => {
      const event = await march();
      const res = await promote(event, coordinator, { coalitionId: VENCEREMOS.id });
      expect(res.status).toBe(201);
      expect(res.body.promoter).toEqual({ kind: 'coalition', id: VENCEREMOS.id, slug: VENCEREMOS.slug, name: 'VENCEREMOS' });
      const listed = await request(t.http).get(`/api/v1/events?coalition=${VENCEREMOS.slug}&includePromoted=true&limit=100`);
      expect(listed.body.items.find((e: { id: string }) => e.id === event.id)).toMatchObject({ promotedBy: 'VENCEREMOS', promotionRef: res.body.ref });
      const page = await request(t.http).get(`/c/${VENCEREMOS.slug}`);
      expect(page.text).toContain(`href="/e/${event.id}?ref=${res.body.ref}"`);
    });
  });

  describe('where a promoted event appears', () => {
    let event: Event;
    let ref: string;
    beforeAll(async () => {
      event = await march({ startsAt: new Date(Date.now() + 400 * 86_400_000) });
      ref = (await promote(event, organiserVP, { organisationId: VP.id })).body.ref;
    });

    it('in GET /events?organisation=VP only with includePromoted=true, marked with the promoter and its ref', async () => {
      const plain = await request(t.http).get(`/api/v1/events?organisation=${VP.slug}&limit=100`);
      expect(plain.status).toBe(200);
      expect(plain.body.items.map((e: { id: string }) => e.id)).not.toContain(event.id);
      const all = await request(t.http).get(`/api/v1/events?organisation=${VP.slug}&includePromoted=true&limit=100`);
      const row = all.body.items.find((e: { id: string }) => e.id === event.id);
      expect(row).toMatchObject({ id: event.id, hostOrganisationId: NP.id, promotedBy: 'Voces del Pueblo', promotionRef: ref });
      // NP's own list shows it as its own: no mark.
      const np = await request(t.http).get(`/api/v1/events?organisation=${NP.slug}&includePromoted=true&limit=100`);
      const own = np.body.items.find((e: { id: string }) => e.id === event.id);
      expect(own).toBeDefined();
      expect(own.promotedBy).toBeUndefined();
      expect((await request(t.http).get(`/api/v1/events?organisation=${VP.slug}&includePromoted=maybe`)).status).toBe(400);
    });

    it('on VP’s page /o/{slug}, marked “Difundido por”, linked with VP’s ref', async () => {
      const es = await request(t.http).get(`/o/${VP.slug}`);
      expect(es.status).toBe(200);
      expect(es.text).toContain(`href="/e/${event.id}?ref=${ref}"`);
      expect(es.text).toContain('Difundido por Voces del Pueblo');
      const en = await request(t.http).get(`/o/${VP.slug}?lang=en`);
      expect(en.text).toContain('Promoted by Voces del Pueblo');
    });

    it('in VP’s calendar feed, marked and linked with the ref', async () => {
      const res = await request(t.http).get(`/api/v1/calendar.ics?organisation=${VP.slug}`);
      expect(res.status).toBe(200);
      const ics = unfold(res.text);
      expect(ics).toContain(`UID:${event.id}@convoca`);
      expect(ics).toContain(`/e/${event.id}?ref=${ref}`);
      expect(ics).toContain('Difundido por Voces del Pueblo');
    });

    it('nowhere once the event stops being public: its promotions end with it', async () => {
      const later = await march();
      const promotion = (await promote(later, organiserVP, { organisationId: VP.id })).body;
      const patch = await request(t.http).patch(`/api/v1/events/${later.id}`).set(organiserNP.auth).send({ visibility: 'members' });
      expect(patch.status).toBe(200);
      const [row] = await t.db.query(`SELECT status, ended_by FROM event_promotions WHERE id = $1`, [promotion.id]);
      expect(row).toEqual({ status: 'ended', ended_by: null });
      const all = await request(t.http).get(`/api/v1/events?organisation=${VP.slug}&includePromoted=true&limit=100`);
      expect(all.body.items.map((e: { id: string }) => e.id)).not.toContain(later.id);
      expect(unfold((await request(t.http).get(`/api/v1/calendar.ics?organisation=${VP.slug}`)).text)).not.toContain(later.id);
    });
  });

  describe('attribution', () => {
    let event: Event;
    let promotion: { id: string; ref: string };

    beforeAll(async () => {
      event = await march();
      promotion = (await promote(event, organiserVP, { organisationId: VP.id })).body;
    });

    it('records a guest’s signup through VP’s link on the page: the form carries the ref and the utm values', async () => {
      const page = await request(t.http).get(`/e/${event.id}?ref=${promotion.ref}&utm_source=whatsapp&utm_medium=social&utm_campaign=${'x'.repeat(150)}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<input type="hidden" name="ref" value="${promotion.ref}"/>`);
      expect(page.text).toContain('<input type="hidden" name="utm_source" value="whatsapp"/>');
      // Cut to the longest kept: the page never fails on a link's utm values.
      expect(page.text).toContain(`<input type="hidden" name="utm_campaign" value="${'x'.repeat(100)}"/>`);
      expect(page.text).toContain('Difundido por');
      // The join box: its own, unticked, naming VP.
      expect(page.text).toContain('También quiero unirme a la lista de Voces del Pueblo');
      expect(page.text).toMatch(/<input type="checkbox" id="f-joinPromoter" name="joinPromoter" value="yes" aria-describedby/);

      const email = `${unique('pagina')}@example.org`;
      const res = await request(t.http)
        .post(`/e/${event.id}`)
        .set('X-Forwarded-For', nextIp())
        .set('Sec-Fetch-Site', 'same-origin')
        .type('form')
        .send({ _csrf: csrfOf(page.text), name: 'Lucía Quispe', email, consent: 'yes', ref: promotion.ref, utm_source: 'whatsapp', utm_medium: 'social', utm_campaign: 'x'.repeat(100) });
      expect(res.status).toBe(200);
      expect(res.text).toContain('data-status="going"');
      const [row] = await t.db.query(`SELECT promoted_by, utm_source, utm_medium, utm_campaign FROM event_signups WHERE guest_email = $1`, [email]);
      expect(row).toEqual({ promoted_by: promotion.id, utm_source: 'whatsapp', utm_medium: 'social', utm_campaign: 'x'.repeat(100) });
      // The box was not ticked: VP holds nothing of her.
      expect(await count('members WHERE email = $1', [email])).toBe(0);
    });

    it('records a signup through the API with ref, a logged-in member’s too; NP’s organiser sees it attributed to VP', async () => {
      const email = `${unique('api')}@example.org`;
      const res = await signUp(event, guest({ name: 'Rosa Quispe', email, ref: promotion.ref.toUpperCase(), utmSource: 'telegram' }));
      expect(res.status).toBe(201);
      const list = await request(t.http).get(`/api/v1/events/${event.id}/signups?limit=100`).set(organiserNP.auth);
      const mine = list.body.items.find((s: { id: string }) => s.id === res.body.id);
      expect(mine).toMatchObject({ name: 'Rosa Quispe', promotionId: promotion.id, promotedBy: 'Voces del Pueblo', utmSource: 'telegram', utmMedium: null });
      // A logged-in member's one-button signup carries the ref too.
      const member = await makeUser(t);
      const record = await makeMember(t, [SUMATE]);
      await t.db.query('INSERT INTO member_logins (member_id, user_id, controller_id) VALUES ($1, $2, $3)', [record.id, member.id, NP.id]);
      const own = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set('X-Forwarded-For', nextIp()).set(member.auth).send({ ref: promotion.ref });
      expect(own.status).toBe(201);
      expect(await t.db.query(`SELECT member_id, promoted_by FROM event_signups WHERE id = $1`, [own.body.id])).toEqual([{ member_id: record.id, promoted_by: promotion.id }]);
    });

    it('shows NP’s managers every promoter with exact counts, and VP only its own, suppressed — never a name or an e-mail', async () => {
      const e = await march();
      const vp = (await promote(e, organiserVP, { organisationId: VP.id })).body;
      const sumate = (await promote(e, await makeUser(t, [{ role: 'organiser', organisation: SUMATE }]), { organisationId: SUMATE.id })).body;
      const emails: string[] = [];
      for (let i = 0; i < 3; i++) {
        emails.push(`${unique('ref')}@example.org`);
        expect((await signUp(e, guest({ name: `Persona Referida ${i}`, email: emails[i], ref: vp.ref }))).status).toBe(201);
      }
      expect((await signUp(e, guest({ ref: sumate.ref }))).status).toBe(201);
      expect((await signUp(e, guest())).status).toBe(201);

      const host = await stats(e, organiserNP);
      expect(host.status).toBe(200);
      expect(host.body).toEqual({
        eventId: e.id,
        exact: true,
        suppressionThreshold: 5,
        promoters: [
          { promoter: { kind: 'organisation', id: SUMATE.id, slug: SUMATE.slug, name: 'SÚMATE' }, signups: 1, going: 1, waitlisted: 0, attended: 0, noShow: 0 },
          { promoter: { kind: 'organisation', id: VP.id, slug: VP.slug, name: 'Voces del Pueblo' }, signups: 3, going: 3, waitlisted: 0, attended: 0, noShow: 0 },
        ],
      });

      // VP: its own three referrals, under 5 — "<5" everywhere; SÚMATE is not VP's business.
      const promoter = await stats(e, organiserVP);
      expect(promoter.status).toBe(200);
      expect(promoter.body).toEqual({
        eventId: e.id,
        exact: false,
        suppressionThreshold: 5,
        promoters: [{ promoter: { kind: 'organisation', id: VP.id, slug: VP.slug, name: 'Voces del Pueblo' }, signups: '<5', going: '<5', waitlisted: '<5', attended: '<5', noShow: '<5' }],
      });
      for (const leak of [...emails, 'Persona Referida']) expect(JSON.stringify(promoter.body)).not.toContain(leak);
      // Nor the people through any other route: VP does not handle NP's signups.
      expect((await request(t.http).get(`/api/v1/events/${e.id}/signups`).set(organiserVP.auth)).status).toBe(403);
      // Its own promotion only.
      const list = await request(t.http).get(`/api/v1/events/${e.id}/promotions`).set(organiserVP.auth);
      expect(list.body.map((p: { id: string }) => p.id)).toEqual([vp.id]);
      // A third organisation's organiser promotes nothing here: nothing to see.
      expect((await stats(e, organiserOther)).body.promoters).toEqual([]);
      expect((await request(t.http).get(`/api/v1/events/${e.id}/promotions`).set(organiserOther.auth)).body).toEqual([]);

      // Three more, one checked in: 6 referrals, 5 going and 1 attended. Shown as going 5 and the rest "<5", the three small ones would add up to 6 − 5 = 1: going is withheld too.
      for (let i = 0; i < 3; i++) expect((await signUp(e, guest({ ref: vp.ref }))).status).toBe(201);
      const [first] = await t.db.query<{ id: string }[]>(`SELECT id FROM event_signups WHERE guest_email = $1`, [emails[0]]);
      expect((await request(t.http).post(`/api/v1/events/${e.id}/signups/${first.id}/check-in`).set(organiserNP.auth)).status).toBe(200);
      const six = (await stats(e, organiserVP)).body.promoters[0];
      expect(six).toEqual({ promoter: expect.objectContaining({ id: VP.id }), signups: 6, going: 'suppressed', waitlisted: '<5', attended: '<5', noShow: '<5' });
      expect((await stats(e, organiserNP)).body.promoters[1]).toMatchObject({ signups: 6, going: 5, attended: 1 });
    });

    it('records nothing for a ref of an ended promotion, of another event, or a made-up one — and answers exactly as without', async () => {
      const e = await march();
      const ended = (await promote(e, organiserVP, { organisationId: VP.id })).body;
      expect((await request(t.http).delete(`/api/v1/events/${e.id}/promotions/${ended.id}`).set(organiserVP.auth)).status).toBe(204);
      const elsewhere = (await promote(await march(), organiserVP, { organisationId: VP.id })).body;
      const answers = [];
      for (const ref of [ended.ref, elsewhere.ref, 'zzzzzzzz', 'no es un ref!', undefined]) {
        const res = await signUp(e, guest(ref === undefined ? {} : { ref }));
        expect(res.status).toBe(201);
        answers.push(Object.keys(res.body).sort());
      }
      expect(new Set(answers.map((a) => a.join())).size).toBe(1);
      expect(await count('event_signups WHERE event_id = $1 AND promoted_by IS NOT NULL', [e.id])).toBe(0);
      // An ended promotion's page is the plain page: no "promoted by", no box, no ref carried.
      const page = await request(t.http).get(`/e/${e.id}?ref=${ended.ref}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('name="ref"');
      expect(page.text).not.toContain('joinPromoter');
      expect(page.text).not.toContain('Difundido por');
    });

    it('keeps the signups an ended promotion brought, and counts them still', async () => {
      const e = await march();
      const p = (await promote(e, organiserVP, { organisationId: VP.id })).body;
      expect((await signUp(e, guest({ ref: p.ref }))).status).toBe(201);
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${p.id}`).set(organiserNP.auth).send({ status: 'ended' })).body.status).toBe('ended');
      expect((await stats(e, organiserNP)).body.promoters[0]).toMatchObject({ signups: 1 });
    });
  });

  describe('ending and refusing', () => {
    it('lets the host refuse, and then VP cannot promote the event again; after an end, it can — with a new ref', async () => {
      const e = await march();
      const first = (await promote(e, organiserVP, { organisationId: VP.id })).body;
      // The promoter ends its own, and promotes again: a new ref.
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${first.id}`).set(organiserVP.auth).send({ status: 'ended' })).body.status).toBe('ended');
      const second = (await promote(e, organiserVP, { organisationId: VP.id })).body;
      expect(second.status).toBe('active');
      expect(second.ref).not.toBe(first.ref);
      // The promoter may not refuse; a third organisation does not see the promotion.
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserVP.auth).send({ status: 'refused' })).status).toBe(403);
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserOther.auth).send({ status: 'ended' })).status).toBe(404);
      expect((await request(t.http).delete(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserOther.auth)).status).toBe(404);
      // The host refuses: final.
      const refused = await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserNP.auth).send({ status: 'refused' });
      expect(refused.status).toBe(200);
      expect(refused.body).toMatchObject({ status: 'refused', endedAt: expect.any(String) });
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserNP.auth).send({ status: 'ended' })).body.code).toBe('invalid-transition');
      const before = await footprint();
      const again = await promote(e, organiserVP, { organisationId: VP.id });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('promotion-refused');
      expect(await footprint()).toEqual(before);
      // Deleting what has stopped changes nothing.
      expect((await request(t.http).delete(`/api/v1/events/${e.id}/promotions/${second.id}`).set(organiserNP.auth)).status).toBe(204);
      expect(await footprint()).toEqual(before);
      // The host turns an ended promotion into a refusal too.
      expect((await request(t.http).patch(`/api/v1/events/${e.id}/promotions/${first.id}`).set(organiserNP.auth).send({ status: 'refused' })).body.status).toBe('refused');
      expect(await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [second.id])).toEqual([{ action: 'event_promotion.create' }, { action: 'event_promotion.refuse' }]);
    });
  });

  describe('also joining the promoter’s list', () => {
    let event: Event;
    let promotion: { id: string; ref: string };

    beforeAll(async () => {
      event = await march();
      promotion = (await promote(event, organiserVP, { organisationId: VP.id })).body;
    });

    it('makes the person’s own record in VP’s controller only, with an application and the consent and its notice version; NP’s record is untouched and unlinked', async () => {
      const email = `${unique('ambas')}@example.org`;
      // NP already knows her: a member of NP.
      const npRecord = await makeMember(t, [NP], { givenName: 'Juana', familyName: 'Huamán Rojas', email, phone: '+51911111111' });
      const [npBefore] = await t.db.query(`SELECT * FROM members WHERE id = $1`, [npRecord.id]);
      const npMemberships = await count('memberships WHERE member_id = $1', [npRecord.id]);

      const res = await signUp(event, guest({ name: 'Juana Huamán Rojas', email, phone: '+51987654321', ref: promotion.ref, joinPromoter: true, joinNoticeVersion: '2026-12', locale: 'en' }));
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('going');

      const records = await t.db.query<{ id: string; controller_id: string; given_name: string; family_name: string; phone: string; preferred_language: string }[]>(
        `SELECT id, controller_id, given_name, family_name, phone, preferred_language FROM members WHERE email = $1 ORDER BY controller_id = $2`,
        [email, VP.id],
      );
      expect(records).toHaveLength(2);
      const [np, vp] = records;
      expect(np.id).toBe(npRecord.id);
      expect(vp).toMatchObject({ controller_id: VP.id, given_name: 'Juana', family_name: 'Huamán Rojas', phone: '+51987654321', preferred_language: 'en' });
      expect(await t.db.query(`SELECT organisation_id, status, source FROM memberships WHERE member_id = $1`, [vp.id])).toEqual([{ organisation_id: VP.id, status: 'applied', source: 'form' }]);
      expect(await t.db.query(`SELECT organisation_id, notice_version, data_processing, contact_by_email, source FROM member_consents WHERE member_id = $1`, [vp.id])).toEqual([
        { organisation_id: VP.id, notice_version: '2026-12', data_processing: true, contact_by_email: false, source: 'form' },
      ]);
      // NP's record: as it was, no new membership, no login, no signup on it (the signup is a guest's).
      expect((await t.db.query(`SELECT * FROM members WHERE id = $1`, [npRecord.id]))[0]).toEqual(npBefore);
      expect(await count('memberships WHERE member_id = $1', [npRecord.id])).toBe(npMemberships);
      expect(await count('event_signups WHERE member_id = ANY($1::uuid[])', [[np.id, vp.id]])).toBe(0);
      // The signup row says nothing of the box; VP's audit entries are VP's, NP's log has none of them.
      const [signup] = await t.db.query(`SELECT * FROM event_signups WHERE id = $1`, [res.body.id]);
      expect(signup).toMatchObject({ member_id: null, promoted_by: promotion.id });
      expect(await count(`audit_log WHERE action = 'event_promotion.join_list' AND entity_id = $1 AND organisation_id = $2`, [promotion.id, VP.id])).toBe(1);
      expect(await count(`audit_log WHERE organisation_id = $1 AND entity = 'member'`, [NP.id])).toBe(0);
      // VP's organisers find her application; NP's do not see VP's record.
      const queue = await request(t.http).get(`/api/v1/organisations/${VP.id}/memberships?status=applied`).set(organiserVP.auth);
      expect(queue.body.items.map((m: { memberId: string }) => m.memberId)).toContain(vp.id);
      expect((await request(t.http).get(`/api/v1/members/${vp.id}`).set(organiserNP.auth)).status).toBe(404);
    });

    it('answers the same whether VP knew the person or not, and leaves a known VP record’s data as it was', async () => {
      const known = `${unique('conocida')}@example.org`;
      const unknown = `${unique('nueva')}@example.org`;
      const vpRecord = await makeMember(t, [VP], { givenName: 'Ana', familyName: 'Flores', email: known, phone: null });
      const answers = [];
      for (const email of [known, unknown]) {
        const res = await signUp(event, guest({ name: 'Otra Persona', email, phone: '+51922222222', ref: promotion.ref, joinPromoter: true }));
        expect(res.status).toBe(201);
        answers.push({ status: res.body.status, keys: Object.keys(res.body).sort() });
      }
      expect(answers[0]).toEqual(answers[1]);
      // Known: the record keeps its own data (anybody can type anybody's e-mail); it gets the application and the consent.
      expect((await t.db.query(`SELECT given_name, family_name, phone FROM members WHERE id = $1`, [vpRecord.id]))[0]).toEqual({ given_name: 'Ana', family_name: 'Flores', phone: null });
      expect(await count(`memberships WHERE member_id = $1 AND status = 'applied'`, [vpRecord.id])).toBe(0); // already an active member: no application
      expect(await count('member_consents WHERE member_id = $1 AND organisation_id = $2', [vpRecord.id, VP.id])).toBe(1);
      expect(await count('members WHERE email = $1 AND controller_id = $2', [unknown, VP.id])).toBe(1);
    });

    it('through the page: ticking the box does the same (unticked, nothing: see above)', async () => {
      const page = await request(t.http).get(`/e/${event.id}?ref=${promotion.ref}`);
      expect(page.text).toContain('<input type="hidden" name="joinNoticeVersion" value="2026-12"/>');
      const email = `${unique('casilla')}@example.org`;
      const post = (fields: Record<string, string>) =>
        request(t.http)
          .post(`/e/${event.id}`)
          .set('X-Forwarded-For', nextIp())
          .set('Sec-Fetch-Site', 'same-origin')
          .type('form')
          .send({ _csrf: csrfOf(page.text), name: 'Carmen Sulca', consent: 'yes', ref: promotion.ref, joinNoticeVersion: '2026-12', ...fields });
      expect((await post({ email, joinPromoter: 'yes' })).text).toContain('data-status="going"');
      expect(await t.db.query(`SELECT controller_id, given_name, family_name FROM members WHERE email = $1`, [email])).toEqual([{ controller_id: VP.id, given_name: 'Carmen', family_name: 'Sulca' }]);
    });

    it('writes nothing at all when the signup is refused (a duplicate), and asks for a guest’s own details', async () => {
      const email = `${unique('doble')}@example.org`;
      expect((await signUp(event, guest({ email }))).status).toBe(201);
      const before = await footprint();
      const dup = await signUp(event, guest({ email, ref: promotion.ref, joinPromoter: true }));
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('already-signed-up');
      expect(await footprint()).toEqual(before);
      expect(await count('members WHERE email = $1', [email])).toBe(0);

      // Signups closed: the signup is refused, and the join with it.
      const closed = await march({ signupDeadline: new Date(Date.now() - 60_000) });
      const { ref } = (await promote(closed, organiserVP, { organisationId: VP.id })).body;
      const before2 = await footprint();
      expect((await signUp(closed, guest({ ref, joinPromoter: true }))).status).toBe(409);
      expect(await footprint()).toEqual(before2);

      // joinPromoter is for a guest's signup with a ref: a member's one-button signup, or no ref, is a 400 (whatever the ref).
      const member = await makeUser(t);
      const record = await makeMember(t, [NP]);
      await t.db.query('INSERT INTO member_logins (member_id, user_id, controller_id) VALUES ($1, $2, $3)', [record.id, member.id, NP.id]);
      const before3 = await footprint();
      const memberJoin = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set('X-Forwarded-For', nextIp()).set(member.auth).send({ ref: promotion.ref, joinPromoter: true });
      expect(memberJoin.status).toBe(400);
      expect((await signUp(event, guest({ joinPromoter: true }))).status).toBe(400);
      expect(await footprint()).toEqual(before3);
    });

    it('offers no box for a coalition’s link (a coalition holds no member records), and does nothing if asked', async () => {
      const e = await march();
      const byCoalition = (await promote(e, coordinator, { coalitionId: VENCEREMOS.id })).body;
      const page = await request(t.http).get(`/e/${e.id}?ref=${byCoalition.ref}`);
      expect(page.text).toContain(`name="ref" value="${byCoalition.ref}"`);
      expect(page.text).not.toContain('joinPromoter');
      const email = `${unique('coalicion')}@example.org`;
      const before = await count('members');
      expect((await signUp(e, guest({ email, ref: byCoalition.ref, joinPromoter: true }))).status).toBe(201);
      expect(await count('members')).toBe(before);
      expect(await count('event_signups WHERE guest_email = $1 AND promoted_by = $2', [email, byCoalition.id])).toBe(1);
    });
  });
});
