import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import request from 'supertest';

import { qrPng } from '../src/common/qr';
import { CheckInCodes } from '../src/events/check-in-codes';
import type { Event } from '../src/events/event.entity';
import type { Organisation } from '../src/organisations/organisation.entity';
import { OutboxWorker } from '../src/outbox/outbox.worker';
import { bootTestApp, type TestApp } from './support/app';
import { axeViolations, launchBrowser, phoneContext } from './support/browser';
import { freePort } from './support/free-port';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { guest, linkMember, makeEvent, makeMember, makeOrganisation, makeShift, makeUser, PASSWORD, unique, type TestUser } from './support/world';

const HOUR = 3600_000;

/** A QR code in a PNG, read back as a phone would: the text it carries, or null. */
function readQr(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data ?? null;
}

/**
 * A still video for Chromium's fake camera (YUV4MPEG2, 4:2:0, full range):
 * the greyscale PNG in the middle of a white 640×480 frame.
 */
function y4m(png: Buffer): Buffer {
  const image = PNG.sync.read(png);
  const [w, h] = [640, 480];
  const luma = Buffer.alloc(w * h, 255);
  const [left, top] = [(w - image.width) >> 1, (h - image.height) >> 1];
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) luma[(top + y) * w + left + x] = image.data[(y * image.width + x) * 4];
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), luma, chroma]);
}

