import { request } from 'node:http';
import type { Client } from 'pg';

import { JWT_SECRET, startBareServer, type ApiProcess } from './api';
import { alternate, drive, driveSample, type LoadResult } from './load';
import type { Scenario } from './report';

/** How many published public events the page load is spread over (every page a distinct event, in turn). */
const SPREAD = 100;

/** The anonymous form token of a page (`hour.mac`, the same for every anonymous reader within the hour): set aside when two pages are compared. */
const normalised = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"');

/** The headers a page answers with that the baseline sends too (page-response.ts `pageHeaders`). */
const PAGE_HEADERS = ['content-type', 'content-security-policy', 'referrer-policy', 'cache-control', 'vary', 'x-frame-options'];

/** One GET over a fresh socket: the status, the body, and the bytes on the wire (status line, headers, body). */
function fetchRaw(origin: string, path: string): Promise<{ status: number; body: string; headers: Record<string, string>; bodyBytes: number; headerBytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(`${origin}${path}`, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let headerBytes = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < res.rawHeaders.length; i += 2) headerBytes += Buffer.byteLength(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) headers[k] = String(v);
        resolve({ status: res.statusCode ?? 0, body: body.toString('utf8'), headers, bodyBytes: body.length, headerBytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface EventPageOptions {
  db: Client;
  /** The database the API reads (the baseline reads the same). */
  databaseUrl: string;
  api: ApiProcess;
  /** Seconds of measured load for each side, in `slices` alternating slices, after `warmUp` unmeasured seconds each. */
  duration: number;
  warmUp: number;
  slices: number;
  log: (msg: string) => void;
}

/**
 * The public event page, `GET /e/{id}` as an anonymous reader asks for it,
 * over a spread of the published public events the bench seeded, against a
 * bare node:http + pg server that runs the same statements and renders the
 * same HTML with the same components (bench/bare-event-page-server.ts): 50
 * connections, each side warmed up, then measured in alternating slices.
 * Before measuring, both must answer the same body (the anonymous form token
 * set aside) and the same page headers for an event with seats and one without.
 */
export async function eventPageScenario(o: EventPageOptions): Promise<Scenario> {
  o.log('public event page');
  const { rows } = await o.db.query<{ id: string; capacity: number | null }>(
    `SELECT id, capacity FROM events WHERE status = 'published' AND visibility = 'public' AND published_at IS NOT NULL ORDER BY starts_at, id`,
  );
  if (rows.length === 0) throw new Error('no published public event to show');
  const step = Math.max(1, Math.floor(rows.length / SPREAD));
  const chosen = rows.filter((_, i) => i % step === 0).slice(0, SPREAD);
  // An event with seats (spots left on the page) among them, when there is one.
  const withSeats = rows.find((r) => r.capacity !== null);
  if (withSeats && !chosen.includes(withSeats)) chosen[chosen.length - 1] = withSeats;
  const paths = chosen.map((r) => `/e/${r.id}`);

  const first = await fetchRaw(o.api.origin, paths[0]);
  if (first.status !== 200) throw new Error(`the event page answered ${first.status}`);
  // The public address the API's pages write (its canonical link), which the baseline must write too.
  const canonical = /<link rel="canonical" href="([^"]+)\/e\/[^"/]+"/.exec(first.body)?.[1];
  if (!canonical) throw new Error('the event page has no canonical link');
  const bare = await startBareServer('bare-event-page-server.ts', { DATABASE_URL: o.databaseUrl, PUBLIC_BASE: canonical, JWT_SECRET });
  let measured: { ours: LoadResult; bare: LoadResult };
  const samples = [...new Set([paths[0], ...(withSeats ? [`/e/${withSeats.id}`] : [])])];
  let ourPage = first;
  try {
    for (const path of samples) {
      const [theirs, mine] = await Promise.all([fetchRaw(o.api.origin, path), fetchRaw(bare.origin, path)]);
      ourPage = theirs;
      if (theirs.status !== 200 || mine.status !== 200) throw new Error(`${path} answered ${theirs.status} (API) and ${mine.status} (bare)`);
      if (normalised(mine.body) !== normalised(theirs.body)) {
        const at = [...normalised(mine.body)].findIndex((c, i) => c !== normalised(theirs.body)[i]);
        throw new Error(`the bare server's event page differs from the API's at ${at}:\n${mine.body.slice(at - 100, at + 200)}\n${theirs.body.slice(at - 100, at + 200)}`);
      }
      for (const h of PAGE_HEADERS) {
        if (mine.headers[h] !== theirs.headers[h]) throw new Error(`${path}: ${h} is ${theirs.headers[h]} from the API and ${mine.headers[h]} from the bare server`);
      }
    }
    if (o.warmUp > 0) {
      await drive({ url: o.api.origin, connections: 50, duration: o.warmUp, paths });
      await drive({ url: bare.origin, connections: 50, duration: o.warmUp, paths });
    }
    const { ours, base } = await alternate(
      o.duration,
      (duration) => driveSample({ url: o.api.origin, connections: 50, duration, paths }),
      (duration) => driveSample({ url: bare.origin, connections: 50, duration, paths }),
      o.slices,
    );
    measured = { ours, bare: base };
  } finally {
    await bare.stop();
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  const bytes = { body: ourPage.bodyBytes, withHeaders: ourPage.bodyBytes + ourPage.headerBytes };
  return {
    id: 'event-page',
    name: `public event page GET /e/{id}, anonymous, over ${paths.length} published public events, 50 connections`,
    ours: { value: Math.round(measured.ours.reqPerSec), unit: 'req/s' },
    extra: `${bytes.body.toLocaleString('en')} B body, ${bytes.withHeaders.toLocaleString('en')} B with headers per page`,
    baseline: { value: Math.round(measured.bare.reqPerSec), unit: 'req/s', what: "bare node:http + pg server, the page's statements and view components, same body" },
    ratio: round(measured.ours.reqPerSec / measured.bare.reqPerSec),
    target: '≥ 0.7× baseline',
    pass: measured.ours.reqPerSec >= 0.7 * measured.bare.reqPerSec && measured.ours.errors + measured.ours.non2xx + measured.bare.errors + measured.bare.non2xx === 0,
    details: { ...measured, bytesPerRequest: bytes, events: paths.length },
  };
}
