import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const TEST_ENV = { adminUrl: 'CONVOCA_TEST_ADMIN_URL', template: 'CONVOCA_TEST_TEMPLATE', openApiFile: 'CONVOCA_TEST_OPENAPI_FILE' } as const;

/** The same server as `serverUrl`, another database. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file, cloned from the template (tens of ms). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env[TEST_ENV.adminUrl];
  const template = process.env[TEST_ENV.template];
  if (!adminUrl || !template) throw new Error('The jest global setup did not run (no test database server).');
  const name = `convoca_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // FILE_COPY copies the template's files as they are; the default (WAL_LOG, PostgreSQL 15+) writes every page of
    // it through the WAL, about twice the server's CPU for a database this small (some 40 clones a run).
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(adminUrl, name),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
