/**
 * `npm run screenshot`: the event page of the demo's march at a phone's width,
 * taken by the same headless Chromium the page tests use, for the README's
 * tour (docs/images/event-page-phone.png).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { launchBrowser, PHONE } from './browser';
import { freePort } from './free-port';
import { startService } from './process';

async function main(): Promise<void> {
  const port = await freePort();
  const demo = startService({ PORT: String(port), CONVOCA_PG_PORT: String(await freePort()), CONVOCA_DEMO_DATA_DIR: join(mkdtempSync(join(tmpdir(), 'convoca-shot-')), 'demo') }, 'src/demo.ts');
  try {
    while (!/^ {2}Event: +(\S+)$/m.test(demo.output())) {
      if (demo.child.exitCode !== null) throw new Error(demo.output());
      await sleep(100);
    }
    const url = /^ {2}Event: +(\S+)$/m.exec(demo.output())![1];
    const browser = await launchBrowser();
    try {
      // At 1× (not the phone's 2×): the same layout, a quarter of the bytes in the repository.
      const page = await (await browser.newContext({ ...PHONE, deviceScaleFactor: 1, locale: 'es-PE' })).newPage();
      await page.goto(url, { waitUntil: 'networkidle' });
      const file = join(__dirname, '..', '..', 'docs', 'images', 'event-page-phone.png');
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`${file}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    demo.child.kill('SIGTERM');
    await demo.exited;
  }
}

void main();
