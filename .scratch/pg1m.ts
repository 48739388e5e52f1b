import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/database-options';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrations';
import { seedMembers } from '../bench/lib/seed';
import { seedEvents } from '../bench/lib/events';
import { databaseUrl } from '../bench/lib/synthetic';
(async () => {
  const dir = '/work/pg1m/data';
  const fresh = !existsSync(dir + '/PG_VERSION');
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: 55432, unsafeFast: true });
  const url = databaseUrl(pg.adminUrl, 'b1m');
  if (fresh) {
    const admin = new Client({ connectionString: pg.adminUrl }); await admin.connect(); await admin.query('CREATE DATABASE b1m'); await admin.end();
    const ds = new DataSource(dataSourceOptions(url, { dbPoolSize: 2, dbStatementTimeoutMs: 600_000 })); await ds.initialize(); await runMigrations(ds); await ds.destroy();
    const db = new Client({ connectionString: url }); await db.connect();
    await seedMembers(db, { organisations: 200, members: 1_000_000 });
    await seedEvents(db, { events: 10000, organisations: 200, burstEvents: 40, seats: 50 });
    await db.query('CHECKPOINT');
    await db.end();
  }
  console.log('READY', url);
  process.on('SIGTERM', async () => { await pg.stop(); process.exit(0); });
  setInterval(() => undefined, 1 << 30);
})();
