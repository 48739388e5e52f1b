import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figure {
  value: number;
  unit: string;
}

export interface Scenario {
  id: string;
  name: string;
  ours: Figure;
  /** Said after our figure in the report's row (e.g. the event page's bytes per request). */
  extra?: string;
  baseline: (Figure & { what: string }) | null;
  ratio: number | null;
  target: string;
  pass: boolean;
  details?: Record<string, unknown>;
}

export interface Results {
  date: string;
  mode: 'quick' | 'full';
  sizes: Record<string, number>;
  durationSeconds: number;
  pinned: boolean;
  machine: { nproc: number; memoryGiB: number; cpu: string };
  versions: Record<string, string>;
  seedSeconds: number;
  runSeconds: number;
  scenarios: Scenario[];
  failure: string | null;
}

/** Every scenario the harness measures, in report order (the smoke test checks they are all present). */
export const SCENARIO_IDS = ['member-search', 'deep-page', 'event-list', 'event-page', 'signup-burst', 'csv-export', 'csv-export-rss', 'read-rss', 'csv-import', 'startup'] as const;

/**
 * What each change made for the targets bought, measured with this harness
 * (before → after). Kept here so that the generated report carries it.
 */
export const CHANGES: string[] = [
  'Member search by words (migration MemberSearchWords, src/members/member-search.repository.ts). Before: one trigram GIN index over "given family e-mail", each query word matched by ' +
    '`%>` word similarity, the result sorted by name; a common name (`Quispe`, 15 % of members) or two words (`Rosa Mamani`) rechecked 10 000+ heap rows and sorted them, and the ' +
    "party-wide scope `EXISTS` hash-joined all 1M memberships: p95 7.6 s. After: every member's folded words sit in `member_search_words` with the member's directory key, indexed " +
    "(word, family, given, id) INCLUDE (all the member's words); a query word is expanded against the distinct words (trigram, or prefix for words with digits), and each expansion's " +
    'index range is walked in directory order and merged, so a page costs a page: `Quispe` 1.4 ms, `Rosa Mamani` 3 ms (the other word is read from the same index entry, no probe), ' +
    '`m4242` 3 ms (111 expansions: a set on the primary key, then sorted) of server time on the full data set; p95 under 10 connections 7 615 ms → 81 ms.',
  "Scope check per query shape: for a scope holding more than 2 % of all memberships (from the planner's statistics, one EXPLAIN), the directory is walked in order and each member " +
    "probed (`OFFSET 0` keeps the probe); below, the scope's own members are read first. First directory page of the party admin: 271 ms → 1.4 ms of server time (43 ms mean under 10 connections).",
  'CSV export from one server-side cursor in a read-only REPEATABLE READ transaction (`cursor_tuple_fraction = 1`, so PostgreSQL plans the whole join once, as COPY does), instead ' +
    'of 5 000-member keyset batches with a per-member membership lookup each: 13 179 → 105 290 rows/s at 1M (0.11× → 0.60× COPY); the file is one consistent snapshot.',
  'A 256 MiB old-space cap (`--max-old-space-size=256`, as `npm start`, the worker and docker/Dockerfile run the service): without it V8 let garbage pile up under load. ' +
    'Peak RSS under the read load 258 → 167 MiB, after the 1M export 358 → 185 MiB.',
  "JIT off for the API's connections (`options: -c jit=off`): on servers that ship LLVM, the larger search plans were JIT-compiled on every run (tens of ms each) for no gain at these row counts.",
  'No global interceptor: the check that a body-less route got no body moved from an interceptor into the global guard. Any global interceptor puts every request through an rxjs ' +
    'pipeline; the public event list went from 0.47× to 0.79× of the bare server on the same machine without it (two runs each, with the next change), every route gains.',
  "The public event list reads through the driver's pool (common/sql.ts `poolQuery`, errors still mapped as TypeORM's), skipping TypeORM's query runner: 0.45× → 0.57× locally.",
  'Public event list in plain SQL instead of the query builder (no entity metadata, no property-name rewriting): about 1.6× the requests per second on the same machine ' +
    '(990 → 1 610 req/s against PostgreSQL 15 here, single run each).',
  'Signups: the seat, the signup and its recipient row in one statement (the event row is locked by it, for that statement, the confirmation and the audit insert, instead of eight round trips); ' +
    'duplicates refused by the unique live-signup indexes instead of a prior SELECT; the rate-limit counters of a request in one upsert; audit entries in plain SQL. ' +
    '36 → 340 signups/s in the full runs (0.04× → 0.26× of the raw loop; the first figure came from a run on a machine busy with test suites).',
  'Signups without a transaction: the seat, the signup, its confirmation e-mail (outbox) and its audit entry are one statement (data-modifying CTEs), atomic by itself, so the ' +
    'event row is locked for that statement only and a signup costs 3 round trips instead of 7 (rate-limit counters, the event, the statement). Same-machine A/B with 2 000 ' +
    'signups: 0.25× → 0.29× of the raw loop; with the next change 0.37×; full run 0.26× → 0.47×.',
  "The event read before each signup (and each event page) by primary key in plain SQL hydrated as TypeORM's findOne does (common/sql.ts `byIdReader`, tested equal to findOne): " +
    "the query builder rebuilt its SQL on every call, about a tenth of a signup's CPU.",
  "The event list's answer written by a serializer compiled from EventSummary's documented fields (fastify response schema, fast-json-stringify: 20 µs instead of 55 µs for a " +
    'page of 20); an e2e test checks the body equals JSON.stringify of what the service returned. Security headers worked out once from helmet instead of @fastify/helmet ' +
    "rebuilding helmet's middleware on every request (about 2 % of the route). Same-machine runs of 20 s: 0.64–0.81× → 0.91–0.93×; full runs 0.54× (last round) and 0.57× (this round, before the headers change) → 0.78×.",
  "Search: a party-wide scope (200 organisations) is checked against a hash of its ids after the member's memberships are found by member id, instead of as an index " +
    "condition whose id list was sorted again on every probe (page of `m4242` 4.05 → 1.71 ms, `Quispe` 2.83 → 1.79 ms idle); the scope's size estimate is reused for a minute " +
    "(one EXPLAIN less per search); of several words the rarest by the planner's statistics leads the walk (`Rosa Mamani` 4.5 → 3.2 ms); the user, session and roles of a " +
    'request in one query; the JWT secret made a KeyObject once (jsonwebtoken tried the string as a public key, a thrown error on every request: 5 % of an authenticated ' +
    "request's CPU). API searches on the 1M set in a same-machine run: 146 → 269 per second, p95 121 → 68 ms.",
  "Embedded PostgreSQL with a quarter of the machine's memory as shared_buffers (128 MiB–1 GiB, `CONVOCA_PG_SHARED_BUFFERS_MB`) instead of PostgreSQL's 128 MiB, and an import " +
    "batch's search words written in index order (migration MemberSearchWordsInOrder): a 5 000-row batch into the 1M directory 6.2 s → 2.1 s of PostgreSQL time measured alone. " +
    'The full-run import rate did not move (1 710 → 1 674 rows/s): under the import, PostgreSQL still spends about 3 s per batch.',
  'Node 26 LTS instead of Node 20 (issue 18; with NestJS 11.2.12, TypeORM 1.1.3, argon2 0.45.1, nodemailer 10). Last full run on Node 20 → this run on Node 26: search 1.6× → 1.14×, ' +
    "deep page 1.15 → 1.1, event list 0.78× → 0.74×, signup burst 0.47× → 0.36×, export 1.01× → 0.58× (see the notes: 0.25–1.01× on either runtime, with the machine's load), import " +
    '0.008× → 0.009×, start-up 2.4 → 2.0 s. Peak RSS is higher on Node 26: after the 1M export 185 → 209–239 MiB (161 MiB for Node 20 in the same-day A/B), under the read load ' +
    '165 → 206–216 MiB; both under their limits (300 and 250 MiB), the read-load figure with less room than before.',
  "One data layer (issue 19): every module's SQL in its repositories, side effects (audit entry, notices) as subscribers of domain events, one object-level access shape; the hot statements moved unchanged, and a new signup is still one statement (the subscribers' parts are CTEs of it). Last full run → this run: search 1.14× → 1.44× (the same queries per search; 1.14–1.6× in the last three full runs), deep page 1.1 → 1.01, event list 0.74× → 0.79×, signup burst 0.36× → 0.37×, export 0.58× → 0.60×, import 0.009× → 0.009×; peak RSS under the read load 213 → 224 MiB.",
  'Public event page (issue 23, new scenario `event-page`): the date, time and list formatters of the pages made once per language, options and time zone instead of on every ' +
    'call (i18n.ts `dateTimeFormat`; rendering one event page alone 875–2 900 µs → 84–114 µs, the same HTML), and the shifts read without reading the event a second time ' +
    '(`EventsService.shiftsOf`, 5 → 4 statements per page; the shifts in plain SQL made once from the entity, `rowsReader`). Runs with 100 000 members and 10 000 events on the shared ' +
    '2-core machine (other test suites running, load average 4–7): before 279 req/s against the bare server’s 312 (0.89×), after 608 against 470 (1.29×); quick runs (5 000 members, 200 events) 0.99–1.03× ' +
    'before, 0.89–0.91× after. Making what both sides share cheaper lowers the ratio where the API is busy on its core (the framework’s part weighs more), while each page costs less.',
  "Method: the search and event-list phases alternate slices of the API and its baseline, and the seed ends with a CHECKPOINT and waits for autovacuum and the kernel's writeback " +
    'to finish (`settle`), so neither side is measured while the server digests the load.',
];

