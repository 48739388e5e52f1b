import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './common/logger';
import { createApp } from './app';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      // One line, naming the variable; no stack for a configuration mistake.
      process.stderr.write(`convoca: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config);
  const started = Date.now();

  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = `${config.dataDir}/pgdata`;
    logger.info({ dataDir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL (set DATABASE_URL to use your own server)');
    embedded = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, log: (line) => logger.debug({ context: 'postgres' }, line),
      notice: (line) => logger.warn({ context: 'postgres' }, line),
    });
    databaseUrl = embedded.url;
  }

  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp({ ...config, databaseUrl }, { logger });
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
  logger.info(
    { url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`, docs: '/api/docs', startupMs: Date.now() - started },
    'Convoca is ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`convoca: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
