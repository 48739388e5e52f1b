import type { DataSource, EntityManager } from 'typeorm';

/**
 * Rows of an `UPDATE`/`DELETE … RETURNING` run through TypeORM's `query()`,
 * which answers those two commands with `[rows, affectedCount]` instead of
 * the rows (other commands return the rows).
 */
export async function returningRows<T>(db: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const out: unknown = await db.query(sql, params);
  if (Array.isArray(out) && out.length === 2 && Array.isArray(out[0]) && typeof out[1] === 'number') return out[0] as T[];
  return out as T[];
}

/** Today's date (UTC) as `YYYY-MM-DD`. */
export const today = (): string => new Date().toISOString().slice(0, 10);
