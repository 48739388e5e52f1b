import request from 'supertest';

import type { Event } from '../src/events/event.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import { bootTestApp, type TestApp } from './support/app';
import { buildWorld, makeCoalition, makeDemand, makeEvent, makeOrganisation, makeUser, unique, type World } from './support/world';

/** The radius of the sphere earthdistance measures on (its earth(), metres). */
const EARTH_M = 6378168;
const rad = (deg: number) => (deg * Math.PI) / 180;
const deg = (r: number) => (r * 180) / Math.PI;

/** The point `metres` away from (lat, lng) on the great circle leaving it at `bearing` degrees (0 = north, 90 = east). */
function destination(lat: number, lng: number, metres: number, bearing: number): { lat: number; lng: number } {
  const d = metres / EARTH_M;
  const [φ1, λ1, θ] = [rad(lat), rad(lng), rad(bearing)];
  const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
  const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
  return { lat: deg(φ2), lng: deg(λ2) };
}

/** Plaza de Armas, Lima. */
const CENTRE = { lat: -12.0464, lng: -77.0428 };

/** The event links of a page, in page order. */
const eventLinks = (html: string) => [...html.matchAll(/href="\/e\/([0-9a-f-]{36})[?"]/g)].map((m) => m[1]);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const frameAncestors = (csp: string) => /frame-ancestors ([^;]+)/.exec(csp)![1];

