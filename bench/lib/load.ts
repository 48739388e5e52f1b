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

/** What one load phase saw, before it is summarised (phases of the same load can be pooled). */
export interface Sample {
  latencies: number[];
  seconds: number;
  errors: number;
  non2xx: number;
}

const summariseSamples = (samples: Sample[]): LoadResult =>
  summarise(
    samples.flatMap((s) => s.latencies),
    samples.reduce((a, s) => a + s.seconds, 0),
    samples.reduce((a, s) => a + s.errors, 0),
    samples.reduce((a, s) => a + s.non2xx, 0),
  );

export interface DriveOptions {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  paths?: string[];
}

/** autocannon over loopback; latencies are collected per response (autocannon's histogram has no p95). */
export async function drive(options: DriveOptions): Promise<LoadResult> {
  return summariseSamples([await driveSample(options)]);
}

/**
 * Our side and its baseline measured in alternating slices (ours, baseline,
 * ours, baseline…; `duration` seconds each in all), each side's slices
 * pooled: whatever else the machine is doing meanwhile (autovacuum, the
 * checkpointer) then weighs on both alike instead of on whichever ran first.
 */
export async function alternate(duration: number, ours: (seconds: number) => Promise<Sample>, base: (seconds: number) => Promise<Sample>, slices = 4): Promise<{ ours: LoadResult; base: LoadResult }> {
  const o: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < slices; i++) {
    o.push(await ours(duration / slices));
    b.push(await base(duration / slices));
  }
  return { ours: summariseSamples(o), base: summariseSamples(b) };
}

export async function driveSample(options: DriveOptions): Promise<Sample> {
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
      (err, result) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(result)),
    );
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (status < 200 || status >= 300) non2xx++;
  });
  const result = await done;
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds: Math.min(seconds, options.duration + 1), errors: result.errors + result.timeouts, non2xx };
}

/** Runs `fn` from `concurrency` loops for `duration` seconds (the pg-side baselines). */
export async function loop(concurrency: number, duration: number, fn: (worker: number, i: number) => Promise<void>): Promise<LoadResult> {
  return summariseSamples([await loopSample(concurrency, duration, fn)]);
}

export async function loopSample(concurrency: number, duration: number, fn: (worker: number, i: number) => Promise<void>): Promise<Sample> {
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
  return { latencies, seconds: (performance.now() - started) / 1000, errors, non2xx: 0 };
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
