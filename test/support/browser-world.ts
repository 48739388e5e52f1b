import type { Browser, BrowserContext, Page } from 'playwright-core';

import { OutboxWorker } from '../../src/outbox/outbox.worker';
import { bootTestApp, type TestApp } from './app';
import { launchBrowser, phoneContext } from './browser';
import { freePort } from './free-port';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface BrowserWorld {
  /** The service, listening on loopback at `origin` (its PUBLIC_URL), mailing to `sink`. */
  readonly t: TestApp;
  readonly sink: SmtpSink;
  readonly origin: string;
  /** A new phone-sized browser context and page, from an address of its own (the public forms' rate limits count per address). */
  phone(locale?: string, options?: { bypassCSP?: boolean }): Promise<Page>;
  /** Sends what the outbox holds to the sink now. */
  deliver(): Promise<void>;
  /** Signs up on the event page as a guest, in Spanish; answers the confirmation's status. */
  signUpAsGuest(eventId: string, email: string, name?: string): Promise<string>;
}

/**
 * The page tests' world, set up by jest hooks in the calling `describe`: one
 * service listening on loopback, a local SMTP sink and Debian's Chromium; the
 * phones a test opened are closed after it.
 */
export function useBrowserWorld(): BrowserWorld {
  let t: TestApp;
  let sink: SmtpSink;
  let browser: Browser;
  let origin = '';
  let client = 0;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await bootTestApp({ env: { SMTP_URL: sink.url, PUBLIC_URL: origin, TRUST_PROXY: 'true' } });
    await t.app.listen(port, '127.0.0.1');
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

  const world: BrowserWorld = {
    get t() {
      return t;
    },
    get sink() {
      return sink;
    },
    get origin() {
      return origin;
    },
    async phone(locale = 'es-PE', options = {}) {
      const context = await phoneContext(browser, locale, options);
      ++client;
      await context.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.77.${Math.floor(client / 250)}.${(client % 250) + 1}` });
      contexts.push(context);
      return context.newPage();
    },
    deliver: () =>
      t.app
        .get(OutboxWorker)
        .deliverDue()
        .then(() => undefined),
    async signUpAsGuest(eventId, email, name = 'Rosa Quispe') {
      const page = await world.phone();
      await page.goto(`${origin}/e/${eventId}`);
      await page.getByLabel('Nombre').fill(name);
      await page.getByLabel('Correo electrónico').fill(email);
      await page.getByLabel(/Acepto que/).check();
      await page.getByRole('button', { name: 'Inscribirme' }).click();
      return (await page.locator('[data-status]').getAttribute('data-status')) ?? '';
    },
  };
  return world;
}
