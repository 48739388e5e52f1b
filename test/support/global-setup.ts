import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { dataSourceOptions } from '../../src/database/database-options';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrations';
import { ensureFreshBuild } from './build';
import { databaseUrl, TEST_ENV } from './database';
import { freePort } from './free-port';

declare global {
  var __CONVOCA_TEST_PG__: { embedded: EmbeddedPostgresHandle | null; adminUrl: string; template: string; root: string } | undefined;
}

/**
 * Once per jest run: one PostgreSQL (embedded, or TEST_DATABASE_URL's server),
 * one migrated template database. Each test file clones the template.
 */
export default async function globalSetup(): Promise<void> {
  // The processes the tests start run dist/: rebuilt first when a source is newer.
  ensureFreshBuild();
  // Warnings are defects (issue 18): a deprecated API reached in a test run
  // (this process, the workers and what they start with this environment;
  // support/process.ts passes the flag to the service processes) throws, so
  // the test that reached it fails instead of a warning printed once.
  process.throwDeprecation = true;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --throw-deprecation`.trim();
  let embedded: EmbeddedPostgresHandle | null = null;
  let adminUrl = process.env.TEST_DATABASE_URL;
  const root = mkdtempSync(join(tmpdir(), 'convoca-test-'));
  if (!adminUrl) {
    // As root the server runs as `postgres`, which must be able to enter here.
    chmodSync(root, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: join(root, 'pgdata'), port: await freePort(), unsafeFast: true });
    adminUrl = embedded.adminUrl;
  }
  const template = `convoca_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${template}`);
  } finally {
    await admin.end();
  }
  const ds = new DataSource(dataSourceOptions(databaseUrl(adminUrl, template), { dbPoolSize: 2, dbStatementTimeoutMs: 60000 }));
  await ds.initialize();
  try {
    await runMigrations(ds);
  } finally {
    await ds.destroy();
  }
  globalThis.__CONVOCA_TEST_PG__ = { embedded, adminUrl, template, root };
  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
  // The OpenAPI document, once the first test app has built it (support/app.ts).
  process.env[TEST_ENV.openApiFile] = join(root, 'openapi.json');
}
