import type { DataSource } from 'typeorm';

/** An arbitrary, fixed key: one migrator at a time across all processes. */
const MIGRATION_LOCK_KEY = 7_244_310_051;

/** Names of the migrations known to the code but not yet applied. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const exists = await dataSource.query<{ t: string | null }[]>('SELECT to_regclass($1) AS t', [table]);
  const applied = new Set<string>();
  if (exists[0]?.t) {
    const rows = await dataSource.query<{ name: string }[]>(`SELECT name FROM "${table}"`);
    for (const row of rows) applied.add(row.name);
  }
  return dataSource.migrations.map((m) => m.name ?? m.constructor.name).filter((name) => !applied.has(name));
}

/**
 * What a data migration may derive values from, handed over by whoever runs
 * the migrations with the configuration (the service, the CLI, the TypeORM
 * CLI's data source): never stored, never read from the environment by a
 * migration itself. CheckInCodes (issue 21) derives the check-in codes of
 * existing signups from JWT_SECRET.
 */
export interface MigrationKeys {
  jwtSecret: string;
}

let migrationKeysGiven: MigrationKeys | null = null;

/** For a runner that calls TypeORM itself (the TypeORM CLI, through data-source.ts). */
export function provideMigrationKeys(keys: MigrationKeys | null): void {
  migrationKeysGiven = keys;
}

/** The keys, for a migration that needs them; throws, naming the ways to run it, when none were given. */
export function migrationKeys(): MigrationKeys {
  if (!migrationKeysGiven) {
    throw new Error('This migration derives values from JWT_SECRET: run it through the service, `npm run cli -- migrate` or `npm run migration:run`, which load the configuration.');
  }
  return migrationKeysGiven;
}

/**
 * Applies pending migrations, each in its own transaction. Several API
 * processes may boot at once against one database, so a session-level
 * advisory lock makes them take turns instead of racing on the same DDL.
 * `keys`: for the data migrations that derive values (MigrationKeys).
 */
export async function runMigrations(dataSource: DataSource, keys?: MigrationKeys): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const before = migrationKeysGiven;
  if (keys) migrationKeysGiven = keys;
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    migrationKeysGiven = before;
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
