import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  reqPerSec: number;
  p50: number;
  p95: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function summarise(latencies: number[], seconds: number, errors: number, non2xx: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    non2xx,
    reqPerSec: sorted.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
  };
}

/** autocannon over loopback; latencies are collected per response (autocannon's histogram has no p95). */
export async function drive(options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  paths?: string[];
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        headers: options.headers,
        requests: options.paths?.map((path) => ({ method: 'GET' as const, path })),
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (status < 200 || status >= 300) non2xx++;
  });
  const result = await done;
  const seconds = (performance.now() - started) / 1000;
  return summarise(latencies, Math.min(seconds, options.duration + 1), result.errors + result.timeouts, non2xx);
}

/** Runs `fn` from `concurrency` loops for `duration` seconds (the pg-side baselines). */
export async function loop(concurrency: number, duration: number, fn: (worker: number, i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + duration * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await fn(worker, i);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000, errors, 0);
}

export const hasTaskset = (): boolean => spawnSync('taskset', ['-V']).status === 0;

/** Pins this (the load generator) process to core 1 when it can, leaving core 0 to the server. */
export function pinSelf(): boolean {
  if (!hasTaskset()) return false;
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size of a process so far (VmHWM), in bytes. */
export function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}
