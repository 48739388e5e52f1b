import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';

import { createApp } from './app';
import { ConfigError, type AppConfig } from './config/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres';

export interface ServeOptions {
  /** Work on the booted, migrated application before it takes requests (the demo seeds here). */
  beforeListen?: (app: NestFastifyApplication) => Promise<void>;
  /** The setting that chose config.dataDir, for messages (the demo has its own). */
  dataDirVariable?: string;
}

/**
 * Boots the service: the embedded PostgreSQL when no DATABASE_URL is set,
 * the application, then the HTTP listener; SIGINT/SIGTERM drain HTTP first
 * and stop the database last. Shared by `npm start` (main.ts) and
 * `npm run demo` (demo.ts). Resolves with the base URL once listening.
 */
export async function serve(config: AppConfig, logger: Logger, options: ServeOptions = {}): Promise<{ url: string; startupMs: number }> {
  const started = Date.now();
  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = `${config.dataDir}/pgdata`;
    logger.info({ dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL (set DATABASE_URL to use your own server)');
    embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.embeddedPgPort,
      sharedBuffersMb: config.embeddedPgSharedBuffersMb,
      log: (line) => logger.debug({ context: 'postgres' }, line),
      notice: (line) => logger.warn({ context: 'postgres' }, line),
      dataDirVariable: options.dataDirVariable,
    });
    databaseUrl = embedded.url;
  }

  let app: NestFastifyApplication;
  try {
    app = await createApp({ ...config, databaseUrl }, { logger });
    await options.beforeListen?.(app);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }

  // Drain HTTP first, then stop the database: the reverse of start-up.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
    } finally {
      await embedded?.stop();
    }
    logger.info('stopped');
    logger.flush?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const startupMs = Date.now() - started;
  logger.info({ url, docs: '/api/docs', startupMs }, 'Convoca is ready');
  return { url, startupMs };
}

/** Entry points: a configuration mistake is one line naming the variable (exit 78), anything else exit 1. */
export function exitOnFailure(what: string): (err: unknown) => never {
  return (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`convoca: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(`convoca: ${what}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  };
}
