import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AppError } from '../common/problem';

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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Counts one use against each limit, in one statement (keys in order, so
   * concurrent callers lock the counters in the same order); returns each
   * limit's count and seconds to its reset, in the order given.
   */
  private async increment(limits: Limit[]): Promise<{ count: number; retry: number }[]> {
    const distinct = [...new Map(limits.map((l) => [l.key, l])).values()];
    const rows = await this.db.query<{ key: string; count: number; retry: number }[]>(
      `INSERT INTO rate_limits (key, count, reset_at)
       SELECT k, 1, now() + make_interval(secs => w) FROM unnest($1::text[], $2::int[]) AS l(k, w) ORDER BY k
       ON CONFLICT (key) DO UPDATE SET
         count    = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.count + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
       RETURNING key, count, ceil(extract(epoch FROM reset_at - now()))::int AS retry`,
      [distinct.map((l) => l.key), distinct.map((l) => l.windowSeconds)],
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
    const rows = await this.db.query<{ key: string; count: number; retry: number }[]>(
      `SELECT key, count, ceil(extract(epoch FROM reset_at - now()))::int AS retry FROM rate_limits WHERE key = ANY($1) AND reset_at > now()`,
      [limits.map((l) => l.key)],
    );
    for (const row of rows) {
      const limit = limits.find((l) => l.key === row.key)!;
      if (row.count >= limit.max) throw tooMany(row.retry);
    }
  }

  /** Counts a failure (e.g. a wrong password) without judging it. */
  async record(...limits: Limit[]): Promise<void> {
    await this.increment(limits);
  }

  /** Forgets these counters (e.g. an account's failed logins once its owner has proved control of the address); in `em`'s transaction when given. */
  async reset(keys: string[], em: EntityManager = this.db.manager): Promise<void> {
    await em.query('DELETE FROM rate_limits WHERE key = ANY($1)', [keys]);
  }

  /**
   * Erasure: the counters that name one of these addresses (`…:<address>`,
   * such as login-fail:account:<e-mail>) are deleted, in the erasure's transaction.
   */
  async forget(tx: EntityManager, addresses: string[]): Promise<void> {
    if (!addresses.length) return;
    const suffixes = addresses.map((e) => `:${e.toLowerCase()}`);
    await tx.query('DELETE FROM rate_limits r USING unnest($1::text[]) AS k(suffix) WHERE right(r.key, length(k.suffix)) = k.suffix', [suffixes]);
  }
}
