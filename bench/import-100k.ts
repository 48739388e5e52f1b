/**
 * Measurement for issue 4 (not a test): a 100 000-row member CSV
 *  1. imported through the service's own code path (the real app, in this
 *     process, over HTTP: multipart upload → 202 → background batches →
 *     `completed`), in rows per second;
 *  2. COPYed, in the same run, into a bare table (no indexes, no
 *     constraints), and into a table shaped like `members` with all its
 *     indexes, for comparison;
 *  3. exported again as CSV (GET /organisations/:id/members.csv), counting
 *     rows and sampling this process's RSS while the download streams.
 *
 *   npx ts-node --transpile-only bench/import-100k.ts
 *   (node --expose-gc -r ts-node/register/transpile-only bench/import-100k.ts: starts the export from a collected heap)
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a server where the script may create and drop a scratch database; the server
 * must be on this machine (server-side COPY reads the file). BENCH_ROWS
 * changes the size; BENCH_KEEP=1 keeps the database.
 */
import 'reflect-metadata';

import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { createApp } from '../src/app';
import { hashPassword } from '../src/auth/passwords';
import { loadConfig } from '../src/config/config';
import { databaseUrl, generateMemberCsv, mib, rate } from './lib/synthetic';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'bench password long enough';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'convoca-bench-'));
  chmodSync(dir, 0o755); // the PostgreSQL server reads the file for COPY
  const file = join(dir, 'members.csv');
  const bytes = generateMemberCsv(file, ROWS);
  chmodSync(file, 0o644);
  console.log(`generated ${ROWS.toLocaleString('en')} rows, ${mib(bytes)}: ${file}`);

  const database = `convoca_bench_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const config = loadConfig({
    NODE_ENV: 'development',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    CONVOCA_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    REQUEST_LOGGING: 'false',
    DB_STATEMENT_TIMEOUT_MS: '600000', // the COPYs of larger files run longer than a request may
  });
  const app = await createApp({ ...config, databaseUrl: databaseUrl(SERVER, database), runMigrations: true });
  await app.listen(0, '127.0.0.1');
  const base = `${await app.getUrl()}/api/v1`.replace('[::1]', '127.0.0.1');
  const db = app.get<DataSource>(getDataSourceToken());
  try {
    // An organisation and its org_admin, straight into the database.
    const [org] = await db.query<{ id: string }[]>(`INSERT INTO organisations (slug, name, kind) VALUES ('bench', 'Bench', 'party') RETURNING id`);
    const [user] = await db.query<{ id: string }[]>(`INSERT INTO users (email, password_hash) VALUES ('admin@bench.example', $1) RETURNING id`, [await hashPassword(PASSWORD)]);
    await db.query(`INSERT INTO role_assignments (user_id, role, organisation_id) VALUES ($1, 'org_admin', $2)`, [user.id, org.id]);
    const loginRes = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@bench.example', password: PASSWORD }) });
    const { accessToken } = (await loginRes.json()) as { accessToken: string };
    const auth = { Authorization: `Bearer ${accessToken}` };

    // 1. Import through the service.
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)], { type: 'text/csv' }), 'members.csv');
    const t0 = performance.now();
    const upload = await fetch(`${base}/organisations/${org.id}/imports`, { method: 'POST', headers: auth, body: form });
    const accepted = (await upload.json()) as { id: string };
    const t202 = performance.now();
    if (upload.status !== 202) throw new Error(`upload answered ${upload.status}: ${JSON.stringify(accepted)}`);
    let state = '';
    let view: { state: string; counts: Record<string, number>; failure: string | null } = { state: '', counts: {}, failure: null };
    while (state !== 'completed' && state !== 'failed') {
      await sleep(100);
      view = (await (await fetch(`${base}/imports/${accepted.id}`, { headers: auth })).json()) as typeof view;
      state = view.state;
    }
    const tDone = performance.now();
    if (state !== 'completed') throw new Error(`import ${state}: ${view.failure}`);
    const importMs = tDone - t0;

    // 2. COPY of the same file, same server, same run.
    const columns = 'given_name, family_name, email, phone, region, locality, status, joined_on, title';
    await db.query(`CREATE TABLE bench_copy_bare (given_name text, family_name text, email text, phone text, region text, locality text, status text, joined_on text, title text)`);
    let t = performance.now();
    await db.query(`COPY bench_copy_bare (${columns}) FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    const copyBareMs = performance.now() - t;
    await db.query(`CREATE TABLE bench_copy_indexed (LIKE members INCLUDING ALL, status text, joined_on date, title text)`);
    // The file names no data controller: every row is the root party's, as in the import.
    await db.query(`ALTER TABLE bench_copy_indexed ALTER COLUMN controller_id SET DEFAULT '${org.id}'`);
    t = performance.now();
    await db.query(`COPY bench_copy_indexed (${columns}) FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    const copyIndexedMs = performance.now() - t;

    // 3. Export the same rows, streamed; sample RSS while it runs.
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    let rssPeak = rssBefore;
    let heapPeak = heapBefore;
    let liveHeapPeak = 0;
    let ticks = 0;
    const sampler = setInterval(() => {
      // With --expose-gc, every 25th sample collects first: the heap still in use, not garbage awaiting collection.
      if (global.gc && ++ticks % 25 === 0) {
        global.gc();
        liveHeapPeak = Math.max(liveHeapPeak, process.memoryUsage().heapUsed);
      }
      const m = process.memoryUsage();
      rssPeak = Math.max(rssPeak, m.rss);
      heapPeak = Math.max(heapPeak, m.heapUsed);
    }, 10);
    t = performance.now();
    const res = await fetch(`${base}/organisations/${org.id}/members.csv`, { headers: auth });
    let exportedBytes = 0;
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      exportedBytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    }
    const exportMs = performance.now() - t;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    const counts = view.counts;
    console.log('');
    console.log(
      `import through the service: ${ROWS.toLocaleString('en')} rows in ${(importMs / 1000).toFixed(2)} s = ${rate(ROWS, importMs)} (upload + scan + store answered 202 after ${Math.round(t202 - t0)} ms)`,
    );
    console.log(`   counts: read ${counts.read}, created ${counts.created}, updated ${counts.updated}, failed ${counts.failed}`);
    console.log(`COPY into a bare table:     ${(copyBareMs / 1000).toFixed(2)} s = ${rate(ROWS, copyBareMs)}`);
    console.log(`COPY into members-like table with the same indexes: ${(copyIndexedMs / 1000).toFixed(2)} s = ${rate(ROWS, copyIndexedMs)}`);
    console.log(`import / bare COPY: ${(importMs / copyBareMs).toFixed(1)}× slower`);
    console.log(`export: ${(newlines - 1).toLocaleString('en')} rows, ${mib(exportedBytes)} in ${(exportMs / 1000).toFixed(2)} s = ${rate(newlines - 1, exportMs)}; HTTP ${res.status}`);
    console.log(`   RSS of this process (server and client): ${mib(rssBefore)} before the export, ${mib(rssPeak)} peak during it (+${mib(rssPeak - rssBefore)}); the CSV is ${mib(exportedBytes)}`);
    console.log(`   V8 heap used: ${mib(heapBefore)} before, ${mib(heapPeak)} peak during the export (+${mib(heapPeak - heapBefore)})`);
    if (global.gc) console.log(`   live heap (after a forced GC every 250 ms): peak ${mib(liveHeapPeak)} (+${mib(liveHeapPeak - heapBefore)} over the collected heap before the export)`);
    console.log(`   process peak RSS over the whole run (incl. generating and uploading the file): ${mib(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    await app.close();
    if (process.env.BENCH_KEEP !== '1') await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
