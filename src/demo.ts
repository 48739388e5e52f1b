import 'reflect-metadata';

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createLogger } from './common/logger';
import { demoEnv, loadConfig } from './config/config';
import { recoverStaleLock } from './database/embedded-postgres';
import { DEMO_PASSWORD, seedDemo, type DemoScenario } from './demo/seed';
import { exitOnFailure, serve } from './server';

/** Marks a folder the demo created, and may therefore wipe. */
const MARKER = 'CONVOCA_DEMO';

/**
 * Every run starts from scratch: the demo's own database is wiped and
 * seeded again, so the tour works the same every time. Only a folder the
 * demo created (it holds MARKER) is ever wiped.
 */
async function freshDataDir(dir: string, notice: (line: string) => void): Promise<void> {
  const pgdata = join(dir, 'pgdata');
  if (existsSync(pgdata) && !existsSync(join(dir, MARKER))) {
    throw new Error(`${dir} holds a database the demo did not create; it is left alone. Set CONVOCA_DEMO_DATA_DIR to another folder.`);
  }
  // A demo still running on this folder refuses (one left by a killed run is stopped).
  if (existsSync(join(pgdata, 'PG_VERSION'))) await recoverStaleLock(pgdata, notice, 'CONVOCA_DEMO_DATA_DIR');
  rmSync(pgdata, { recursive: true, force: true });
  rmSync(join(dir, 'imports'), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), 'Created by `npm run demo`: the database in this folder is wiped and seeded again at every run.\n');
}

/** The five commands of the tour, each on one line, as a POSIX shell runs them (in order, in one shell). */
export function tourCommands(url: string, s: DemoScenario): { title: string; command: string }[] {
  const json = (field: string) => `node -pe 'JSON.parse(fs.readFileSync(0, "utf8")).${field}'`;
  const event = `${url}/api/v1/events/${s.draftEvent.id}`;
  const bearer = `-H "Authorization: Bearer $TOKEN"`;
  const credentials = JSON.stringify({ email: s.coordinatorEmail, password: DEMO_PASSWORD });
  const guest = JSON.stringify({ name: 'Lucia Quispe', email: 'lucia.quispe@example.org', consent: { dataProcessing: true } });
  return [
    {
      title: 'Log in as the coalition’s coordinator (the access token goes into $TOKEN)',
      command: `TOKEN=$(curl -s ${url}/api/v1/auth/login -H 'content-type: application/json' -d '${credentials}' | ${json('accessToken')}); echo "$TOKEN"`,
    },
    {
      title: 'Partner statistics: members by status and region for each partner, never a name (counts under 5 show as "<5")',
      command: `curl -s -w '\\n' ${url}/api/v1/coalitions/${s.coalitionSlug}/stats ${bearer}`,
    },
    { title: `Publish "${s.draftEvent.title}" (still a draft)`, command: `curl -s -w '\\n' -X POST ${event}/publish ${bearer}` },
    {
      title: 'Sign up to it as a guest, as the public page does (no login): the answer says going or waitlisted',
      command: `SIGNUP=$(curl -s ${event}/signups -H 'content-type: application/json' -d '${guest}'); echo "$SIGNUP"`,
    },
    {
      title: 'Check her in at the rally, as the coordinator',
      command: `curl -s -w '\\n' -X POST "${event}/signups/$(echo "$SIGNUP" | ${json('id')})/check-in" ${bearer}`,
    },
  ];
}

/** The pages members and the public reach the demo through. */
export function publicPages(url: string, s: DemoScenario): { label: string; url: string }[] {
  return [
    { label: 'Event:', url: `${url}/e/${s.marchEvent.id}` },
    { label: 'Organisation:', url: `${url}/o/${s.organisationSlug}` },
    { label: 'Join form:', url: `${url}/o/${s.organisationSlug}/join` },
    { label: 'Coalition:', url: `${url}/c/${s.coalitionSlug}` },
    { label: 'Log in:', url: `${url}/account/login` },
  ];
}

function banner(url: string, dataDir: string, s: DemoScenario, startupMs: number): string {
  const width = Math.max(...s.logins.map((l) => l.email.length));
  return [
    '',
    'Convoca demo — the VENCEREMOS coalition mobilises',
    '',
    `  API docs:   ${url}/api/docs`,
    `  Data:       ${dataDir} (wiped and seeded again at every \`npm run demo\`)`,
    `  Seeded:     ${s.members} members in 3 organisations, 5 demands, 1 pact, 1 campaign, 4 events; ready in ${(startupMs / 1000).toFixed(1)} s`,
    `  Dates are relative to today: the second round is on Sunday ${s.secondRound}; the march in Lima and the rallies in`,
    `  Arequipa, Cusco and Piura are on Monday ${s.marchDay}.`,
    '',
    `Demo logins (password for all: ${DEMO_PASSWORD}):`,
    ...s.logins.map((l) => `  ${l.email.padEnd(width)}  ${l.role}`),
    '',
    'Public pages (open them on a phone, or at phone width; ?lang=en for English):',
    '',
    ...publicPages(url, s).map((p) => `  ${p.label.padEnd(14)} ${p.url}`),
    '',
    'The story in five commands (paste them in order into one POSIX shell; node extracts the JSON fields):',
    '',
    ...tourCommands(url, s).flatMap((c, i) => [`# ${i + 1}. ${c.title}`, c.command, '']),
    'Ctrl-C stops the demo.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig(demoEnv(process.env));
  const logger = createLogger(config);
  await freshDataDir(config.dataDir, (line) => logger.warn(line));
  let scenario: DemoScenario | null = null;
  const { url, startupMs } = await serve(config, logger, {
    dataDirVariable: 'CONVOCA_DEMO_DATA_DIR',
    beforeListen: async (app) => {
      scenario = await seedDemo(app);
    },
  });
  process.stdout.write(banner(url, config.dataDir, scenario!, startupMs));
}

main().catch(exitOnFailure('the demo failed'));
