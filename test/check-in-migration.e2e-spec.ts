import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../src/database/database-options';
import { runMigrations } from '../src/database/migrations';
import { CheckInCodes } from '../src/events/check-in-codes';
import { TEST_JWT_SECRET } from './support/app';
import { databaseUrl, TEST_ENV } from './support/database';

const MIGRATIONS = join(__dirname, '..', 'migrations');
const CHECK_IN = '1795796000000-CheckIn.ts';

/**
 * The data migration of issue 21 on a seeded database of the model before
 * it: every signup that may still come to the door gets the hashes of the
 * codes CheckInCodes derives (so the codes shown from now on find them);
 * cancelled and erased ones get none. Then down and up again.
 */
describe('migration CheckIn: check-in codes for existing signups', () => {
  const name = `convoca_checkin_${process.pid}_${Date.now().toString(36)}`;
  let admin: Client;
  let db: Client;
  const ids: Record<string, string> = {};
  const codes = new CheckInCodes({ jwtSecret: TEST_JWT_SECRET });

  const earlier = () =>
    readdirSync(MIGRATIONS)
      .filter((f) => f.endsWith('.ts') && f < CHECK_IN)
      .map((f) => join(MIGRATIONS, f));
  const source = (migrations: string[]) => new DataSource({ ...dataSourceOptions(databaseUrl(process.env[TEST_ENV.adminUrl]!, name), { dbPoolSize: 2, dbStatementTimeoutMs: 60000 }), migrations });
  const withSource = async <T>(migrations: string[], work: (ds: DataSource) => Promise<T>): Promise<T> => {
    const ds = source(migrations);
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  };
  /** Reverts the migrations that came after CheckIn (latest first, as a real revert goes), then CheckIn itself. */
  const undoCheckIn = async (ds: DataSource) => {
    for (let i = 0; i < 20; i++) {
      const [last] = await ds.query<{ name: string }[]>('SELECT name FROM typeorm_migrations ORDER BY timestamp DESC LIMIT 1');
      await ds.undoLastMigration({ transaction: 'each' });
      if (last.name.startsWith('CheckIn')) return;
    }
  };
  const id = async (sql: string, params: unknown[] = []) => ((await db.query(`${sql} RETURNING id`, params)).rows[0] as { id: string }).id;
  const hashes = async () =>
    Object.fromEntries(
      (await db.query<{ id: string; token: string | null; code: string | null }>('SELECT id, checkin_token_hash AS token, checkin_code_hash AS code FROM event_signups')).rows.map((r) => [
        r.id,
        { token: r.token, code: r.code },
      ]),
    );
  const columns = async () =>
    (await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'event_signups' AND column_name LIKE '%checkin%' ORDER BY 1`)).rows.map(
      (r) => r.column_name,
    );

  beforeAll(async () => {
    admin = new Client({ connectionString: process.env[TEST_ENV.adminUrl] });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await withSource(earlier(), (ds) => runMigrations(ds));

    db = new Client({ connectionString: databaseUrl(process.env[TEST_ENV.adminUrl]!, name) });
    await db.connect();
    const org = await id(`INSERT INTO organisations (slug, name, kind) VALUES ('vp', 'Voces del Pueblo', 'party')`);
    const event = await id(
      `INSERT INTO events (title, kind, status, published_at, starts_at, ends_at, host_organisation_id, capacity, going_count) VALUES ('Marcha', 'march', 'published', now(), now() + interval '7 days', now() + interval '8 days', $1, 10, 3)`,
      [org],
    );
    const signup = (status: string, fields = '') =>
      id(
        `INSERT INTO event_signups (event_id, guest_name, guest_email, status, source, consent_data_processing_at${fields ? ', erased_at' : ''})
         VALUES ($1, 'Rosa', $2, $3, 'guest_form', now()${fields ? ', now()' : ''})`,
        [event, `${status}${fields}@example.org`, status],
      );
    for (const status of ['going', 'waitlisted', 'attended', 'no_show', 'cancelled']) ids[status] = await signup(status);
    ids.erased = await signup('cancelled', 'erased');
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('will not run without the key it derives the codes from (it would leave them unfindable)', async () => {
    await expect(withSource([join(MIGRATIONS, '*.ts')], (ds) => runMigrations(ds))).rejects.toThrow(/derives values from JWT_SECRET/);
    expect(await columns()).toEqual([]);
  });

  it('gives every signup that may still come to the door the hashes of its codes, and none to cancelled or erased ones', async () => {
    await withSource([join(MIGRATIONS, '*.ts')], (ds) => runMigrations(ds, { jwtSecret: TEST_JWT_SECRET }));
    const stored = await hashes();
    for (const status of ['going', 'waitlisted', 'attended', 'no_show']) {
      expect(stored[ids[status]]).toEqual({ token: codes.hash({ token: codes.tokenFor(ids[status]) }), code: codes.hash({ code: codes.shortCodeFor(ids[status]) }) });
    }
    expect(stored[ids.cancelled]).toEqual({ token: null, code: null });
    expect(stored[ids.erased]).toEqual({ token: null, code: null });
  });

  it('goes down and up again; down is refused while walk-ins exist', async () => {
    const all = [join(MIGRATIONS, '*.ts')];
    await withSource(all, undoCheckIn);
    expect(await columns()).toEqual([]);
    await withSource(all, (ds) => runMigrations(ds, { jwtSecret: TEST_JWT_SECRET }));
    expect(await columns()).toEqual(['checkin_code_hash', 'checkin_token_hash']);
    expect((await hashes())[ids.going].token).toBe(codes.hash({ token: codes.tokenFor(ids.going) }));

    const [{ event_id }] = (await db.query<{ event_id: string }>('SELECT event_id FROM event_signups WHERE id = $1', [ids.going])).rows;
    await db.query(`INSERT INTO event_signups (event_id, guest_name, status, source, checked_in_at) VALUES ($1, 'Juana', 'attended', 'walk_in', now())`, [event_id]);
    await expect(withSource(all, undoCheckIn)).rejects.toThrow(/walk-in/);
    expect(await columns()).toEqual(['checkin_code_hash', 'checkin_token_hash']);
  });
});
