import type { Page, Response } from 'playwright-core';

import { STYLESHEET } from '../src/pages/assets';
import { axeViolations, mailLinks } from './support/browser';
import { useBrowserWorld } from './support/browser-world';
import { makeCoalition, makeDemand, makeEvent, makeMember, makeOrganisation, makeUser, PASSWORD, unique } from './support/world';

/**
 * The public pages as people meet them: a phone-sized headless Chromium
 * (Debian's package) against the service listening on loopback, mails caught
 * by a local SMTP sink.
 */
describe('public pages in a real browser', () => {
  const world = useBrowserWorld();
  const { phone, deliver } = world;
  const mailsTo = (address: string) => world.sink.mails.filter((m) => m.to.includes(address));

  /** Signs up on the event page in `page`; answers the confirmation's status. */
  async function signUpAsGuest(page: Page, eventId: string, name: string, email: string): Promise<string> {
    await page.goto(`${world.origin}/e/${eventId}`);
    await page.getByLabel('Nombre').fill(name);
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel(/Acepto que/).check();
    await page.getByRole('button', { name: 'Inscribirme' }).click();
    return (await page.locator('[data-status]').getAttribute('data-status')) ?? '';
  }

  it('lets a guest sign up on the event page, puts the next on the waiting list, and promotes them when the first cancels from the e-mailed link', async () => {
    const host = await makeOrganisation(world.t, { name: 'Voces del Pueblo' });
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, capacity: 1, title: 'Asamblea de barrio', timezone: 'America/Lima' });
    const first = `${unique('rosa')}@example.org`;
    const second = `${unique('juan')}@example.org`;

    const rosa = await phone();
    expect(await signUpAsGuest(rosa, event.id, 'Rosa Quispe', first)).toBe('going');
    expect(await rosa.locator('h1').textContent()).toBe('¡Tienes un lugar!');

    const juan = await phone();
    expect(await signUpAsGuest(juan, event.id, 'Juan Mamani', second)).toBe('waitlisted');

    await deliver();
    const [confirmation] = mailsTo(first);
    expect(confirmation).toBeDefined();
    const manage = mailLinks(confirmation.raw, world.origin).find((l) => l.includes('/signups/manage'));
    expect(manage).toBeDefined();

    // The link opens a page; looking changes nothing; the button cancels.
    const fromMail = await phone();
    await fromMail.goto(manage!);
    expect(await fromMail.locator('[data-status]').getAttribute('data-status')).toBe('going');
    await fromMail.getByRole('button', { name: 'Cancelar mi inscripción' }).click();
    expect(await fromMail.locator('[data-status]').getAttribute('data-status')).toBe('cancelled');

    const [row] = await world.t.db.query<{ status: string }[]>(`SELECT status FROM event_signups WHERE event_id = $1 AND guest_email = $2`, [event.id, second]);
    expect(row.status).toBe('going');
  });

  it('keeps what was typed and says what is wrong next to each field', async () => {
    const host = await makeOrganisation(world.t);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id });
    const page = await phone();
    await page.goto(`${world.origin}/e/${event.id}`);
    await page.getByLabel('Nombre').fill('Rosa');
    await page.getByLabel('Correo electrónico').fill('not-an-address');
    await page.getByRole('button', { name: 'Inscribirme' }).click();
    expect(await page.getByLabel('Nombre').inputValue()).toBe('Rosa');
    expect(await page.getByLabel('Correo electrónico').inputValue()).toBe('not-an-address');
    expect(await page.locator('#f-email-error').textContent()).toMatch(/correo válido/);
    expect(await page.locator('#f-consent-error').textContent()).toMatch(/acepta/);
    expect(await world.t.db.query(`SELECT 1 FROM event_signups WHERE event_id = $1`, [event.id])).toHaveLength(0);
  });

  it('refuses a form posted from another site, and nothing is written', async () => {
    const host = await makeOrganisation(world.t);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id });
    const page = await phone();
    // The attacker copies a valid anonymous form token off our public page: only where the post comes from gives it away.
    await page.goto(`${world.origin}/e/${event.id}`);
    const token = await page.locator('input[name=_csrf]').first().inputValue();
    // A page on another world.origin (served by the browser itself) with a form aimed at ours.
    await page.route('http://elsewhere.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${world.origin}/e/${event.id}"><input name="name" value="Bot"><input name="email" value="bot@example.org"><input name="consent" value="yes"><input name="_csrf" value="${token}"><button>go</button></form>`,
      }),
    );
    await page.goto('http://elsewhere.test/form');
    const [answer] = await Promise.all([page.waitForResponse(`${world.origin}/e/${event.id}`), page.getByRole('button', { name: 'go' }).click()]);
    expect(answer.status()).toBe(403);
    expect(await world.t.db.query(`SELECT 1 FROM event_signups WHERE event_id = $1`, [event.id])).toHaveLength(0);
  });

  it('describes the event for link previews: Open Graph tags and schema.org Event JSON-LD', async () => {
    const host = await makeOrganisation(world.t, { name: 'Nuevo Perú' });
    const event = await makeEvent(world.t, {
      hostOrganisationId: host.id,
      title: 'Marcha por el agua',
      startsAt: new Date('2027-03-06T21:00:00Z'),
      endsAt: new Date('2027-03-07T00:00:00Z'),
      timezone: 'America/Lima',
      venue: 'Plaza San Martín',
      locality: 'Lima',
      country: 'PE',
    });
    const page = await phone();
    await page.goto(`${world.origin}/e/${event.id}`);
    expect(await page.locator('meta[property="og:title"]').getAttribute('content')).toBe('Marcha por el agua');
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(ld).toMatchObject({
      '@type': 'Event',
      name: 'Marcha por el agua',
      startDate: '2027-03-06T16:00:00-05:00',
      eventStatus: 'https://schema.org/EventScheduled',
      location: { '@type': 'Place', name: 'Plaza San Martín', address: { addressLocality: 'Lima', addressCountry: 'PE' } },
      organizer: { '@type': 'Organization', name: 'Nuevo Perú' },
    });
    expect(await page.getByText('sábado, 6 de marzo de 2027').count()).toBe(1);
  });

  it('loads nothing from another host and sends its CSP on every page', async () => {
    const host = await makeOrganisation(world.t);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, lat: -12.05, lng: -77.03 });
    const page = await phone();
    const requested: string[] = [];
    const documents: Response[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      if (r.request().resourceType() === 'document') documents.push(r);
    });
    await page.goto(`${world.origin}/e/${event.id}`);
    await page.getByLabel('Nombre').fill('Rosa');
    await page.getByLabel('Correo electrónico').fill(`${unique('r')}@example.org`);
    await page.getByLabel(/Acepto que/).check();
    await page.getByRole('button', { name: 'Inscribirme' }).click();
    await page.getByRole('link', { name: 'Ver o cancelar mi inscripción' }).click();
    expect(requested.filter((u) => new URL(u).origin !== world.origin)).toEqual([]);
    expect(documents.length).toBe(3);
    for (const d of documents) {
      const csp = (await d.allHeaders())['content-security-policy'];
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('weighs at most 30 KB of HTML and CSS, with no script, on the event page', async () => {
    const host = await makeOrganisation(world.t);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, description: 'Traer agua y gorra. '.repeat(40) });
    const page = await phone();
    const sizes: Record<string, number> = {};
    page.on('response', (r) => {
      void r.body().then((b) => (sizes[r.request().resourceType()] = (sizes[r.request().resourceType()] ?? 0) + b.length));
    });
    await page.goto(`${world.origin}/e/${event.id}`, { waitUntil: 'networkidle' });
    expect(Object.keys(sizes).sort()).toEqual(['document', 'stylesheet']);
    expect(sizes.document + sizes.stylesheet).toBeLessThanOrEqual(30 * 1024);
    expect(STYLESHEET.body.length).toBe(sizes.stylesheet);
  });

  it.each(['es-PE', 'en-GB'])('passes axe-core’s WCAG 2.2 AA rules on the event, confirmation and manage pages (%s)', async (locale) => {
    const host = await makeOrganisation(world.t);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, capacity: 5, description: 'Asamblea abierta.' });
    const page = await phone(locale, { bypassCSP: true });
    const seen: Record<string, unknown> = {};
    await page.goto(`${world.origin}/e/${event.id}`);
    seen.event = await axeViolations(page);
    await page.locator('#f-name').fill('Rosa');
    await page.locator('#f-email').fill(`${unique('r')}@example.org`);
    await page.locator('#f-consent').check();
    await page.locator('form.card button[type=submit]').click();
    seen.confirmation = await axeViolations(page);
    await page.locator('a[href^="/signups/manage/"]').click();
    seen.manage = await axeViolations(page);
    await page.goto(`${world.origin}/e/${event.id}`);
    await page.locator('form.card button[type=submit]').click();
    seen.formWithErrors = await axeViolations(page);
    expect(seen).toEqual({ event: [], confirmation: [], manage: [], formWithErrors: [] });
  });

  it('takes a membership application through the join form', async () => {
    const org = await makeOrganisation(world.t, { name: 'Colectivo Warmi' });
    const email = `${unique('ana')}@example.org`;
    const page = await phone();
    await page.goto(`${world.origin}/o/${org.slug}`);
    await page.getByRole('link', { name: 'Quiero afiliarme' }).click();
    await page.getByLabel('Nombres').fill('Ana');
    await page.getByLabel('Apellidos').fill('Condori');
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel(/Acepto que Colectivo Warmi/).check();
    await page.getByRole('button', { name: 'Enviar mi solicitud' }).click();
    expect(await page.locator('h1').textContent()).toBe('Recibimos tu solicitud');
    const rows = await world.t.db.query<{ status: string }[]>(`SELECT ms.status FROM memberships ms JOIN members m ON m.id = ms.member_id WHERE ms.organisation_id = $1 AND m.email = $2`, [
      org.id,
      email,
    ]);
    expect(rows).toEqual([{ status: 'applied' }]);
  });

  it('shows a coalition’s platform in its order, with who endorses each demand', async () => {
    const [x, y] = [await makeOrganisation(world.t, { name: 'Frente Amplio Sur' }), await makeOrganisation(world.t, { name: 'Colectivo Warmi' })];
    const c = await makeCoalition(world.t, [x, y], { name: 'Alianza Venceremos' });
    const third = await makeDemand(world.t, { coalition: c }, { code: 'D3', position: 3, status: 'adopted', title: 'Agua para todos' });
    const first = await makeDemand(world.t, { coalition: c }, { code: 'D1', position: 1, status: 'adopted', title: 'Nueva constitución' });
    await makeDemand(world.t, { coalition: c }, { code: 'D2', position: 2, status: 'draft', title: 'Borrador' });
    await makeDemand(world.t, { coalition: c }, { code: 'D4', position: 4, status: 'adopted', title: 'Salud pública' });
    await world.t.db.query(`INSERT INTO demand_endorsements (demand_id, organisation_id, endorsed_on) VALUES ($1, $2, '2026-05-01'), ($1, $3, '2026-05-02'), ($4, $3, '2026-05-03')`, [
      first.id,
      x.id,
      y.id,
      third.id,
    ]);
    const page = await phone();
    await page.goto(`${world.origin}/c/${c.slug}`);
    const items = page.locator('ol.platform > li');
    expect(await items.count()).toBe(3);
    expect((await items.allTextContents()).map((text) => /Nueva constitución|Agua para todos|Salud pública/.exec(text)?.[0])).toEqual(['Nueva constitución', 'Agua para todos', 'Salud pública']);
    expect(await items.nth(0).textContent()).toMatch(/Frente Amplio Sur.*Colectivo Warmi|Colectivo Warmi.*Frente Amplio Sur/);
  });

  /** Each kind of page, as a reader reaches it (some after logging in). */
  async function everyKindOfPage(page: Page, onPage: (name: string) => Promise<void> = () => Promise.resolve()): Promise<Record<string, string>> {
    const org = await makeOrganisation(world.t, { name: 'Voces del Pueblo' });
    const c = await makeCoalition(world.t, [org], { name: 'Alianza' });
    await makeDemand(world.t, { coalition: c }, { status: 'adopted' });
    const event = await makeEvent(world.t, { hostOrganisationId: org.id, capacity: 3, description: 'Asamblea abierta.' });
    await makeEvent(world.t, { hostOrganisationId: org.id, region: 'Cusco' });
    const member = await makeMember(world.t, [org], { email: `${unique('m')}@example.org` });
    const user = await makeUser(world.t, [], { email: member.email! });
    await world.t.db.query('INSERT INTO member_logins (member_id, user_id, controller_id) SELECT id, $1, controller_id FROM members WHERE id = $2', [user.id, member.id]);
    const seen: Record<string, string> = {};
    const visit = async (name: string, url?: string) => {
      if (url) await page.goto(url);
      seen[name] = page.url();
      await onPage(name);
    };
    await visit('organisation', `${world.origin}/o/${org.slug}`);
    await visit('join', `${world.origin}/o/${org.slug}/join`);
    await visit('coalition', `${world.origin}/c/${c.slug}`);
    await visit('event', `${world.origin}/e/${event.id}`);
    await page.locator('#f-name').fill('Rosa');
    await page.locator('#f-email').fill(`${unique('r')}@example.org`);
    await page.locator('#f-consent').check();
    await page.locator('form.card button[type=submit]').click();
    await visit('confirmation');
    await page.locator('a[href^="/signups/manage/"]').click();
    await visit('manage');
    await visit('forgot password', `${world.origin}/account/forgot-password`);
    await visit('log in', `${world.origin}/account/login`);
    await page.locator('#f-email').fill(user.email);
    await page.locator('#f-password').fill(PASSWORD);
    await page.locator('form.card button[type=submit]').click();
    await visit('my signups');
    return seen;
  }

  it.each(['es-PE', 'en-GB'])('passes axe-core’s WCAG 2.2 AA rules on the organisation, join, coalition and account pages too (%s)', async (locale) => {
    const page = await phone(locale, { bypassCSP: true });
    const violations: Record<string, unknown> = {};
    const seen = await everyKindOfPage(page, async (name) => {
      const found = await axeViolations(page);
      if (found.length) violations[name] = found;
    });
    expect(Object.keys(seen)).toHaveLength(9);
    expect(violations).toEqual({});
  });

  it('loads nothing from another host on any kind of page, each with its CSP', async () => {
    const page = await phone();
    const requested: string[] = [];
    const documents: Promise<{ url: string; csp: string | undefined }>[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('response', (r) => {
      // A redirect (303 after a form) has no content for a policy to govern.
      if (r.request().resourceType() === 'document' && (r.status() < 300 || r.status() >= 400)) documents.push(r.allHeaders().then((h) => ({ url: r.url(), csp: h['content-security-policy'] })));
    });
    const seen = await everyKindOfPage(page);
    expect(Object.keys(seen)).toHaveLength(9);
    expect(requested.filter((u) => new URL(u).origin !== world.origin)).toEqual([]);
    const answers = await Promise.all(documents);
    expect(answers.length).toBeGreaterThanOrEqual(9);
    expect(answers.filter((d) => !d.csp?.includes("default-src 'none'") || d.csp.includes('unsafe-inline'))).toEqual([]);
  });
});
