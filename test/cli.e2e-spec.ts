import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { createTestDatabase, databaseUrl, TEST_ENV, type TestDatabase } from './support/database';
import { runCli } from './support/process';

// Each case spawns the real command (its start, then the import itself): slow on a busy machine.
jest.setTimeout(180_000);

const ROWS = 10_000;
const REGIONS = ['Lima', 'Arequipa', 'Cusco', 'Piura', 'Puno'];

/**
 * A 10 000-row file. Every 250th row is wrong in one of four ways (40 rows);
 * row 7 is a person who already belongs to the organisation (updated); row 8
 * a known person who does not yet (a new membership for an existing person).
 */
function tenThousandRows(): { csv: string; badLines: Map<number, RegExp> } {
  const lines = ['nombre,apellidos,correo,telefono,departamento,estado'];
  const badLines = new Map<number, RegExp>();
  for (let i = 1; i <= ROWS; i++) {
    const line = i + 1; // the header is line 1
    const row = [`Given${i}`, `Family${i}`, `person${i}@example.org`, `+5198${String(i).padStart(7, '0')}`, REGIONS[i % REGIONS.length], 'active'];
    if (i === 7) row[2] = 'already.member@example.org';
    if (i === 8) row[2] = 'known.person@example.org';
    if (i % 250 === 0) {
      switch ((i / 250) % 4) {
        case 0:
          row[2] = 'not-an-address';
          badLines.set(line, /email/);
          break;
        case 1:
          row[1] = '';
          badLines.set(line, /family_name/);
          break;
        case 2:
          row[3] = '12345';
          badLines.set(line, /phone/);
          break;
        default:
          row[2] = 'person1@example.org';
          badLines.set(line, /duplicate of line 2/);
      }
    }
    lines.push(row.join(','));
  }
  return { csv: lines.join('\n') + '\n', badLines };
}

