import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';

import { bootTestApp } from './support/app';
import { createTestDatabase, type TestDatabase } from './support/database';
import { runCli } from './support/process';

const ADMIN = { CONVOCA_ADMIN_EMAIL: 'First.Admin@Example.org', CONVOCA_ADMIN_PASSWORD: 'the first admin passphrase' };

// The CLI test spawns the real command three times: slow on a busy machine.
jest.setTimeout(180_000);

describe('the first platform admin', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('is created at boot from CONVOCA_ADMIN_EMAIL/PASSWORD, once, and can log in', async () => {
    const first = await bootTestApp({ database, env: ADMIN });
    const second = await bootTestApp({ database, env: { ...ADMIN, CONVOCA_ADMIN_EMAIL: 'someone.else@example.org' } });
    try {
      const admins = await first.db.query('SELECT email FROM users WHERE is_platform_admin');
      expect(admins).toEqual([{ email: 'first.admin@example.org' }]);
      const login = await request(first.http).post('/api/v1/auth/login').send({ email: 'first.admin@example.org', password: ADMIN.CONVOCA_ADMIN_PASSWORD });
      expect(login.status).toBe(200);
      const me = await request(first.http).get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(me.body.user).toMatchObject({ email: 'first.admin@example.org', isPlatformAdmin: true });
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('is created by `cli create-admin` on a database without one, and not twice', async () => {
    const db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, CONVOCA_ADMIN_PASSWORD: 'a cli admin passphrase', CONVOCA_DATA_DIR: mkdtempSync(join(tmpdir(), 'convoca-cli-')) };
    try {
      const created = await runCli(env, ['create-admin', 'cli.admin@example.org']);
      expect(created).toMatchObject({ code: 0 });
      expect(created.out).toContain('created platform admin cli.admin@example.org');
      const again = await runCli(env, ['create-admin', 'other@example.org']);
      expect(again.code).toBe(0);
      expect(again.out).toContain('already exists');
      const bad = await runCli(env, ['create-admin', 'not-an-email']);
      expect(bad.code).toBe(64);
      expect(bad.out.trim().split('\n')).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });
});
