import request from 'supertest';

import { axeViolations, mailLinks } from './support/browser';
import { useBrowserWorld } from './support/browser-world';
import { makeEvent, makeMember, makeOrganisation, makeUser, unique } from './support/world';

/**
 * Every link the service sends opens a working page (issue 20): each kind of
 * e-mail the local SMTP sink receives, and the links in the calendar feed,
 * followed in a real browser.
 */
describe('links in e-mails and calendars, followed in a real browser', () => {
  const world = useBrowserWorld();
  const { phone, deliver } = world;
  const guestSignUp = (eventId: string, email: string) => world.signUpAsGuest(eventId, email);

  /** Opens `url` in a fresh phone: it must answer 200 with a page that is not an error page, and pass axe-core's WCAG 2.2 AA rules. */
  async function opens(url: string): Promise<string> {
    const page = await phone('es-PE', { bypassCSP: true });
    const res = await page.goto(url);
    const title = (await page.locator('h1').first().textContent())?.trim() ?? '';
    expect({ url, status: res?.status(), error: /No encontramos|No tienes acceso|Algo salió mal/.test(title), axe: await axeViolations(page) }).toEqual({
      url,
      status: 200,
      error: false,
      axe: [],
    });
    return title;
  }

  it('opens a working page from every link of every kind of e-mail and from the calendar feed', async () => {
    const host = await makeOrganisation(world.t, { name: 'Voces del Pueblo' });
    const admin = await makeUser(world.t, [{ role: 'org_admin', organisation: host }]);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, capacity: 1 });
    const first = `${unique('first')}@example.org`;
    const second = `${unique('second')}@example.org`;

    // Signup confirmation (going) and waiting list.
    expect(await guestSignUp(event.id, first)).toBe('going');
    expect(await guestSignUp(event.id, second)).toBe('waitlisted');
    await deliver();
    // Promotion: the first cancels from their e-mailed link.
    const manage = mailLinks(world.sink.mails.find((m) => m.to.includes(first))!.raw, world.origin).find((l) => l.includes('/signups/manage/'))!;
    const page = await phone();
    await page.goto(manage);
    await page.getByRole('button', { name: 'Cancelar mi inscripción' }).click();
    // Event changed, then cancelled.
    const later = new Date(event.startsAt.getTime() + 3600_000);
    expect(
      (
        await request(world.t.http)
          .patch(`/api/v1/events/${event.id}`)
          .set(admin.auth)
          .send({ startsAt: later.toISOString(), endsAt: new Date(later.getTime() + 3600_000).toISOString() })
      ).status,
    ).toBe(200);
    expect((await request(world.t.http).post(`/api/v1/events/${event.id}/cancel`).set(admin.auth).send({ reason: 'Lluvia' })).status).toBe(200);
    // An invitation to a member record, and a password reset.
    const member = await makeMember(world.t, [host], { email: `${unique('elena')}@example.org` });
    expect((await request(world.t.http).post(`/api/v1/members/${member.id}/invitation`).set(admin.auth)).status).toBe(202);
    expect((await request(world.t.http).post('/api/v1/auth/password-reset').send({ email: admin.email })).status).toBe(202);
    await deliver();

    const templates = (await world.t.db.query<{ template: string }[]>(`SELECT DISTINCT template FROM outbox_messages WHERE state = 'sent' ORDER BY template`)).map((r) => r.template);
    expect(templates).toEqual(expect.arrayContaining(['event.signup_confirmation', 'event.waitlist_promoted', 'event.changed', 'event.cancelled', 'account.invitation', 'account.password_reset']));

    const links = world.sink.mails.flatMap((m) => mailLinks(m.raw, world.origin));
    expect(links.some((l) => l.includes('/account/accept-invitation/'))).toBe(true);
    expect(links.some((l) => l.includes('/account/reset-password/'))).toBe(true);
    expect(links.some((l) => l.includes(`/e/${event.id}`))).toBe(true);
    for (const link of links) await opens(link);

    // The calendar feed's event links (the old /events/{id} form answers 301 to the page).
    const ics = await request(world.t.http).get(`/api/v1/events/${event.id}/calendar.ics`);
    const icsLinks = mailLinks(ics.text.replace(/\r?\n[ \t]/g, ''), world.origin);
    expect(icsLinks.length).toBeGreaterThan(0);
    for (const link of icsLinks) await opens(link);
    expect(await opens(`${world.origin}/events/${event.id}`)).toBe(event.title);
  });

  it('lets an invited member set a password, log in on the page, and sign up with one button', async () => {
    const host = await makeOrganisation(world.t);
    const admin = await makeUser(world.t, [{ role: 'org_admin', organisation: host }]);
    const event = await makeEvent(world.t, { hostOrganisationId: host.id, capacity: 10 });
    const email = `${unique('luz')}@example.org`;
    const member = await makeMember(world.t, [host], { email, givenName: 'Luz' });
    expect((await request(world.t.http).post(`/api/v1/members/${member.id}/invitation`).set(admin.auth)).status).toBe(202);
    await deliver();
    const invitation = mailLinks(world.sink.mails.find((m) => m.to.includes(email))!.raw, world.origin).find((l) => l.includes('/account/accept-invitation/'))!;

    const page = await phone();
    await page.goto(invitation);
    await page.getByLabel('Contraseña').fill('una frase larga para la marcha');
    await page.getByRole('button', { name: 'Crear mi cuenta' }).click();
    expect(new URL(page.url()).pathname).toBe('/account/signups');

    // Log out, and in again on the page.
    await page.getByRole('button', { name: 'Salir' }).click();
    await page.goto(`${world.origin}/account/login?next=/e/${event.id}`);
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByLabel('Contraseña').fill('una frase larga para la marcha');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    expect(new URL(page.url()).pathname).toBe(`/e/${event.id}`);

    await page.getByRole('button', { name: /Inscribirme como/ }).click();
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('going');
    const [row] = await world.t.db.query<{ member_id: string; status: string }[]>(`SELECT member_id, status FROM event_signups WHERE event_id = $1`, [event.id]);
    expect(row).toEqual({ member_id: member.id, status: 'going' });
  });
});
