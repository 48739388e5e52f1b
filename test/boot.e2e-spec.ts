import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

import { createTestDatabase } from './support/database';
import { freePort, startService, waitForOk } from './support/process';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const postmasterPid = (dataDir: string): number => Number(readFileSync(join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);

// Each test spawns the real service (built code + PostgreSQL): slow on a busy machine.
jest.setTimeout(180_000);

describe('the service as a process', () => {
  it('stops at boot with one line naming a bad variable', async () => {
    const svc = startService({ PORT: 'not-a-port', CONVOCA_DATA_DIR: mkdtempSync(join(tmpdir(), 'convoca-boot-')) });
    expect(await svc.exited).toBe(78);
    expect(svc.output().trim()).toBe('convoca: Invalid configuration: PORT must be a whole number from 0 to 65535');
  });

  it('starts an embedded PostgreSQL that keeps its data across restarts and survives a killed run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'convoca-boot-'));
    chmodSync(dataDir, 0o755);
    const env = { CONVOCA_DATA_DIR: dataDir, CONVOCA_PG_PORT: String(await freePort()), PORT: String(await freePort()), NODE_ENV: 'development' };
    const ready = `http://127.0.0.1:${env.PORT}/health/ready`;
    const pgUrl = `postgres://postgres:convoca@127.0.0.1:${env.CONVOCA_PG_PORT}/convoca`;

    const first = startService(env);
    await waitForOk(ready, 90_000, first);
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    const c1 = new Client({ connectionString: pgUrl });
    await c1.connect();
    await c1.query("CREATE TABLE keepsake (note text); INSERT INTO keepsake VALUES ('still here')");
    await c1.end();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A second start reuses the data directory.
    const second = startService(env);
    await waitForOk(ready, 90_000, second);
    const c2 = new Client({ connectionString: pgUrl });
    await c2.connect();
    expect((await c2.query('SELECT note FROM keepsake')).rows).toEqual([{ note: 'still here' }]);
    await c2.end();
    const orphanPid = postmasterPid(dataDir);
    expect(isAlive(orphanPid)).toBe(true);

    // SIGKILL leaves an orphaned postmaster and its lock file behind.
    second.child.kill('SIGKILL');
    await second.exited;
    const third = startService(env);
    await waitForOk(ready, 90_000, third);
    expect(third.output()).toContain('orphaned server');
    expect(isAlive(orphanPid)).toBe(false);
    const ownPid = postmasterPid(dataDir);
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    // Clean shutdown stops the database too.
    expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);
    expect(isAlive(ownPid)).toBe(false);
  });

  it('uses the server in DATABASE_URL instead of starting its own', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'convoca-boot-'));
    const port = String(await freePort());
    const svc = startService({ DATABASE_URL: db.url, CONVOCA_DATA_DIR: dataDir, PORT: port, NODE_ENV: 'development' });
    try {
      await waitForOk(`http://127.0.0.1:${port}/health/ready`, 90_000, svc);
      expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const rows = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'convoca'");
      await c.end();
      expect(rows.rows[0].n).toBeGreaterThan(0);
    } finally {
      svc.child.kill('SIGTERM');
      await svc.exited;
      await db.drop();
    }
  });
});
