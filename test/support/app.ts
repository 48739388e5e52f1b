import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Server } from 'node:http';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { createTestDatabase, type TestDatabase } from './database';

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
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

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
  const app = await createApp(full, { extraModules: options.extraModules });
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
