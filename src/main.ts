import 'reflect-metadata';

import { createLogger } from './common/logger';
import { loadConfig } from './config/config';
import { exitOnFailure, serve } from './server';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await serve(config, createLogger(config));
}

main().catch(exitOnFailure('failed to start'));
