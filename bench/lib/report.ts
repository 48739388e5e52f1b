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
export const SCENARIO_IDS = ['member-search', 'deep-page', 'event-list', 'signup-burst', 'csv-export', 'csv-export-rss', 'read-rss', 'csv-import', 'startup'] as const;

/**
 * What each change made for the targets bought, measured with this harness
 * (before → after). Kept here so that the generated report carries it.
 */
export const CHANGES: string[] = [
  'Members CSV export, scope check kept a per-member lookup (`OFFSET 0` in the `EXISTS … memberships … organisation_id = ANY(scope)`) when the exported tree holds ' +
    'more than 20 % of all members (src/members/member-export.service.ts; one count per export decides). Before, the planner hash-joined all 1 000 000 memberships ' +
    'of the tree into every 5 000-row batch: 4.4 s per batch, so a 1M export would have taken about 15 min (the first full run was stopped); after, 0.5 s per batch ' +
    'and the whole 1M export in 79–85 s (≈12k rows/s), peak RSS 273 MiB. Small organisations keep the planner\'s own plan (walking the whole directory for them would be slower).',
  'Tried, not shipped: the same `OFFSET 0` in the member directory\'s scope `EXISTS` (members.service.ts `directory`). For the party admin over 1M members it took the first page ' +
    'from 278 ms to 77 ms mean and the mixed search p50 from 3.9 s to 1.8 s, but for the admin of a small chapter it makes every page walk the directory index past ' +
    'about 200 non-members per member shown; that case is not measured here yet, so the change was left out rather than trade one regression for another.',
];

/** Targets this build does not meet, and why (from the committed full run). */
export const NOTES: string[] = [
  'Member search (p95 ≤ 25 ms): missed by more than two orders of magnitude (p95 7.6 s), and the API is not the bottleneck: the same SQL in a `pg` loop is as slow or slower in the same run (0.72×). The scope `EXISTS` is hash-joined against all 1M memberships of the party (see "Tried, not shipped"), and  ' +
    'a common word or a two-word query (`Quispe`, `Rosa Mamani`) matches 1–15 % of 1M members; `%>` word similarity then rechecks ~10 000+ heap rows (≈2.3 s for `Rosa Mamani` alone under load) ' +
    'before sorting by name. Meeting the target needs a different search design (prefix search on name columns with a btree `text_pattern_ops`/`C`-collation index walked in directory order, ' +
    'or a tsvector/full-text index, keeping trigram similarity for rare fragments only), not a tweak.',
  'Deep page (≤ 1.5×) passes for an unflattering reason: the first page is the slow one (271 ms mean, the same scope hash join), the keyset page near the end 93 ms.',
  'CSV export (≥ 0.5× COPY): 0.11×. Each 5 000-row batch pays one (member_id, organisation_id = ANY(scope)) probe per member (≈0.05–0.1 ms each, the 200-element array is re-prepared per probe) ' +
    'plus CSV formatting in JavaScript on one core. Next step: fetch a keyset page of members and its memberships with one `member_id = ANY(page)` join per batch.',
  'CSV import (≥ 0.5× bare COPY): 0.02×. Against COPY into an identically indexed `members`-shaped table (unique citext e-mail, directory indexes, trigram GIN) the import reaches 0.24× (5.0k vs 20.6k rows/s): ' +
    'index upkeep, not the service, dominates; the service additionally does per-row validation, find-or-create by e-mail, memberships, consents and audit. The 0.5× bare-COPY target is not reachable with these indexes.',
  'Public event list and signup burst: not measured in this run — the events feature (issue 7) had not been merged into main when this report was produced.',
  'Machine noise: the run shares 2 cores with other work (test suites of parallel branches), so absolute figures vary between runs by ±30 %; ratios within a run are the meaningful figures.',
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
    `Generated by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` on ${results.date} (${results.mode} run: ${Object.entries(results.sizes).map(([k, v]) => `${k} ${num(v)}`).join(', ')}; ${results.durationSeconds} s per load phase; seeding ${results.seedSeconds} s; whole run ${results.runSeconds} s).`,
    '',
    '| scenario | ours | baseline (same run) | ratio | target | result |',
    '|---|---|---|---|---|---|',
    ...results.scenarios.map(
      (s) =>
        `| ${s.name} | ${num(s.ours.value)} ${s.ours.unit} | ${s.baseline ? `${num(s.baseline.value)} ${s.baseline.unit} (${s.baseline.what})` : '—'} | ${s.ratio === null ? '—' : `${num(s.ratio)}×`} | ${s.target} | ${s.pass ? 'pass' : '**MISS**'} |`,
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
    '- The API runs as its own process (`node dist/src/main.js`, NODE_ENV=production, request logging off, outbox worker off) against a fresh database seeded with set-based SQL; autocannon drives it over loopback.',
    '- Latency figures are per response, measured by the load generator; baselines run the same SQL through `pg` (or `psql` for COPY) from the load-generator process, against the same database, in the same run.',
    '- Peak RSS is the API process\'s VmHWM from /proc.',
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
