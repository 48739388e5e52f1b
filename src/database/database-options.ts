import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

import type { AppConfig } from '../config/config';
import { ConvocaNamingStrategy } from './naming-strategy';

/**
 * One definition of how Convoca talks to PostgreSQL, shared by the Nest
 * application, the TypeORM CLI, the test harness and the benchmark.
 * Paths are relative to this file so they work from `src/` (ts) and `dist/`.
 */
export function dataSourceOptions(url: string, config: Pick<AppConfig, 'dbPoolSize' | 'dbStatementTimeoutMs'>): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    namingStrategy: new ConvocaNamingStrategy(),
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install at connect.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: config.dbPoolSize,
      // No request may hold the database for long (ARCHITECTURE: fail fast).
      statement_timeout: config.dbStatementTimeoutMs,
      application_name: 'convoca',
      // Short OLTP queries: JIT compilation (on by default where PostgreSQL ships it) costs tens of
      // milliseconds on the member search's larger plans and buys nothing at these row counts.
      options: '-c jit=off',
    },
  };
}