describe('public pages of organisations and coalitions (issue 20)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  describe('the organisation page', () => {
    it('lists the upcoming public events of the organisation and its sub-organisations, nothing else', async () => {
      const P = await makeOrganisation(t, { name: 'Nuevo Perú', description: 'Partido de izquierda.\n\nSomos muchas.' });
      const A = await makeOrganisation(t, { name: 'Corriente Sur', kind: 'current', parentId: P.id });
      const other = await makeOrganisation(t);
      const shown = [
        await makeEvent(t, { hostOrganisationId: P.id, startsAt: new Date(Date.now() + 86_400_000) }),
        await makeEvent(t, { hostOrganisationId: A.id, startsAt: new Date(Date.now() + 2 * 86_400_000) }),
        // Co-hosted by a sub-organisation.
        await makeEvent(t, { hostOrganisationId: other.id, coHosts: [A], startsAt: new Date(Date.now() + 3 * 86_400_000) }),
      ];
      const hidden = [
        await makeEvent(t, { hostOrganisationId: P.id, visibility: 'members' }),
        await makeEvent(t, { hostOrganisationId: P.id, visibility: 'private' }),
        await makeEvent(t, { hostOrganisationId: P.id, status: 'draft' }),
        await makeEvent(t, { hostOrganisationId: P.id, startsAt: new Date(Date.now() - 86_400_000) }),
        await makeEvent(t, { hostOrganisationId: other.id }),
      ];

      const res = await request(t.http).get(`/o/${P.slug}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=60');
      expect(frameAncestors(res.headers['content-security-policy'])).toBe("'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toContain('<h1>Nuevo Perú</h1>');
      expect(res.text).toContain('<p>Somos muchas.</p>');
      // In start order.
      expect(eventLinks(res.text)).toEqual(shown.map((e) => e.id));
      for (const e of hidden) expect(res.text).not.toContain(e.id);
      expect(res.text).toContain(`href="/o/${P.slug}/join"`);
      expect(res.text).toContain(`href="/o/${A.slug}"`);

      // The sub-organisation's own page: its events only, and where it belongs.
      const sub = await request(t.http).get(`/o/${A.slug}?lang=en`);
      expect(eventLinks(sub.text)).toEqual(shown.slice(1).map((e) => e.id));
      expect(sub.text).toContain('Part of');
      expect(sub.text).toContain(`href="/o/${P.slug}?lang=en"`);
    });

    it('is 404 for an unknown or external organisation, and for an id instead of the slug', async () => {
      const external = await makeOrganisation(t, { external: true });
      for (const path of [`/o/${unique('nobody')}`, `/o/${external.slug}`, `/o/${external.slug}/join`, `/o/${w.P.id}`, '/o/Not_A_Slug']) {
        const res = await request(t.http).get(path);
        expect(`${path} ${res.status}`).toBe(`${path} 404`);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      }
    });

    it('filters by region and kind with a plain form, and pages with the list’s cursor', async () => {
      const org = await makeOrganisation(t);
      const cusco = await makeEvent(t, { hostOrganisationId: org.id, region: 'Cusco', kind: 'march' });
      const lima = await makeEvent(t, { hostOrganisationId: org.id, region: 'Lima', kind: 'march' });
      const rally = await makeEvent(t, { hostOrganisationId: org.id, region: 'Cusco', kind: 'rally' });

      const page = await request(t.http).get(`/o/${org.slug}`);
      expect(page.text).toMatch(/<form method="get" action="\/o\/[^"]+" role="search"/);
      // The region choices: the regions of its upcoming events.
      // (An empty value is written as a bare `value`.)
      expect([...page.text.matchAll(/<option value(?:="([^"]*)")?/g)].map((m) => m[1] ?? '').slice(0, 3)).toEqual(['', 'Cusco', 'Lima']);

      expect(eventLinks((await request(t.http).get(`/o/${org.slug}?region=Cusco`)).text)).toEqual([cusco.id, rally.id]);
      expect(eventLinks((await request(t.http).get(`/o/${org.slug}?kind=march`)).text)).toEqual([cusco.id, lima.id]);
      const both = await request(t.http).get(`/o/${org.slug}?region=Cusco&kind=march&lat=&lng=&radiusKm=`);
      expect(eventLinks(both.text)).toEqual([cusco.id]);
      expect(both.text).toContain('<option value="Cusco" selected');
      expect(eventLinks((await request(t.http).get(`/o/${org.slug}?region=Arequipa`)).text)).toEqual([]);

      const wrong = await request(t.http).get(`/o/${org.slug}?kind=picnic`);
      expect(wrong.status).toBe(400);
      expect(wrong.headers['cache-control']).toBe('no-store');
      expect(wrong.text).toContain('id="f-kind-error"');

      // 21 vigils: a page of 20, then the "more" link (keeping the filter) with the last one.
      const vigils: Event[] = [];
      for (let i = 0; i < 21; i++) vigils.push(await makeEvent(t, { hostOrganisationId: org.id, kind: 'vigil', startsAt: new Date(Date.now() + (10 + i) * 86_400_000) }));
      const first = await request(t.http).get(`/o/${org.slug}?kind=vigil`);
      expect(eventLinks(first.text)).toEqual(vigils.slice(0, 20).map((e) => e.id));
      const more = /<a href="([^"]+)" rel="next">/.exec(first.text)![1].replace(/&amp;/g, '&');
      expect(more).toMatch(new RegExp(`^/o/${org.slug}\\?kind=vigil&cursor=`));
      const second = await request(t.http).get(more);
      expect(eventLinks(second.text)).toEqual([vigils[20].id]);
      expect(second.text).not.toContain('rel="next"');
      expect((await request(t.http).get(`/o/${org.slug}?cursor=bm90LWEtY3Vyc29y`)).status).toBe(404);
    });
  });

  describe('near a point', () => {
    let org: Organisation;
    let inside: Event[];

    beforeAll(async () => {
      org = await makeOrganisation(t);
      const at = (metres: number, bearing: number, fields: Partial<Event> = {}) => makeEvent(t, { hostOrganisationId: org.id, ...destination(CENTRE.lat, CENTRE.lng, metres, bearing), ...fields });
      let day = 1;
      const next = () => ({ startsAt: new Date(Date.now() + day++ * 86_400_000) });
      inside = [await at(0, 0, next()), await at(9_900, 0, next()), await at(9_950, 90, next()), await at(9_900, 225, next())];
      // Just outside, all around; far away; no coordinates; and one whose address only attendees may know.
      await at(10_100, 180, next());
      await at(10_050, 270, next());
      await at(10_100, 45, next());
      await makeEvent(t, { hostOrganisationId: org.id, lat: -13.5319, lng: -71.9675, ...next() });
      await makeEvent(t, { hostOrganisationId: org.id, lat: null, lng: null, ...next() });
      await makeEvent(t, { hostOrganisationId: org.id, lat: null, lng: CENTRE.lng, ...next() });
      await at(1_000, 10, { addressVisibility: 'attendees', ...next() });
    });

    it('on the API: exactly the events inside the radius, in start order, kept in keyset pages', async () => {
      const near = `${CENTRE.lat},${CENTRE.lng}`;
      const res = await request(t.http).get('/api/v1/events').query({ organisation: org.slug, near, radiusKm: 10 });
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { id: string }) => e.id)).toEqual(inside.map((e) => e.id));

      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await request(t.http)
          .get('/api/v1/events')
          .query({ organisation: org.slug, near, radiusKm: 10, limit: 3, ...(cursor ? { cursor } : {}) });
        ids.push(...page.body.items.map((e: { id: string }) => e.id));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(ids).toEqual(inside.map((e) => e.id));

      // A wider circle takes the ring just outside (and the hidden one stays out for an anonymous caller).
      const wide = await request(t.http).get('/api/v1/events').query({ organisation: org.slug, near, radiusKm: 10.2 });
      expect(wide.body.items).toHaveLength(7);
    });

    it('on the API: a bad point or radius, or one without the other, is a 400 problem', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ near: '-91,0', radiusKm: '5' }, 'near'],
        [{ near: '0,180.5', radiusKm: '5' }, 'near'],
        [{ near: 'lima', radiusKm: '5' }, 'near'],
        [{ near: '-12.05;-77.04', radiusKm: '5' }, 'near'],
        [{ near: '-12.05,-77.04', radiusKm: '0' }, 'radiusKm'],
        [{ near: '-12.05,-77.04', radiusKm: '-3' }, 'radiusKm'],
        [{ near: '-12.05,-77.04', radiusKm: '500.5' }, 'radiusKm'],
        [{ near: '-12.05,-77.04', radiusKm: 'ten' }, 'radiusKm'],
        [{ near: '-12.05,-77.04' }, 'radiusKm'],
        [{ radiusKm: '5' }, 'near'],
      ];
      for (const [query, field] of cases) {
        const res = await request(t.http).get('/api/v1/events').query(query);
        expect(`${JSON.stringify(query)} ${res.status}`).toBe(`${JSON.stringify(query)} 400`);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code ?? res.body.type).toBeDefined();
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect((await request(t.http).get('/api/v1/events').query({ near: '90,-180', radiusKm: '500' })).status).toBe(200);
    });

    it('on the organisation page: the same events, from the form’s two numbers or from near=', async () => {
      const form = await request(t.http)
        .get(`/o/${org.slug}`)
        .query({ lat: String(CENTRE.lat), lng: String(CENTRE.lng), radiusKm: '10' });
      expect(form.status).toBe(200);
      expect(eventLinks(form.text)).toEqual(inside.map((e) => e.id));
      expect(form.text).toContain(`value="${CENTRE.lat}"`);
      const link = await request(t.http)
        .get(`/o/${org.slug}`)
        .query({ near: `${CENTRE.lat},${CENTRE.lng}`, radiusKm: '10' });
      expect(eventLinks(link.text)).toEqual(inside.map((e) => e.id));

      for (const query of [{ lat: '-95', lng: '-77', radiusKm: '10' }, { lat: '-12', radiusKm: '10' }, { lat: '-12', lng: '-77' }, { radiusKm: '10' }, { lat: '-12', lng: '-77', radiusKm: '900' }]) {
        const res = await request(t.http).get(`/o/${org.slug}`).query(query);
        expect(`${JSON.stringify(query)} ${res.status}`).toBe(`${JSON.stringify(query)} 400`);
        expect(res.text).toContain('id="near-error"');
        expect(eventLinks(res.text)).toEqual([]);
      }
    });

    it('uses the GiST index for the circle', async () => {
      const [{ indexdef }] = await t.db.query<{ indexdef: string }[]>(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_events_earth'`);
      expect(indexdef).toMatch(/USING gist \(event_earth\(lat, lng\)\) WHERE \(\(lat IS NOT NULL\) AND \(lng IS NOT NULL\)\)/);
      // event_earth is ll_to_earth, point for point.
      const [same] = await t.db.query<{ same: boolean }[]>(`SELECT event_earth($1, $2)::text = ll_to_earth($1, $2)::text AS same`, [CENTRE.lat, CENTRE.lng]);
      expect(same.same).toBe(true);
      // And evaluable where autovacuum and pg_restore evaluate it: with an empty search_path (ll_to_earth of earthdistance 1.1 is not).
      await t.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL search_path = ''`);
        await tx.query(`SELECT public.event_earth(-12.0, -77.0)`);
      });
      // With sequential scans priced out, the plan of the list's predicate reaches the index (the plans on a seeded set: the commit message).
      const plan = await t.db.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        const rows = await tx.query<{ 'QUERY PLAN': string }[]>(
          `EXPLAIN SELECT e.id FROM events e WHERE e.lat IS NOT NULL AND e.lng IS NOT NULL
             AND earth_box(event_earth($1::float8, $2::float8), $3::float8) @> event_earth(e.lat, e.lng)
             AND earth_distance(event_earth($1::float8, $2::float8), event_earth(e.lat, e.lng)) <= $3::float8`,
          [CENTRE.lat, CENTRE.lng, 10_000],
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toMatch(/Index Scan (?:using|on) ix_events_earth/);
    });
  });

  describe('the join form', () => {
    const applications = async (org: Organisation) =>
      Number((await t.db.query<{ n: string }[]>(`SELECT count(*) AS n FROM memberships WHERE organisation_id = $1 AND status = 'applied'`, [org.id]))[0].n);

    async function openForm(org: Organisation): Promise<string> {
      const res = await request(t.http).get(`/o/${org.slug}/join`);
      expect(res.status).toBe(200);
      return csrfOf(res.text);
    }

    const post = (org: Organisation, fields: Record<string, string>, site = 'same-origin') =>
      request(t.http).post(`/o/${org.slug}/join`).type('form').set('Sec-Fetch-Site', site).set('X-Forwarded-For', '203.0.113.9').send(fields);

    const valid = (csrf: string, email: string) => ({
      _csrf: csrf,
      givenName: 'Rosa',
      familyName: 'Quispe Mamani',
      email,
      phone: '+51 987 654 321',
      region: 'Cusco',
      consent: 'yes',
      contactByEmail: 'yes',
      noticeVersion: '2026-12',
      website: '',
    });

    it('shows the consent text and the notice version, and creates the application the API would', async () => {
      const org = await makeOrganisation(t, { name: 'Voces del Pueblo' });
      const form = await request(t.http).get(`/o/${org.slug}/join`);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.text).toContain('Acepto que Voces del Pueblo trate estos datos para tramitar mi afiliación');
      expect(form.text).toContain('Aviso de privacidad (versión 2026-12)');
      expect(form.text).toContain('name="website"');
      expect(form.text).toContain('<label for="f-givenName">');

      const email = `${unique('rosa')}@example.org`;
      const res = await post(org, valid(csrfOf(form.text), email));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('data-status="received"');
      expect(await applications(org)).toBe(1);
      const [row] = await t.db.query<{ given_name: string; phone: string; region: string; preferred_language: string; source: string; notice_version: string; contact_by_email: boolean }[]>(
        `SELECT m.given_name, m.phone, m.region, m.preferred_language, ms.source, c.notice_version, c.contact_by_email
           FROM members m JOIN memberships ms ON ms.member_id = m.id JOIN member_consents c ON c.member_id = m.id AND c.organisation_id = ms.organisation_id
          WHERE ms.organisation_id = $1 AND m.email = $2`,
        [org.id, email],
      );
      expect(row).toEqual({ given_name: 'Rosa', phone: '+51987654321', region: 'Cusco', preferred_language: 'es', source: 'form', notice_version: '2026-12', contact_by_email: true });
    });

    it('writes nothing without consent, with the honeypot filled, or from a forged form — and keeps what was typed', async () => {
      const org = await makeOrganisation(t);
      const csrf = await openForm(org);
      const email = `${unique('juan')}@example.org`;

      const noConsent = await post(org, { ...valid(csrf, email), consent: '' });
      expect(noConsent.status).toBe(400);
      expect(noConsent.text).toContain('id="f-consent-error"');
      expect(noConsent.text).toContain('acepta el tratamiento de tus datos');
      expect(noConsent.text).toContain('value="Quispe Mamani"');
      expect(noConsent.text).toContain(`value="${email}"`);

      const missing = await post(org, { ...valid(csrf, 'not-an-address'), givenName: '' });
      expect(missing.status).toBe(400);
      expect(missing.text).toMatch(/id="f-givenName-error">Este campo es obligatorio/);
      expect(missing.text).toMatch(/id="f-email-error">Escribe un correo válido/);

      expect((await post(org, { ...valid(csrf, email), website: 'http://spam.example' })).status).toBe(400);
      expect((await post(org, { ...valid('1.forged', email) })).status).toBe(403);
      expect((await post(org, { ...valid(csrf, email) }, 'cross-site')).status).toBe(403);
      expect((await request(t.http).post(`/o/${org.slug}/join`).type('form').send(valid('', email))).status).toBe(403);

      expect(await applications(org)).toBe(0);
      expect(await t.db.query(`SELECT 1 FROM members WHERE email = $1`, [email])).toHaveLength(0);
    });

    it('is 404 for an organisation that takes no members', async () => {
      const dissolved = await makeOrganisation(t, { status: 'dissolved' });
      expect((await request(t.http).get(`/o/${dissolved.slug}/join`)).status).toBe(404);
      const page = await request(t.http).get(`/o/${dissolved.slug}`);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain('/join"');
    });
  });

  it('the coalition page lists its active partners, its platform in order with the endorsers, and its events', async () => {
    const [x, y, invited, withdrawn] = [
      await makeOrganisation(t, { name: 'Frente Amplio Sur' }),
      await makeOrganisation(t, { name: 'Colectivo Warmi' }),
      await makeOrganisation(t, { name: 'Invitada Aún' }),
      await makeOrganisation(t, { name: 'Se Retiró' }),
    ];
    const c = await makeCoalition(t, [x, y], { name: 'Alianza Venceremos', description: 'Por la voluntad popular.' });
    await t.db.query(`INSERT INTO coalition_partners (coalition_id, organisation_id, role, status) VALUES ($1, $2, 'member', 'invited'), ($1, $3, 'member', 'withdrawn')`, [
      c.id,
      invited.id,
      withdrawn.id,
    ]);
    const third = await makeDemand(t, { coalition: c }, { code: 'D3', position: 3, status: 'adopted', title: 'Tercera: agua para todos' });
    const first = await makeDemand(t, { coalition: c }, { code: 'D1', position: 1, status: 'adopted', title: 'Primera: nueva constitución' });
    const draft = await makeDemand(t, { coalition: c }, { code: 'D2', position: 2, status: 'draft', title: 'Borrador secreto' });
    const second = await makeDemand(t, { coalition: c }, { code: 'D4', position: 4, status: 'adopted', title: 'Cuarta: salud pública' });
    await makeDemand(t, { coalition: c }, { code: 'D5', position: 5, status: 'proposed', title: 'Propuesta en debate' });
    const endorse = (demandId: string, orgId: string, on: string) => t.db.query(`INSERT INTO demand_endorsements (demand_id, organisation_id, endorsed_on) VALUES ($1, $2, $3)`, [demandId, orgId, on]);
    await endorse(first.id, y.id, '2026-05-02');
    await endorse(first.id, x.id, '2026-05-01');
    await endorse(third.id, y.id, '2026-05-03');
    const event = await makeEvent(t, { coalitionId: c.id });
    const notOurs = await makeEvent(t, { hostOrganisationId: x.id });

    const res = await request(t.http).get(`/c/${c.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=60');
    expect(res.text).toContain('<h1>Alianza Venceremos</h1>');
    expect(res.text).toContain(`href="/o/${x.slug}">Frente Amplio Sur</a>`);
    expect(res.text).toContain(`href="/o/${y.slug}">Colectivo Warmi</a>`);
    expect(res.text).not.toContain('Invitada Aún');
    expect(res.text).not.toContain('Se Retiró');

    const platform = res.text.slice(res.text.indexOf('<ol class="platform">'), res.text.indexOf('</ol>'));
    const items = platform.split('<li').slice(1);
    expect(items.map((li) => /<strong>([^<]+)<\/strong>/.exec(li)![1])).toEqual([first.title, third.title, second.title]);
    expect(items[0]).toContain('La respaldan: Frente Amplio Sur y Colectivo Warmi.');
    expect(items[1]).toContain('La respalda: Colectivo Warmi.');
    expect(items[2]).toContain('Todavía ninguna organización la respalda.');
    expect(res.text).not.toContain(draft.title);
    expect(res.text).not.toContain('Propuesta en debate');

    expect(eventLinks(res.text)).toEqual([event.id]);
    expect(res.text).not.toContain(notOurs.id);
    expect((await request(t.http).get(`/c/${unique('nothing')}`)).status).toBe(404);
    expect((await request(t.http).get(`/c/${c.slug}?lang=en`)).text).toContain('Endorsed by Frente Amplio Sur and Colectivo Warmi.');
  });

  describe('embedding', () => {
    it('takes an organisation’s origins through PATCH (its org_admin), validated', async () => {
      const org = await makeOrganisation(t);
      const admin = await makeUser(t, [{ role: 'org_admin', organisation: org }]);
      const stranger = await makeUser(t, [{ role: 'org_admin', organisation: w.B }]);
      const origins = ['https://vocesdelpueblo.pe', 'https://example.org:8443'];
      const ok = await request(t.http).patch(`/api/v1/organisations/${org.id}`).set(admin.auth).send({ embedOrigins: origins });
      expect(ok.status).toBe(200);
      expect(ok.body.embedOrigins).toEqual(origins);
      expect((await request(t.http).get(`/api/v1/organisations/${org.slug}`)).body.embedOrigins).toEqual(origins);
      expect((await request(t.http).patch(`/api/v1/organisations/${org.id}`).set(stranger.auth).send({ embedOrigins: [] })).status).toBe(403);

      const refused: unknown[] = [
        ['http://vocesdelpueblo.pe'],
        ['https://vocesdelpueblo.pe/'],
        ['https://vocesdelpueblo.pe/agenda'],
        ['https://*.vocesdelpueblo.pe'],
        ['https://VocesDelPueblo.pe'],
        ["https://a.pe 'unsafe-inline'"],
        ['https://a.pe;script-src *'],
        ['https://a.pe:70000'],
        ['https://a.pe', 'https://a.pe'],
        Array.from({ length: 21 }, (_, i) => `https://site${i}.pe`),
        'https://a.pe',
        null,
      ];
      for (const embedOrigins of refused) {
        const res = await request(t.http).patch(`/api/v1/organisations/${org.id}`).set(admin.auth).send({ embedOrigins });
        expect(`${JSON.stringify(embedOrigins).slice(0, 60)} ${res.status}`).toBe(`${JSON.stringify(embedOrigins).slice(0, 60)} 400`);
      }
      expect((await request(t.http).get(`/api/v1/organisations/${org.slug}`)).body.embedOrigins).toEqual(origins);
      const [entry] = await t.db.query<{ changes: Record<string, unknown> }[]>(`SELECT changes FROM audit_log WHERE entity_id = $1 AND action = 'organisation.update'`, [org.id]);
      expect(entry.changes).toEqual({ embedOrigins: { from: [], to: origins } });
    });

    it('sends frame-ancestors with the host organisation’s origins on ?embed=1, and the ordinary page otherwise', async () => {
      const origins = ['https://vocesdelpueblo.pe', 'https://example.org:8443'];
      const org = await makeOrganisation(t, { embedOrigins: origins });
      const plain = await makeOrganisation(t);
      const event = await makeEvent(t, { hostOrganisationId: org.id });
      const plainEvent = await makeEvent(t, { hostOrganisationId: plain.id });
      const coalitionEvent = await makeEvent(t, { coalitionId: w.C.id });

      for (const path of [`/o/${org.slug}?embed=1`, `/e/${event.id}?embed=1`]) {
        const res = await request(t.http).get(path);
        expect(res.status).toBe(200);
        expect(frameAncestors(res.headers['content-security-policy'])).toBe(origins.join(' '));
        expect(res.headers['x-frame-options']).toBeUndefined();
        expect(res.text).toContain('<body class="embed">');
        expect(res.text).not.toContain('<header class="site">');
        expect(res.text).not.toContain('<footer class="site">');
      }
      // Inside the frame: other pages open in a new tab; the filter form and "more" stay embedded.
      const embedded = await request(t.http).get(`/o/${org.slug}?embed=1`);
      expect(embedded.text).toContain(`href="/e/${event.id}" target="_blank" rel="noopener"`);
      expect(embedded.text).toContain('<input type="hidden" name="embed" value="1"/>');

      // A signup sent from the embedded event page answers inside the same frame.
      const framed = await request(t.http).get(`/e/${event.id}?embed=1`);
      expect(framed.text).toContain(`action="/e/${event.id}?embed=1" target="_self"`);
      const answer = await request(t.http)
        .post(`/e/${event.id}?embed=1`)
        .set('X-Forwarded-For', '10.91.0.1')
        .type('form')
        .send({ _csrf: csrfOf(framed.text), name: 'Rosa', email: `${unique('framed')}@example.org`, consent: 'yes' });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain('data-status="going"');
      expect(frameAncestors(answer.headers['content-security-policy'])).toBe(origins.join(' '));

      for (const path of [`/o/${org.slug}`, `/e/${event.id}`, `/o/${plain.slug}?embed=1`, `/e/${plainEvent.id}?embed=1`, `/e/${coalitionEvent.id}?embed=1`]) {
        const res = await request(t.http).get(path);
        expect(`${path} ${frameAncestors(res.headers['content-security-policy'])}`).toBe(`${path} 'none'`);
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.text).toContain('<header class="site">');
      }
    });
  });
});
