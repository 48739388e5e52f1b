import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { TEST_JWT_SECRET } from './app';
import { freePort } from './free-port';

export { freePort };

const ROOT = join(__dirname, '..', '..');

/**
 * The environment of the real service run as production runs it, on an
 * existing (migrated) test database, on loopback at `port`; `extra` adds or
 * overrides variables (SMTP_URL, log level…).
 */
export function productionEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET, RUN_MIGRATIONS: 'false', ...extra };
}

export interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the real entry point (`src/main.ts`) as its own process, as `npm start`
 * would: its build, `dist/src/main.js` (the jest global setup rebuilds dist/
 * when a source is newer, see support/build.ts).
 */
export function startService(env: Record<string, string>, entry = 'src/main.ts', args: string[] = []): ServiceProcess {
  let out = '';
  const built = join('dist', entry.replace(/\.ts$/, '.js'));
  // --throw-deprecation: warnings are defects here as in the test workers (see global-setup.ts).
  const child = spawn(process.execPath, ['--throw-deprecation', built, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_PRETTY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Polls `url` until it answers 200; returns the milliseconds it took. */
export async function waitForOk(url: string, timeoutMs = 30_000, service?: ServiceProcess): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (service && service.child.exitCode !== null) throw new Error(`service exited early:\n${service.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms:\n${service?.output() ?? ''}`);
}

/** Runs the command-line tool to the end. */
export async function runCli(env: Record<string, string>, args: string[]): Promise<{ code: number | null; out: string }> {
  const cli = startService(env, 'src/cli.ts', args);
  const code = await cli.exited;
  return { code, out: cli.output() };
}

/** Polls `probe` (every 20 ms) until it returns a value other than undefined, and returns it. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
