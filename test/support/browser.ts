import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * The browser of the page tests: Debian's `chromium` package, driven by
 * playwright-core (no browser download: `.ci/run` installs the package when
 * it is missing). CHROMIUM_PATH points elsewhere when needed.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A phone: what most people answering a link on WhatsApp hold. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** `extraArgs`: more switches (a fake camera showing a file, for the door page's scanner). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium), as .ci/run does, or set CHROMIUM_PATH`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container there is no sandbox to use; the rest keeps Chromium from calling Google's services,
    // which this machine's closed network refuses (and which would show up as requests to other hosts).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      ...extraArgs,
    ],
  });
}

/** A phone-sized context in a language (Accept-Language and navigator.language). */
export function phoneContext(browser: Browser, locale = 'es-PE', options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ ...PHONE, locale, ...options });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it is. The page's
 * CSP forbids injected scripts, so the context running this is made with
 * `bypassCSP` (a separate test checks the CSP itself).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } })
      .axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

/** Every link to `origin` in a mail, decoded from quoted-printable, in order and once each. */
export function mailLinks(raw: string, origin: string): string[] {
  const text = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  const escaped = origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [...text.matchAll(new RegExp(`${escaped}[^\\s"'<>)\\]]*`, 'g'))].map((m) => m[0]).filter((v, i, all) => all.indexOf(v) === i);
}
