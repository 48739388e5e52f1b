import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module';
import { createLogger, PinoNestLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/config';

/**
 * The outbox and webhook workers as their own process (`npm run worker`):
 * no HTTP, same code as the loops inside the API. Needs DATABASE_URL (the embedded database
 * belongs to the API process); run the API with OUTBOX_WORKER=false to leave
 * delivery to workers like this one.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ ...process.env, OUTBOX_WORKER: 'true', CONVOCA_ADMIN_EMAIL: '', CONVOCA_ADMIN_PASSWORD: '' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`convoca-worker: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  if (!config.databaseUrl) {
    process.stderr.write('convoca-worker: DATABASE_URL is required (the embedded database is owned by the API process)\n');
    process.exit(78);
  }
  const logger = createLogger(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl: config.databaseUrl }), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  logger.info('outbox and webhook workers running');
}

main().catch((err: unknown) => {
  process.stderr.write(`convoca-worker: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
