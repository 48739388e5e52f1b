import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

import type { Tx } from '../database/transactions';

/** A counter as counted or read: its use count in the window and the seconds left until its reset. */
export interface CounterState {
  key: string;
  count: number;
  retry: number;
}

/** The rate_limits table: fixed-window counters shared by every API process. */
@Injectable()
export class RateLimitRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Counts one use of each key (its window `windowSeconds[i]` long), in one
   * statement; keys in order, so concurrent callers lock the counters in
   * the same order. Each key once. This statement runs on every public form.
   */
  increment(keys: string[], windowSeconds: number[]): Promise<CounterState[]> {
    return this.db.query<CounterState[]>(
      `INSERT INTO rate_limits (key, count, reset_at)
       SELECT k, 1, now() + make_interval(secs => w) FROM unnest($1::text[], $2::int[]) AS l(k, w) ORDER BY k
       ON CONFLICT (key) DO UPDATE SET
         count    = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.count + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
       RETURNING key, count, ceil(extract(epoch FROM reset_at - now()))::int AS retry`,
      [keys, windowSeconds],
    );
  }

  /** The counters of these keys whose window is still open, without counting. */
  current(keys: string[]): Promise<CounterState[]> {
    return this.db.query<CounterState[]>(`SELECT key, count, ceil(extract(epoch FROM reset_at - now()))::int AS retry FROM rate_limits WHERE key = ANY($1) AND reset_at > now()`, [keys]);
  }

  async delete(tx: Tx, keys: string[]): Promise<void> {
    await tx.query('DELETE FROM rate_limits WHERE key = ANY($1)', [keys]);
  }

  /** Deletes the counters whose key ends with one of `suffixes`. */
  async deleteEndingWith(tx: Tx, suffixes: string[]): Promise<void> {
    await tx.query('DELETE FROM rate_limits r USING unnest($1::text[]) AS k(suffix) WHERE right(r.key, length(k.suffix)) = k.suffix', [suffixes]);
  }
}