/** Targets this build does not meet, and why (from the committed full run). */
export const NOTES: string[] = [
  'Member search (p95 ≤ 25 ms and ≤ 2× the same SQL): p95 103 ms, 1.14× the same queries in a pg loop (91 ms p95): the second half holds, the first does not, and cannot on this ' +
    "machine as the queries stand: PostgreSQL alone, running exactly the API's SQL from 10 clients, has a p95 of 46–114 ms across the full runs, twice the target or more, before any HTTP, " +
    'authentication or JSON. Idle, a search costs PostgreSQL 1–3 ms (word expansion 0.3 ms; the page 0.9 ms for `Quispe`, 1.7 ms for `m4242`, 3 ms for `Rosa Mamani`, whose two ' +
    'common words leave about 2 500 index entries to walk for 50 matches; memberships 0.5 ms), and ten at once on 2 cores shared with the API and the load generator queue. ' +
    "Reaching 25 ms needs about a third of that work per search: the next steps would be keeping each member's scope-relevant organisation in the words index (no membership " +
    "probe per entry), sending the caller's scope as its root organisations instead of hundreds of ids (0.25 ms per query just to ship and parse the list), and one statement for " +
    'expansion and page.',
  'CSV import (≥ 0.5× COPY into a bare table): 0.009× (1 751 vs 197 398 rows/s; 100 000 new members into a directory of a million; 0.008× in earlier runs). Not reachable with the indexes the directory ' +
    'and the search need: COPY of the same file into an *empty* copy of the members table with its indexes is already 0.07–0.09× of the bare COPY (23 684 rows/s when measured), and the ' +
    'import writes into tables of a million rows, where each new member costs index entries in members, memberships and five search-word rows (a 1.2 GB index): PostgreSQL spends ' +
    "about 3 s per 5 000-row batch (members 0.35 s, memberships 0.25 s, search words 1.2 s after this round's change, the rest commit and bookkeeping) while the API process is idle " +
    '94 % of the import (CPU profile). The import is already one set-based statement per 5 000 rows. Next: a narrower words index (without the INCLUDE of all words) would roughly ' +
    'halve the search-word cost at the price of a probe per entry for multi-word searches.',
  'Public event list passes in this run (0.74×); across runs on this shared machine it measured 0.56–0.93× in full-size runs before the second performance round and 0.65–0.84× after, 0.74–1.15× on Node 26: ' +
    'the API is CPU-bound on its core, which PostgreSQL also uses, while the bare server is not, so whatever else runs there weighs on the API alone. Both sides are now measured in ' +
    'alternating slices after the seed has settled, which removed most of the spread.',
  'Signup burst passes (0.36×, with 0 errors, exactly 1 000 going, 1 000 waitlisted and every counter equal to its signups; 0.35–0.47× across the last full runs).',
  'CSV export passes in this run (0.58×). It is the scenario most exposed to whatever else runs on the machine: the export and its COPY baseline are measured one after the other, ' +
    'not in alternating slices, so load during the export weighs on it alone. Full runs measured 0.60× (when the cursor export landed) and 1.01× (the last report) on Node 20, 0.25×, 0.40× and 0.58× on Node 26 (the ' +
    'first two with other test suites running); an export-only A/B at 1M members gave 0.31× for main on Node 20 (machine busy) and 0.61× for Node 26 (quieter), and back to back at ' +
    '300 000 members 0.49× (Node 20) and 0.55× (Node 26).',
  'Machine: one run on 2 cores (API pinned to one, load generator to the other, PostgreSQL on both); ratios within a run are the meaningful figures, absolute ones vary by ±30 % ' +
    "between runs (this run's seed took 352 s, earlier ones 166–435 s).",
];

