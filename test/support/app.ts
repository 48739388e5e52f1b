import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import { createApp, type OpenApiCache } from '../../src/app';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { createTestDatabase, TEST_ENV, type TestDatabase } from './database';

export interface TestApp {
  app: NestFastifyApplication;
  /** For supertest: `request(t.http)`. */
  http: Server;
  /** The application's own DataSource, for arranging and asserting rows. */
  db: DataSource;
  database: TestDatabase;
  config: AppConfig & { databaseUrl: string };
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  extraModules?: Type[];
  /** Reuse a database (a second process on the same data). */
  database?: TestDatabase;
  /** Build the OpenAPI document instead of reusing the run's (see openApiCache). */
  freshOpenApi?: boolean;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

/**
 * The OpenAPI document of the application without extra modules, built by
 * the first test file that boots one and reused by the others (a file the
 * global setup names for this run): building it is a fair part of a boot.
 */
function openApiCache(): OpenApiCache | undefined {
  const file = process.env[TEST_ENV.openApiFile];
  if (!file) return undefined;
  return {
    get: () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined),
    set(document) {
      // Written whole, then renamed: another worker reads either nothing or all of it.
      const partial = `${file}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, JSON.stringify(document));
      renameSync(partial, file);
    },
  };
}

/** Boots the full application in-process on a fresh database. One per test file. */
export async function bootTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    CONVOCA_DATA_DIR: mkdtempSync(join(tmpdir(), 'convoca-app-')),
    RUN_MIGRATIONS: 'false',
    OUTBOX_WORKER: 'false',
    DB_POOL_SIZE: '20',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const full = { ...config, databaseUrl: database.url };
  const app = await createApp(full, {
    extraModules: options.extraModules,
    openApiCache: options.extraModules?.length || options.freshOpenApi ? undefined : openApiCache(),
  });
  const ownsDatabase = !options.database;
  return {
    app,
    http: app.getHttpServer(),
    db: app.get<DataSource>(getDataSourceToken()),
    database,
    config: full,
    async close() {
      await app.close();
      if (ownsDatabase) await database.drop();
    },
  };
}
