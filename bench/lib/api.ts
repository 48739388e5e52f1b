import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from '../../test/support/free-port';
import { hasTaskset } from './load';

export { freePort };

export const ROOT = join(__dirname, '..', '..');
export const JWT_SECRET = 'bench-jwt-secret-0123456789-abcdefghij-long';
export const HEAP_CAP = '--max-old-space-size=256';

export interface ApiProcess {
  pid: number;
  base: string;
  origin: string;
  /** Milliseconds from spawn to the first 200 from /health/ready. */
  readyMs: number;
  stop(): Promise<void>;
}

/** The command line of a node process with `args`, pinned to core 0 (the server's) when asked and `taskset` exists. */
function onServerCore(args: string[], pin: boolean): string[] {
  return pin && hasTaskset() ? ['taskset', '-c', '0', process.execPath, ...args] : [process.execPath, ...args];
}

/**
 * Starts the API as its own process, as production runs it: the built bundle
 * (or the TypeScript sources with `fromSource`), pinned to core 0 when
 * `taskset` exists, request logging off.
 */
export async function startApi(options: { env: Record<string, string>; fromSource: boolean; pin: boolean; timeoutMs?: number }): Promise<ApiProcess> {
  const port = await freePort();
  // The heap cap `npm start` and docker/Dockerfile run the service with.
  // BENCH_API_NODE_ARGS: extra node options for the API (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to see where a phase spends its time).
  const extra = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const node = [HEAP_CAP, ...extra, ...(options.fromSource ? ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'main.ts')] : [join(ROOT, 'dist', 'src', 'main.js')])];
  const argv = onServerCore(node, options.pin);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'production',
    REQUEST_LOGGING: 'false',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    OUTBOX_WORKER: 'false',
    JWT_SECRET,
    HOST: '127.0.0.1',
    PORT: String(port),
    ...(options.fromSource ? { TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } : {}),
    ...options.env,
  };
  const started = performance.now();
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const state: { exited: number | null } = { exited: null };
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((state.exited = code ?? -1), resolve())));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = started + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (state.exited !== null) throw new Error(`the API exited with code ${state.exited} before it was ready`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the API did not become ready in time');
    }
    try {
      const res = await fetch(`${origin}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  const readyMs = performance.now() - started;
  return {
    pid: child.pid!,
    origin,
    base: `${origin}/api/v1`,
    readyMs,
    async stop() {
      if (state.exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The bare node:http + pg baseline of the event list, as its own process pinned like the API. */
export function startBareEventsServer(env: Record<string, string>): Promise<{ origin: string; stop(): Promise<void> }> {
  return startBareServer('bare-events-server.ts', env);
}

/** A bare node:http + pg baseline (`bench/<file>`, which prints a line once it listens), as its own process pinned like the API. */
export async function startBareServer(file: string, env: Record<string, string>): Promise<{ origin: string; stop(): Promise<void> }> {
  const port = await freePort();
  const node = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', file)];
  const argv = onServerCore(node, true);
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bare server ${file} exited with code ${String(code)}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exit;
    },
  };
}
