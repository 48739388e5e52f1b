import 'reflect-metadata';

import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';

import { AccessService } from './access/access.service';
import type { Caller } from './access/caller';
import { AppModule } from './app.module';
import { AppError } from './common/problem';
import { formatCount, Progress } from './common/progress';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { dataSourceOptions } from './database/database-options';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './database/embedded-postgres';
import { runMigrations } from './database/migrations';
import { Transactions } from './database/transactions';
import { MemberExportService } from './members/member-export.service';
import { MemberImportService } from './members/member-import.service';
import { MembersService } from './members/members.service';
import type { Organisation } from './organisations/organisation.entity';
import { UsersService } from './users/users.service';

const HELP = `Convoca command-line tool

Usage: npm run cli -- <command> [arguments] [options]

Commands:
  create-admin <email>
      Create the first platform admin if none exists. The password is read
      from CONVOCA_ADMIN_PASSWORD or, when that is unset, from the first line
      of standard input.
  import-members <file.csv> --organisation <slug>
      Import members into an organisation (the CSV format of the upload
      route; see the README). Shows progress on standard error and ends with a
      summary: rows read, memberships created and updated, rejected rows with
      their line and reason.
  export-members --organisation <slug> [--out <file.csv>]
      Write the organisation's members (with its sub-organisations) as CSV,
      to standard output or to a file. The export can be imported again.
  migrate
      Apply pending database migrations.
  help, --help
      Show this text.

Uses DATABASE_URL, or the embedded PostgreSQL in CONVOCA_DATA_DIR (stop the
service first: one process owns the embedded database at a time). Imports and
exports are audited as the work of the command-line tool (no user).

Exit codes: 0 done; 64 wrong usage; 65 bad input (the CSV is refused, or some
rows were rejected and the others imported); 66 input file not found;
78 bad configuration; 1 anything else.`;

class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}
const usage = (message: string) => new CliError(64, `${message} (see: npm run cli -- help)`);

/** Rejected rows listed in the summary of an import; the rest are counted. */
const LISTED_FAILURES = 20;
/** How often the import's progress is read back from the database. */
const POLL_MS = 200;

/** `--name value` and `--name=value` options, and the positional arguments. */
function parseArgs(args: string[], known: string[]): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name)) throw usage(`unknown option --${name}`);
    const value = inline ?? args[++i];
    if (value === undefined || value === '') throw usage(`--${name} needs a value`);
    options.set(name, value);
  }
  return { positional, options };
}

async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (min. 12 characters): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0].replace(/\r$/, '');
}

/** The command-line tool acts as no user: the audit log shows it as the system, with this request id. */
const operator = (command: string): Caller => ({ user: null, requestId: `cli:${command}`, ip: '' });

/**
 * Runs `work` in an application context (no HTTP) on a migrated database.
 * Migrations run first, on a connection of their own: the context starts the
 * services at once, and some read their tables when they start.
 */
async function withApp<T>(config: AppConfig, work: (app: INestApplicationContext, applied: string[]) => Promise<T>): Promise<T> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: `${config.dataDir}/pgdata`, port: config.embeddedPgPort, sharedBuffersMb: config.embeddedPgSharedBuffersMb });
    databaseUrl = embedded.url;
  }
  try {
    const migrator = await new DataSource(dataSourceOptions(databaseUrl, config)).initialize();
    let applied: string[];
    try {
      applied = await runMigrations(migrator, { jwtSecret: config.jwtSecret });
    } finally {
      await migrator.destroy();
    }
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, databaseUrl }), { logger: ['error', 'warn'] });
    try {
      return await work(app, applied);
    } finally {
      await app.close();
    }
  } finally {
    await embedded?.stop();
  }
}

/** The organisation named by --organisation: one that has members here. */
async function organisationArg(app: INestApplicationContext, slug: string): Promise<Organisation> {
  try {
    return await app.get(MembersService).organisationFor(app.get(Transactions).auto, slug);
  } catch (err) {
    if (err instanceof AppError && err.code === 'unknown-organisation') throw new CliError(65, `unknown organisation "${slug}"`);
    throw err;
  }
}

async function createAdmin(config: AppConfig, args: string[]): Promise<number> {
  const email = (parseArgs(args, []).positional[0] ?? '').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw usage('create-admin needs an e-mail address: npm run cli -- create-admin admin@example.org');
  const password = process.env.CONVOCA_ADMIN_PASSWORD || (await readStdinLine());
  if (password.length < 12) throw usage('the password must be at least 12 characters long');
  return withApp(config, async (app) => {
    const outcome = await app.get(UsersService).ensurePlatformAdmin(email, password);
    process.stdout.write(outcome === 'created' ? `created platform admin ${email}\n` : 'a platform admin already exists (or the e-mail is taken); nothing changed\n');
    return 0;
  });
}

async function migrate(config: AppConfig): Promise<number> {
  return withApp(config, (_app, applied) => {
    process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'the database is up to date\n');
    return Promise.resolve(0);
  });
}