/** The parts of a MIME message (nested multiparts flattened): their headers, lower-cased, and their decoded bodies. */
function mimeParts(raw: string): { headers: Record<string, string>; body: Buffer }[] {
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  const walk = (entity: string) => {
    const split = entity.search(/\r?\n\r?\n/);
    const head = entity.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    const body = entity.slice(split).replace(/^\r?\n\r?\n/, '');
    const headers = Object.fromEntries(
      head
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
    if (boundary) {
      for (const part of body.split(`--${boundary}`).slice(1, -1)) walk(part.replace(/^\r?\n/, ''));
      return;
    }
    const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
    const decoded =
      encoding === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
        : encoding === 'quoted-printable'
          ? Buffer.from(
              body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
              'latin1',
            )
          : Buffer.from(body);
    parts.push({ headers, body: decoded });
  };
  walk(raw);
  return parts;
}

interface Person {
  id: string;
  name: string;
  email: string;
  code: string;
  token: string;
}

/**
 * The door page (issue 21) as volunteers use it: a phone-sized headless
 * Chromium against the service on loopback. Every request the server
 * receives is counted (a listener on its HTTP server), so "offline" is
 * measured where it matters: at the server.
 */
describe('the door page in a real browser', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let codes: CheckInCodes;
  let client = 0;
  const received: string[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await bootTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: origin, TRUST_PROXY: 'true' } });
    t.http.on('request', (req: IncomingMessage) => received.push(`${req.method} ${req.url}`));
    await t.app.listen(port, '127.0.0.1');
    codes = t.app.get(CheckInCodes);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await sink?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  const xff = () => `10.88.${Math.floor(++client / 250)}.${(client % 250) + 1}`;

  async function phone(locale = 'es-PE', options: { bypassCSP?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await phoneContext(browser, locale, options);
    await context.setExtraHTTPHeaders({ 'X-Forwarded-For': xff() });
    contexts.push(context);
    return { context, page: await context.newPage() };
  }

  /** A published event of `org` under way: started an hour ago, ends in two. */
  const liveEvent = (org: Organisation, fields: Partial<Event> = {}) =>
    makeEvent(t, { hostOrganisationId: org.id, startsAt: new Date(Date.now() - HOUR), endsAt: new Date(Date.now() + 2 * HOUR), capacity: 100, timezone: 'America/Lima', ...fields });

  /** Guests signed up through the API, each from an address of their own. */
  async function signUp(event: Event, n: number, fields: Record<string, unknown> = {}): Promise<Person[]> {
    const people: Person[] = [];
    for (let i = 1; i <= n; i++) {
      const body = guest({ name: `Persona ${String(i).padStart(2, '0')} ${unique('p')}`, ...fields });
      const res = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set('X-Forwarded-For', xff()).send(body);
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('going');
      people.push({ id: res.body.id, name: body.name, email: body.email, code: codes.shortCodeFor(res.body.id), token: codes.tokenFor(res.body.id) });
    }
    return people;
  }

  async function organiserOf(org: Organisation): Promise<TestUser> {
    return makeUser(t, [{ role: 'organiser', organisation: org }]);
  }

  async function doorLink(event: Event, by: TestUser, label: string): Promise<{ id: string; secret: string; url: string }> {
    const res = await request(t.http).post(`/api/v1/events/${event.id}/door-links`).set(by.auth).send({ label });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** Logs in on the page form, which brings the reader back to the door page. */
  async function logInAtTheDoor(page: Page, event: Event, user: TestUser, lang = ''): Promise<void> {
    await page.goto(`${origin}/checkin/${event.id}${lang}`);
    await page.waitForSelector('#door[data-stopped="access"]');
    await page.locator('#door-access a').click();
    await page.locator('#f-email').fill(user.email);
    await page.locator('#f-password').fill(PASSWORD);
    await page.locator('form.card button[type=submit]').click();
    await page.waitForURL(`${origin}/checkin/${event.id}${lang}`);
  }

  /** The manifest is kept on the phone, the page itself by the service worker, which controls the page. */
  async function readyOffline(page: Page): Promise<void> {
    await page.waitForSelector('#door[data-manifest="stored"][data-shell="kept"]');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  }

  /** Types a code as a volunteer does (Enter), and reads the first result shown. */
  async function type(page: Page, code: string): Promise<{ result: string; text: string }> {
    const box = page.locator('#door-result');
    await box.evaluate((b) => b.removeAttribute('data-result'));
    await page.locator('#door-code').fill(code);
    await page.locator('#door-code').press('Enter');
    await page.waitForSelector('#door-result[data-result]');
    return { result: (await box.getAttribute('data-result')) ?? '', text: (await box.textContent()) ?? '' };
  }

  const checkInPosts = (from: number) => received.slice(from).filter((r) => /^POST \/(api\/v1\/events|checkin)\/[^/]+\/check-ins/.test(r));
  const attended = async (event: Event) => (await t.db.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM event_signups WHERE event_id = $1 AND status = 'attended'`, [event.id]))[0].n;

  it('checks in 20 people and a walk-in with no network, sends them as one batch when it is back, and another door gets a conflict', async () => {
    const org = await makeOrganisation(t, { name: 'Voces del Pueblo' });
    const event = await liveEvent(org, { title: 'Asamblea de barrio' });
    const people = await signUp(event, 22);
    const host = await organiserOf(org);
    const link = await doorLink(event, host, 'Puerta 2');

    // Door 1: an organiser, logged in on the page. Door 2: a volunteer with the door link.
    const door1 = await phone();
    const otherHosts: string[] = [];
    door1.page.on('request', (r) => {
      if (new URL(r.url()).origin !== origin) otherHosts.push(r.url());
    });
    const [shell] = await Promise.all([door1.page.waitForResponse(`${origin}/checkin/${event.id}`), logInAtTheDoor(door1.page, event, host)]);
    const csp = (await shell.allHeaders())['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    await readyOffline(door1.page);
    expect(await door1.page.locator('#door-event').textContent()).toContain('Asamblea de barrio');

    const door2 = await phone();
    await door2.page.goto(link.url);
    await door2.page.waitForSelector('#door[data-manifest="stored"]');
    // The secret left the address bar at once (kept in IndexedDB).
    expect(door2.page.url()).toBe(`${origin}/checkin/${event.id}`);
    expect(await door2.page.locator('#door-net').textContent()).toContain('Puerta 2');

    // Offline: the browser's switch, and every request of the context refused (the worker's own too).
    const mark = received.length;
    await door1.context.setOffline(true);
    await door1.context.route('**/*', (route) => route.abort('internetdisconnected'));
    // The page opens again with no network at all: the worker's copy, the manifest from IndexedDB.
    await door1.page.reload();
    await door1.page.waitForSelector('#door[data-manifest="stored"][data-online="no"]');
    expect(await door1.page.locator('#door-net').textContent()).toContain('Sin conexión');

    const forms = (p: Person, i: number) => [p.code, p.code.replace('-', '').toLowerCase(), `${p.code.slice(0, 5)} ${p.code.slice(6)}`, `CVK1:${p.token}`][i % 4];
    for (const [i, p] of people.slice(0, 20).entries()) {
      expect(await type(door1.page, forms(p, i))).toEqual({ result: 'checked_in', text: `Ingreso registrado: ${p.name}. Se enviará al volver la conexión.` });
    }
    // The same person twice at one door: said, and not queued again.
    expect((await type(door1.page, people[3].code)).result).toBe('already');
    // A code nobody has, with no network to ask: refused on the spot.
    expect((await type(door1.page, '7K4QM-XR2T9')).result).toBe('unknown');
    await door1.page.locator('#door-walkin-name').fill('Juana Huamán');
    await door1.page.locator('#door-walkin button[type=submit]').click();
    await door1.page.waitForSelector('#door-result[data-result="walk_in"]');
    expect(await door1.page.locator('#door').getAttribute('data-queued')).toBe('21');
    // The counts include what is queued: 21 in, of 22 going.
    expect(await door1.page.locator('#door-counts tr td').allTextContents()).toEqual(['21', '22']);

    const whileOffline = received.slice(mark);
    expect(checkInPosts(mark)).toEqual([]);
    // Never a check-in, never the list: at most the browser itself looking for a new version of the worker (which
    // no offline switch stops) and the worker bringing its copy of the page up to date behind the reload.
    expect(whileOffline.filter((r) => r !== `GET /checkin/${event.id}` && r !== 'GET /checkin/sw.js')).toEqual([]);
    expect(await attended(event)).toBe(0);

    // Back online: the queue goes as one batch.
    await door1.context.unrouteAll();
    await door1.context.setOffline(false);
    await door1.page.waitForSelector('#door[data-queued="0"][data-online="yes"]');
    const posts = checkInPosts(mark);
    expect(posts).toEqual([`POST /checkin/${event.id}/check-ins`]);
    if (process.env.DOOR_REPORT) console.log({ whileOffline, afterwards: posts });
    expect(await attended(event)).toBe(21);
    const rows = await t.db.query<{ signup_id: string; n: number }[]>(`SELECT signup_id, count(*)::int AS n FROM event_check_ins WHERE event_id = $1 AND result = 'checked_in' GROUP BY signup_id`, [
      event.id,
    ]);
    expect(rows).toHaveLength(21);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const ids = new Set(rows.map((r) => r.signup_id));
    expect(people.slice(0, 20).every((p) => ids.has(p.id))).toBe(true);
    const [walkIn] = await t.db.query(`SELECT guest_name, source, status FROM event_signups WHERE event_id = $1 AND source = 'walk_in'`, [event.id]);
    expect(walkIn).toEqual({ guest_name: 'Juana Huamán', source: 'walk_in', status: 'attended' });

    // Door 2 still holds the list from before the batch: its own check says yes, the server says door 1 was first.
    const conflict = await type(door2.page, people[5].code);
    await door2.page.waitForSelector('#door-result[data-result="conflict"]');
    expect(await door2.page.locator('#door-result').textContent()).toMatch(new RegExp(`^${people[5].name} ya había ingresado por Organización a las \\d\\d:\\d\\d\\.$`));
    expect(conflict.result).toMatch(/checked_in|conflict/);
    expect(await door2.page.locator('#door-attention-list li[data-result="conflict"]').count()).toBe(1);
    expect(await attended(event)).toBe(21);
    const [{ n: checkedInRowsOf5 }] = await t.db.query(`SELECT count(*)::int AS n FROM event_check_ins WHERE signup_id = $1 AND result = 'checked_in'`, [people[5].id]);
    expect(checkedInRowsOf5).toBe(1);

    // Door 2 goes on: the next person is checked in online.
    expect((await type(door2.page, people[20].code)).result).toBe('checked_in');
    await door2.page.waitForSelector('#door[data-queued="0"]');
    expect(await attended(event)).toBe(22);
    expect(otherHosts).toEqual([]);
  });

  it('finds a person by name and checks them in; refuses a cancelled or waitlisted signup', async () => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org, { capacity: 2 });
    const [rosa, juan] = await signUp(event, 2);
    const waiting = (
      await request(t.http)
        .post(`/api/v1/events/${event.id}/signups`)
        .set('X-Forwarded-For', xff())
        .send(guest({ name: 'Zoila Espera' }))
    ).body as { id: string };
    await t.db.query(`UPDATE event_signups SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [juan.id]);
    const host = await organiserOf(org);
    const { page } = await phone('en-GB');
    await logInAtTheDoor(page, event, host);
    await page.waitForSelector('#door[data-manifest="stored"]');
    await page.locator('#door-find').fill(rosa.name.slice(0, 11).toLowerCase());
    await page.getByRole('button', { name: `Check in ${rosa.name}` }).click();
    await page.waitForSelector('#door-result[data-result="checked_in"]');
    expect(await page.locator('#door-result').textContent()).toBe(`Checked in: ${rosa.name}`);
    expect((await type(page, juan.code)).text).toBe(`${juan.name}’s signup was cancelled: no place.`);
    expect((await type(page, codes.shortCodeFor(waiting.id))).text).toBe('Zoila Espera is on the waiting list: no place.');
    // A code not on the page's list, online: the server is asked (a signup made since?), and says.
    expect(['checking', 'unknown']).toContain((await type(page, '7K4QM-XR2T9')).result);
    await page.waitForSelector('#door-result[data-result="unknown"]');
    expect(await page.locator('#door-result').textContent()).toBe('Unknown code: it is not on this event’s list.');
    expect(await page.locator('#door-attention-list li[data-result="unknown"]').count()).toBe(1);
    await page.waitForSelector('#door[data-queued="0"]');
    expect(await attended(event)).toBe(1);
  });

  it('mails a QR code that decodes to a code which checks the person in, and shows it on the manage page', async () => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org, { title: 'Marcha por el agua' });
    const [rosa] = await signUp(event, 1);
    await t.app.get(OutboxWorker).deliverDue();
    const mail = sink.mails.find((m) => m.to.includes(rosa.email.toLowerCase()))!;
    expect(mail).toBeDefined();
    const parts = mimeParts(mail.raw);
    const text = parts.find((p) => p.headers['content-type']?.startsWith('text/plain'))!.body.toString('utf8');
    expect(text).toContain(`Tu código de ingreso: ${rosa.code}.`);
    const html = parts.find((p) => p.headers['content-type']?.startsWith('text/html'))!.body.toString('utf8');
    expect(html).toContain('<img src="cid:qr@convoca" width="200" height="200" alt="Código QR de ingreso');
    const image = parts.find((p) => p.headers['content-type']?.startsWith('image/png'))!;
    expect(image.headers['content-id']).toBe('<qr@convoca>');
    const scanned = readQr(image.body);
    expect(scanned).toBe(`CVK1:${rosa.token}`);

    // The guest's manage page shows the same code: its SVG, photographed, reads the same.
    const manage = /\/signups\/manage\/([A-Za-z0-9_-]+)/.exec(text)![1];
    const guestPhone = await phone();
    await guestPhone.page.goto(`${origin}/signups/manage/${manage}`);
    expect(await guestPhone.page.locator('[data-checkin-code]').getAttribute('data-checkin-code')).toBe(rosa.code);
    expect(readQr(await guestPhone.page.locator('svg.qr').screenshot())).toBe(`CVK1:${rosa.token}`);

    // What the e-mail's QR code says, given to the door, checks her in.
    const host = await organiserOf(org);
    const { page } = await phone();
    await logInAtTheDoor(page, event, host);
    await page.waitForSelector('#door[data-manifest="stored"]');
    expect(await type(page, scanned!)).toEqual({ result: 'checked_in', text: `Ingreso registrado: ${rosa.name}` });
    await page.waitForSelector('#door[data-queued="0"]');
    expect(await attended(event)).toBe(1);
  });

  it('shows a member’s code on their signups page, the QR code reading the same', async () => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org);
    const member = await makeMember(t, [org]);
    const user = await makeUser(t, [], { email: member.email! });
    await linkMember(t, user, member);
    const signup = await request(t.http).post(`/api/v1/events/${event.id}/signups`).set(user.auth).send({});
    expect(signup.body.status).toBe('going');
    const { page } = await phone();
    await page.goto(`${origin}/account/login`);
    await page.locator('#f-email').fill(user.email);
    await page.locator('#f-password').fill(PASSWORD);
    await page.locator('form.card button[type=submit]').click();
    await page.waitForURL(`${origin}/account/signups`);
    const item = page.locator(`li[data-signup="${signup.body.id}"]`);
    expect(await item.locator('[data-checkin-code]').getAttribute('data-checkin-code')).toBe(codes.shortCodeFor(signup.body.id));
    expect(readQr(await item.locator('svg.qr').screenshot())).toBe(codes.qrTextFor(signup.body.id));
  });

  it('stops at once when its door link is revoked: the page says so, and its routes answer 401', async () => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org);
    const [rosa] = await signUp(event, 1);
    const host = await organiserOf(org);
    const link = await doorLink(event, host, 'Puerta 3');
    const { page } = await phone();
    await page.goto(link.url);
    await page.waitForSelector('#door[data-manifest="stored"]');
    expect((await request(t.http).get(`/checkin/${event.id}/manifest`).set('X-Door-Link', link.secret)).status).toBe(200);

    expect((await request(t.http).delete(`/api/v1/events/${event.id}/door-links/${link.id}`).set(host.auth)).status).toBe(204);
    const manifest = await request(t.http).get(`/checkin/${event.id}/manifest`).set('X-Door-Link', link.secret);
    expect([manifest.status, manifest.body.code]).toEqual([401, 'unauthorized']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await request(t.http).get('/account/login')).text)![1];
    const post = await request(t.http)
      .post(`/checkin/${event.id}/check-ins`)
      .set({ 'X-Door-Link': link.secret, 'X-CSRF-Token': csrf, 'Sec-Fetch-Site': 'same-origin' })
      .send({ items: [{ clientId: crypto.randomUUID(), at: new Date().toISOString(), code: rosa.code }] });
    expect(post.status).toBe(401);

    await page.locator('#door-code').fill(rosa.code);
    await page.locator('#door-code').press('Enter');
    await page.waitForSelector('#door[data-stopped="revoked"]');
    expect(await page.locator('#door-stop').textContent()).toBe('Este enlace de puerta ya no funciona: pide uno nuevo a quien organiza.');
    expect(await page.locator('#door-code').isDisabled()).toBe(true);
    expect(await attended(event)).toBe(0);
  });

  it('scans a QR code with the camera (jsQR, loaded then, where the browser has no BarcodeDetector)', async () => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org);
    const [rosa] = await signUp(event, 1);
    const link = await doorLink(event, await organiserOf(org), 'Puerta 4');
    const video = join(mkdtempSync(join(tmpdir(), 'convoca-camera-')), 'qr.y4m');
    writeFileSync(video, y4m(qrPng(codes.qrTextFor(rosa.id), 300)));
    const withCamera = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const context = await phoneContext(withCamera);
      await context.grantPermissions(['camera'], { origin });
      const page = await context.newPage();
      await page.goto(link.url);
      await page.waitForSelector('#door[data-manifest="stored"]');
      expect(await page.evaluate(() => typeof (window as { jsQR?: unknown }).jsQR)).toBe('undefined');
      await page.getByRole('button', { name: 'Escanear código QR' }).click();
      await page.waitForSelector('#door-result[data-result="checked_in"]');
      expect(await page.locator('#door-result').textContent()).toBe(`Ingreso registrado: ${rosa.name}`);
      expect(await page.locator('#door-scanner').isHidden()).toBe(true);
      const native = await page.evaluate(() => 'BarcodeDetector' in window);
      if (!native) expect(await page.evaluate(() => typeof (window as { jsQR?: unknown }).jsQR)).not.toBe('undefined');
      await page.waitForSelector('#door[data-queued="0"]');
      expect(await attended(event)).toBe(1);
    } finally {
      await withCamera.close();
    }
  });

  it.each(['es-PE', 'en-GB'])('passes axe-core’s WCAG 2.2 AA rules on the door page, with results, matches and shifts showing (%s)', async (locale) => {
    const org = await makeOrganisation(t);
    const event = await liveEvent(org);
    await makeShift(t, event, { name: 'Mañana' });
    const [rosa] = await signUp(event, 1);
    const host = await organiserOf(org);
    const link = await doorLink(event, host, 'Puerta 1');
    const { page } = await phone(locale, { bypassCSP: true });
    const seen: Record<string, unknown> = {};
    await page.goto(`${origin}/checkin/${event.id}`);
    await page.waitForSelector('#door[data-stopped="access"]');
    seen.noAccess = await axeViolations(page);
    await page.goto(link.url);
    await page.waitForSelector('#door[data-manifest="stored"]');
    seen.door = await axeViolations(page);
    await type(page, rosa.code);
    await type(page, 'not a code');
    await page.locator('#door-find').fill('persona');
    seen.withResults = await axeViolations(page);
    expect(seen).toEqual({ noAccess: [], door: [], withResults: [] });
  });
});
