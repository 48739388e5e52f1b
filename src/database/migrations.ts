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
 * Applies pending migrations, each in its own transaction. Several API
 * processes may boot at once against one database, so a session-level
 * advisory lock makes them take turns instead of racing on the same DDL.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const done = await dataSource.runMigrations({ transaction: 'each' });
    return done.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
