import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../src/database/database-options';
import { pendingMigrations, runMigrations } from '../src/database/migrations';
import { schemaReadsOneQueryAtATime } from '../src/database/one-query-at-a-time';
import { createTestDatabase, type TestDatabase } from './support/database';

describe('migrations', () => {
  let database: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase();
    // The drift test reads the schema as migration:generate does: one query at a time per connection.
    ds = schemaReadsOneQueryAtATime(new DataSource(dataSourceOptions(database.url, { dbPoolSize: 2, dbStatementTimeoutMs: 60000 })));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await database.drop();
  });

  it('are all applied to the test template', async () => {
    expect(await pendingMigrations(ds)).toEqual([]);
  });

  // The drift test: what `migration:generate` would write on a migrated
  // database must be nothing. It fails when an entity changes without a
  // migration (or a migration without its entity).
  it('agree with the entities', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  // Search folds names to lower case without accents in SQL: the embedded server must fold beyond ASCII whatever
  // the environment's locale (initdb took LANG; with none, lower('Á') stayed 'Á').
  (process.env.TEST_DATABASE_URL ? it.skip : it)('fold case beyond ASCII on the embedded server, whatever the environment’s locale', async () => {
    expect(await ds.query(`SELECT lower('NÉLIDA HUAMÁN ÑAUPA') AS l`)).toEqual([{ l: 'nélida huamán ñaupa' }]);
  });

  it('create the extensions later features need', async () => {
    const rows = await ds.query<{ extname: string }[]>("SELECT extname FROM pg_extension WHERE extname IN ('citext', 'pg_trgm', 'cube', 'earthdistance') ORDER BY 1");
    expect(rows.map((r) => r.extname)).toEqual(['citext', 'cube', 'earthdistance', 'pg_trgm']);
  });

  // The migrations of the public pages (issue 20) go down and up again: down to just before EventsNear, then everything.
  it('revert and re-apply EventsNear and OrganisationEmbedOrigins', async () => {
    const applied = async () => (await ds.query<{ name: string }[]>('SELECT name FROM typeorm_migrations ORDER BY timestamp DESC')).map((r) => r.name);
    const state = async () => {
      const [row] = await ds.query<{ index: string | null; fn: string | null; column: string | null; extensions: string[] }[]>(
        `SELECT to_regclass('public.ix_events_earth')::text AS index, to_regprocedure('public.event_earth(float8, float8)')::text AS fn,
                (SELECT column_name FROM information_schema.columns WHERE table_name = 'organisations' AND column_name = 'embed_origins') AS column,
                ARRAY(SELECT extname::text FROM pg_extension WHERE extname IN ('cube', 'earthdistance') ORDER BY 1) AS extensions`,
      );
      return row;
    };
    const up = { index: 'ix_events_earth', fn: 'event_earth(double precision,double precision)', column: 'embed_origins', extensions: ['cube', 'earthdistance'] };
    expect(await state()).toEqual(up);
    await ds.query(`INSERT INTO organisations (slug, name, kind, embed_origins) VALUES ('mig-embed', 'M', 'party', '{https://m.example.org}')`);
    for (let i = 0; i < 10 && (await applied()).includes('EventsNear1795794000000'); i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await pendingMigrations(ds)).toEqual(expect.arrayContaining(['EventsNear1795794000000', 'OrganisationEmbedOrigins1795795000000']));
    expect(await state()).toEqual({ index: null, fn: null, column: null, extensions: [] });
    await runMigrations(ds);
    expect(await pendingMigrations(ds)).toEqual([]);
    expect(await state()).toEqual(up);
    // The column comes back empty: what was listed before the revert is gone with it.
    expect(await ds.query(`SELECT embed_origins FROM organisations WHERE slug = 'mig-embed'`)).toEqual([{ embed_origins: [] }]);
  });
});