async function importMembers(config: AppConfig, args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['organisation']);
  const file = positional[0];
  const slug = options.get('organisation');
  if (!file || positional.length > 1) throw usage('import-members needs one CSV file: npm run cli -- import-members members.csv --organisation <slug>');
  if (!slug) throw usage('import-members needs --organisation <slug>');
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliError(66, `no such file: ${file}`);

  return withApp(config, async (app) => {
    const imports = app.get(MemberImportService);
    const org = await organisationArg(app, slug);
    const started = Date.now();
    const accepted = await imports.accept(operator('import-members'), org, { filename: basename(file), content: createReadStream(file) }, { progressSteps: 20 });
    const progress = new Progress(process.stderr, `importing into ${org.slug}`, accepted.rowsTotal);
    progress.update(0);
    let running = true;
    const done = imports.idle().finally(() => (running = false));
    const read = () => imports.viewFor(accepted.id);
    while (running) {
      progress.update((await read()).counts.read);
      await Promise.race([done, sleep(POLL_MS)]);
    }
    await done;
    const view = await read();
    progress.update(view.counts.read);
    progress.finish();

    const seconds = (Date.now() - started) / 1000;
    const { read: rows, created, updated, failed } = view.counts;
    const out = process.stdout;
    out.write(`import ${view.id} into ${org.slug}: ${view.state}\n`);
    out.write(`  rows read:            ${rows} of ${view.counts.total}\n`);
    out.write(`  memberships created:  ${created}\n`);
    out.write(`  memberships updated:  ${updated} (the person was already a member)\n`);
    out.write(`  rows rejected:        ${failed}\n`);
    out.write(`  time:                 ${seconds.toFixed(1)} s (${formatCount(Math.round(rows / Math.max(seconds, 0.001)))} rows/s)\n`);
    if (failed > 0) {
      // One line per rejected row; a row can fail on several fields.
      const byLine = new Map<number, string[]>();
      for (const e of view.errors) byLine.set(e.line, [...(byLine.get(e.line) ?? []), `${e.field ? `${e.field}: ` : ''}${e.message}`]);
      const listed = [...byLine].slice(0, LISTED_FAILURES);
      out.write(`rejected rows${failed > listed.length ? ` (the first ${listed.length} of ${failed})` : ''}:\n`);
      for (const [line, reasons] of listed) out.write(`  line ${line}: ${reasons.join('; ')}\n`);
      if (failed > listed.length) out.write(`  … and ${failed - listed.length} more (GET /api/v1/imports/${view.id} lists up to 1000)\n`);
    }
    if (view.state !== 'completed') throw new CliError(1, `the import failed: ${view.failure ?? 'unknown reason'}`);
    return failed > 0 ? 65 : 0;
  });
}

async function exportMembers(config: AppConfig, args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['organisation', 'out']);
  const slug = options.get('organisation');
  const outFile = options.get('out');
  if (positional.length > 0) throw usage(`unexpected argument "${positional[0]}"`);
  if (!slug) throw usage('export-members needs --organisation <slug>');
  if (outFile && !existsSync(dirname(outFile))) throw new CliError(66, `no such folder: ${dirname(outFile)}`);

  return withApp(config, async (app) => {
    const org = await organisationArg(app, slug);
    const total = await app.get(MemberExportService).count(await app.get(AccessService).descendants([org.id]));
    const { stream } = await app.get(MemberExportService).openFor(operator('export-members'), org);
    // Progress only where someone watches it: with --out, or on a terminal.
    const progress = outFile || process.stderr.isTTY ? new Progress(process.stderr, `exporting ${org.slug}`, total) : null;
    let lines = -1; // the header
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of stream as AsyncIterable<string>) {
          lines += chunk.split('\n').length - 1;
          progress?.update(Math.max(0, lines));
          yield chunk;
        }
      })(),
    );
    await pipeline(counted, outFile ? createWriteStream(outFile, { mode: 0o600 }) : process.stdout);
    progress?.finish();
    process.stderr.write(`exported ${Math.max(0, lines)} membership(s) of ${org.slug}${outFile ? ` to ${outFile}` : ''}\n`);
    return 0;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h' || args.includes('--help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const commands: Record<string, (config: AppConfig, args: string[]) => Promise<number>> = {
    'create-admin': createAdmin,
    migrate: (config) => migrate(config),
    'import-members': importMembers,
    'export-members': exportMembers,
  };
  const run = commands[command];
  if (!run) throw usage(`unknown command "${command}"`);
  // The tool never creates an admin from the environment by the side door, and runs no mail delivery loop.
  const config = loadConfig({ ...process.env, CONVOCA_ADMIN_EMAIL: '', CONVOCA_ADMIN_PASSWORD: '', OUTBOX_WORKER: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', LOG_PRETTY: 'false' });
  return run(config, args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // One line, and an exit code a script can act on.
    let code = 1;
    let message: string;
    if (err instanceof CliError) [code, message] = [err.exitCode, err.message];
    else if (err instanceof ConfigError) [code, message] = [78, err.message];
    else if (err instanceof AppError) {
      code = err.status === 400 || err.status === 413 || err.status === 409 ? 65 : 1;
      const fields = err.errors?.length ? ` (${err.errors.map((e) => e.message).join('; ')})` : '';
      message = `${err.message}${fields}`;
    } else message = `failed: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`convoca: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exit(code);
  },
);
