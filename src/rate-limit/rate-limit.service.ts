import { Injectable } from '@nestjs/common';

import { AppError } from '../common/problem';
import type { Tx } from '../database/transactions';
import { RateLimitRepository } from './rate-limit.repository';

export interface Limit {
  /** e.g. `login-fail:ip:203.0.113.9` */
  key: string;
  max: number;
  windowSeconds: number;
}

function tooMany(retrySeconds: number): AppError {
  const retry = String(Math.max(1, retrySeconds));
  return new AppError(429, 'rate-limited', `Too many attempts; try again in ${retry} seconds.`, undefined, { 'retry-after': retry });
}

/**
 * Fixed-window counters kept in PostgreSQL (one upsert per hit), so several
 * API processes behind a load balancer share the same budget.
 */
@Injectable()
export class RateLimitService {
  constructor(private readonly counters: RateLimitRepository) {}

  /**
   * Counts one use against each limit, in one statement; returns each
   * limit's count and seconds to its reset, in the order given.
   */
  private async increment(limits: Limit[]): Promise<{ count: number; retry: number }[]> {
    const distinct = [...new Map(limits.map((l) => [l.key, l])).values()];
    const rows = await this.counters.increment(
      distinct.map((l) => l.key),
      distinct.map((l) => l.windowSeconds),
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return limits.map((l) => byKey.get(l.key)!);
  }

  /** Counts one use against each limit; 429 once any is exceeded. */
  async consume(...limits: Limit[]): Promise<void> {
    const counts = await this.increment(limits);
    limits.forEach((limit, i) => {
      if (counts[i].count > limit.max) throw tooMany(counts[i].retry);
    });
  }

  /** Counts one use; false once the limit is used up (for work to skip silently, e.g. a repeated e-mail). */
  async allow(limit: Limit): Promise<boolean> {
    const [{ count }] = await this.increment([limit]);
    return count <= limit.max;
  }

  /** 429 when a limit is already used up, without counting (e.g. before checking a password). */
  async check(...limits: Limit[]): Promise<void> {
    const rows = await this.counters.current(limits.map((l) => l.key));
    for (const row of rows) {
      const limit = limits.find((l) => l.key === row.key)!;
      if (row.count >= limit.max) throw tooMany(row.retry);
    }
  }

  /** Counts a failure (e.g. a wrong password) without judging it. */
  async record(...limits: Limit[]): Promise<void> {
    await this.increment(limits);
  }

  /** Forgets these counters (e.g. an account's failed logins once its owner has proved control of the address), in `tx`. */
  async reset(tx: Tx, keys: string[]): Promise<void> {
    await this.counters.delete(tx, keys);
  }

  /**
   * Erasure: the counters that name one of these addresses (`…:<address>`,
   * such as login-fail:account:<e-mail>) are deleted, in the erasure's transaction.
   */
  async forget(tx: Tx, addresses: string[]): Promise<void> {
    if (!addresses.length) return;
    await this.counters.deleteEndingWith(
      tx,
      addresses.map((e) => `:${e.toLowerCase()}`),
    );
  }
}