describe('the command-line tool for operators', () => {
  let database: TestDatabase;
  let db: Client;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    dir = mkdtempSync(join(tmpdir(), 'convoca-cli-'));
    env = { DATABASE_URL: database.url, CONVOCA_DATA_DIR: dir };
    const [org] = (await db.query<{ id: string }>(`INSERT INTO organisations (slug, name, kind) VALUES ('voces-del-pueblo', 'Voces del Pueblo', 'party') RETURNING id`)).rows;
    await db.query(`INSERT INTO organisations (slug, name, kind, external) VALUES ('juntos', 'Juntos por el Perú', 'party', true)`);
    const [already] = (
      await db.query<{ id: string }>(`INSERT INTO members (controller_id, given_name, family_name, email) VALUES ($1, 'Ya', 'Miembro', 'already.member@example.org') RETURNING id`, [org.id])
    ).rows;
    await db.query(`INSERT INTO members (controller_id, given_name, family_name, email) VALUES ($1, 'Conocida', 'Persona', 'known.person@example.org')`, [org.id]);
    await db.query(`INSERT INTO memberships (member_id, organisation_id, status, source) VALUES ($1, $2, 'active', 'manual')`, [already.id, org.id]);
  });
  afterAll(async () => {
    await db.end();
    await database.drop();
  });

  it('imports 10 000 rows with progress, and sums up what it did with the rejected rows by line', async () => {
    const { csv, badLines } = tenThousandRows();
    const file = join(dir, 'members.csv');
    writeFileSync(file, csv);

    const { code, out } = await runCli(env, ['import-members', file, '--organisation', 'voces-del-pueblo']);

    // Not a terminal: plain progress lines, from 0 % to 100 %, never going back.
    const percents = [...out.matchAll(/^importing into voces-del-pueblo: (\d+)% \((\d[\d ]*)\/10 000 rows/gm)].map((m) => Number(m[1]));
    expect(percents[0]).toBe(0);
    expect(percents[percents.length - 1]).toBe(100);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const failed = badLines.size;
    expect(failed).toBe(40);
    expect(out).toMatch(/: completed\n/);
    expect(out).toContain(`rows read:            ${ROWS} of ${ROWS}\n`);
    expect(out).toContain(`memberships created:  ${ROWS - failed - 1}\n`);
    expect(out).toContain('memberships updated:  1 ');
    expect(out).toContain(`rows rejected:        ${failed}\n`);
    expect(out).toContain(`rejected rows (the first 20 of ${failed}):`);
    const listed = [...out.matchAll(/^ {2}line (\d+): (.*)$/gm)];
    expect(listed).toHaveLength(20);
    for (const [, line, reason] of listed) expect(reason).toMatch(badLines.get(Number(line))!);
    expect(listed.map((m) => Number(m[1]))).toEqual([...badLines.keys()].slice(0, 20));
    expect(out).toContain(`… and ${failed - 20} more`);
    expect(code).toBe(65); // some rows were rejected, the others imported

    const counts = await db.query<{ n: number; people: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT m.id)::int AS people FROM memberships ms JOIN members m ON m.id = ms.member_id JOIN organisations o ON o.id = ms.organisation_id
        WHERE o.slug = 'voces-del-pueblo'`,
    );
    expect(counts.rows[0]).toEqual({ n: ROWS - failed, people: ROWS - failed });
    const sample = await db.query(`SELECT given_name, family_name, phone, region FROM members WHERE email = 'person4321@example.org'`);
    expect(sample.rows).toEqual([{ given_name: 'Given4321', family_name: 'Family4321', phone: '+51980004321', region: REGIONS[4321 % REGIONS.length] }]);
    const known = await db.query(`SELECT count(*)::int AS n FROM members WHERE email = 'known.person@example.org'`);
    expect(known.rows[0].n).toBe(1); // linked, not duplicated

    // The export of the same organisation has every membership, and can be imported again.
    const exported = join(dir, 'export.csv');
    const exportRun = await runCli(env, ['export-members', '--organisation', 'voces-del-pueblo', '--out', exported]);
    expect(exportRun).toMatchObject({ code: 0 });
    expect(exportRun.out).toContain(`exported ${ROWS - failed} membership(s) of voces-del-pueblo to ${exported}`);
    const text = readFileSync(exported, 'utf8').trim().split('\n');
    expect(text[0]).toMatch(/^given_name,family_name,email,/);
    expect(text).toHaveLength(ROWS - failed + 1);
    expect(text.some((l) => l.startsWith('Given4321,Family4321,person4321@example.org,'))).toBe(true);
  });

  it('fails with one clear line and a meaningful exit code', async () => {
    const noHeader = join(dir, 'bad-header.csv');
    writeFileSync(noHeader, 'nombre,cumpleanos\nAna,1990-01-01\n');
    const cases: [string[], number, RegExp][] = [
      [['import-members', join(dir, 'missing.csv'), '--organisation', 'voces-del-pueblo'], 66, /no such file: .*missing\.csv/],
      [['import-members', noHeader, '--organisation', 'nope'], 65, /unknown organisation "nope"/],
      [['import-members', noHeader, '--organisation', 'juntos'], 65, /external organisation has no members/],
      [['import-members', noHeader, '--organisation', 'voces-del-pueblo'], 65, /Unknown column "cumpleanos".*no family_name column/],
      [['import-members', noHeader], 64, /needs --organisation/],
      [['frobnicate'], 64, /unknown command "frobnicate"/],
    ];
    // Independent runs: side by side (each one's start-up is most of its time).
    const runs = await Promise.all(cases.map(([args]) => runCli(env, args)));
    for (const [i, [args, expected, message]] of cases.entries()) {
      const { code, out } = runs[i];
      const lines = out.trim().split('\n');
      expect({ args, code, lines: lines.length }).toEqual({ args, code: expected, lines: 1 });
      expect(lines[0]).toMatch(/^convoca: /);
      expect(lines[0]).toMatch(message);
    }
    const imports = await db.query(`SELECT count(*)::int AS n FROM imports WHERE rows_total = 1`);
    expect(imports.rows[0].n).toBe(0); // a refused file leaves nothing behind
  });

  it('migrates an empty database', async () => {
    const admin = new Client({ connectionString: process.env[TEST_ENV.adminUrl] });
    await admin.connect();
    const name = `convoca_cli_empty_${process.pid}`;
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const { code, out } = await runCli({ ...env, DATABASE_URL: databaseUrl(process.env[TEST_ENV.adminUrl]!, name) }, ['migrate']);
      expect(code).toBe(0);
      expect(out).toMatch(/^applied \d+ migration\(s\): Extensions\d+, /);
      const again = await runCli({ ...env, DATABASE_URL: databaseUrl(process.env[TEST_ENV.adminUrl]!, name) }, ['migrate']);
      expect(again).toMatchObject({ code: 0, out: 'the database is up to date\n' });
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('documents every command in --help', async () => {
    const { code, out } = await runCli(env, ['--help']);
    expect(code).toBe(0);
    for (const command of ['create-admin <email>', 'import-members <file.csv> --organisation <slug>', 'export-members --organisation <slug> [--out <file.csv>]', 'migrate']) {
      expect(out).toContain(command);
    }
  });
});
