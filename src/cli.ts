import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres';
import { runMigrations } from './database/migrations';
import { UsersService } from './users/users.service';

const HELP = `Convoca command-line tool

Usage: npm run cli -- <command> [options]

Commands:
  create-admin <email>   Create the first platform admin if none exists.
                         The password is read from CONVOCA_ADMIN_PASSWORD or,
                         when that is unset, from the first line of standard input.
  migrate                Apply pending database migrations.
  help                   Show this text.

Uses DATABASE_URL, or the embedded PostgreSQL in CONVOCA_DATA_DIR (stop the
service first: one process owns the embedded database at a time).`;

class UsageError extends Error {}

async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (min. 12 characters): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0].replace(/\r$/, '');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(HELP + '\n');
    return;
  }
  if (command !== 'create-admin' && command !== 'migrate') throw new UsageError(`unknown command "${command}" (try: npm run cli -- help)`);
  const config = loadConfig({ ...process.env, CONVOCA_ADMIN_EMAIL: '', CONVOCA_ADMIN_PASSWORD: '', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', LOG_PRETTY: 'false' });

  let email = '';
  let password = '';
  if (command === 'create-admin') {
    email = (args[0] ?? '').trim().toLowerCase();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UsageError('create-admin needs an e-mail address: npm run cli -- create-admin admin@example.org');
    password = process.env.CONVOCA_ADMIN_PASSWORD || (await readStdinLine());
    if (password.length < 12) throw new UsageError('the password must be at least 12 characters long');
  }

  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/pgdata`, port: config.embeddedPgPort });
    databaseUrl = embedded.url;
  }
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl }), { logger: ['error', 'warn'] });
    try {
      const applied = await runMigrations(app.get<DataSource>(getDataSourceToken()));
      if (command === 'migrate') {
        process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the database is up to date\n');
      } else {
        const outcome = await app.get(UsersService).ensurePlatformAdmin(email, password);
        process.stdout.write(outcome === 'created' ? `created platform admin ${email}\n` : 'a platform admin already exists (or the e-mail is taken); nothing changed\n');
      }
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const message = err instanceof UsageError || err instanceof ConfigError ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`convoca: ${message}\n`);
    process.exit(err instanceof UsageError ? 64 : err instanceof ConfigError ? 78 : 1);
  },
);
