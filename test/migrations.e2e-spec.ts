import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../src/database/database-options';
import { pendingMigrations } from '../src/database/migrations';
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
    const rows = await ds.query<{ extname: string }[]>("SELECT extname FROM pg_extension WHERE extname IN ('citext', 'pg_trgm') ORDER BY 1");
    expect(rows.map((r) => r.extname)).toEqual(['citext', 'pg_trgm']);
  });
});