const num = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 2 });

/** Writes REPORT.md and results.json into `dir`; returns the ids of missed targets. */
export function writeReport(dir: string, results: Results): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const missed = results.scenarios.filter((s) => !s.pass).map((s) => s.id);
  const lines = [
    '# Convoca benchmark report',
    '',
    `Generated by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` on ${results.date} (${results.mode} run: ${Object.entries(results.sizes)
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ')}; ${results.durationSeconds} s per load phase; seeding ${results.seedSeconds} s; whole run ${results.runSeconds} s).`,
    '',
    '| scenario | ours | baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|',
    ...results.scenarios.map(
      (s) =>
        `| ${s.name} | ${num(s.ours.value)} ${s.ours.unit}${s.extra ? ` (${s.extra})` : ''} | ${s.baseline ? `${num(s.baseline.value)} ${s.baseline.unit} (${s.baseline.what})` : '—'} | ${s.ratio === null ? '—' : `${num(s.ratio)}×`} | ${s.target} | ${s.pass ? 'pass' : '**MISS**'} |`,
    ),
    '',
    results.failure ? `**The run failed before finishing:**\n\n\`\`\`\n${results.failure}\n\`\`\`\n` : '',
    '## Machine and versions',
    '',
    `- ${results.machine.nproc} cores (${results.machine.cpu}), ${results.machine.memoryGiB} GiB memory; server ${results.pinned ? 'pinned to core 0 and load generator to core 1 with taskset' : 'and load generator not pinned (no taskset)'}; PostgreSQL unpinned`,
    ...Object.entries(results.versions).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## How it is measured',
    '',
    '- The API runs as its own process (`node --max-old-space-size=256 dist/src/main.js`, as `npm start` runs it; NODE_ENV=production, request logging off, outbox worker off) against a fresh database seeded with set-based SQL (then VACUUM ANALYZE, as autovacuum would soon do); autocannon drives it over loopback.',
    "- The event-list baseline is a bare node:http + pg server (bench/bare-events-server.ts) running the SQL the API itself ran (read back from pg_stat_activity) with the API's own row mapping; the harness checks both answer the same body.",
    "- The event-page baseline is a bare node:http + pg server (bench/bare-event-page-server.ts) that runs the page's statements with the API's own repository methods, in the same order, and renders the page with the app's own view components, page headers and anonymous form token; it leaves out the framework, the guards, the API-wide security headers and the request id. Both serve `GET /e/{id}` over a spread of 100 published public events; the harness checks that both answer the same body (the anonymous form token, the same for every anonymous reader within the hour, set aside) and the same page headers. The bytes per request are those of the API's answer.",
    '- The signup burst fires guest signups all at once over 500 connections, each from its own address (X-Forwarded-For, TRUST_PROXY on); the raw loop runs the conditional seat UPDATE and the signup INSERT in one transaction from 10 clients, on other events of the same size.',
    '- Latency figures are per response, measured by the load generator; baselines run the same SQL through `pg` (or `psql` for COPY) from the load-generator process, against the same database, in the same run.',
    "- The search, event-list and event-page phases give the API and its baseline the same 2 s unmeasured warm-up first (JIT, connection pools), then measure them in alternating slices (ours, baseline, four times; each side's slices pooled), so background work of the server (autovacuum, checkpoints) weighs on both alike. The seed ends with a CHECKPOINT.",
    "- Peak RSS is the API process's VmHWM from /proc.",
    '',
    '## Targets missed, and why',
    '',
    ...NOTES.map((n) => `- ${n}`),
    '',
    '## What each change bought',
    '',
    ...(CHANGES.length ? CHANGES.map((c) => `- ${c}`) : ['- (no changes yet)']),
    '',
  ];
  writeFileSync(join(dir, 'REPORT.md'), lines.join('\n'));
  return missed;
}
