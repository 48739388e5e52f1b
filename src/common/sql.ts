import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Positional parameters for hand-written SQL with optional clauses:
 * `const p = new SqlParams(); where.push(\`x = \${p.add(v)}\`)`, then
 * `db.query(sql, p.values)`. Values are never spliced into the text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

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

/** The pg pool TypeORM made for `db` (its statement_timeout and connection options included). */
const driverPool = (db: DataSource): Pool => (db.driver as unknown as { master: Pool }).master;

/**
 * A read on the busiest route (the public event list) straight through the
 * driver's pool: one checkout and one query, without TypeORM's query runner
 * around it (about a fifth of that route's time; bench/REPORT.md). The pool
 * is the one TypeORM made, with its statement_timeout; errors come back as
 * TypeORM's QueryFailedError, so the problem filter maps them as any other.
 */
export async function poolQuery<T>(db: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = driverPool(db);
  try {
    return (await pool.query(text, values)).rows as T[];
  } catch (err) {
    throw new QueryFailedError(text, values, err as Error);
  }
}

/**
 * A big statement of a hot path run as a named prepared statement, on the
 * connection `db` uses (its transaction's, or one from the pool): parsed once
 * per connection, and planned once PostgreSQL settles on a generic plan
 * (after five runs, when that plan costs no more), instead of both on every
 * run — about 2 ms of the server's time for the signup statement, whose
 * tables are all reached by key, so no value changes its plan. The name is
 * the text's hash: each variant of the text is its own statement. Errors
 * come back as TypeORM's QueryFailedError, as from `db.query`.
 */
export async function preparedQuery<T>(db: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  const runner = db.queryRunner as unknown as { databaseConnection?: PoolClient; isReleased?: boolean } | undefined;
  const client: Pick<Pool, 'query'> = runner?.databaseConnection && !runner.isReleased ? runner.databaseConnection : driverPool(db.connection);
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } catch (err) {
    throw new QueryFailedError(text, values, err as Error);
  }
}

/**
 * An entity's rows whose column `property` (null: the primary key) equals a
 * value, in plain SQL ordered by `orderBy` (ascending), hydrated as
 * TypeORM's `find` hydrates them (same columns, same value conversions), for
 * rows every request of a hot path reads (an event, before each signup and
 * on each event page; its shifts): the query builder rebuilds its SQL on
 * every call, which costs more than the query itself. The SQL is made once,
 * from the entity's metadata, on first use.
 */
export function rowsReader<T extends ObjectLiteral>(
  target: EntityTarget<T>,
  property: string | null,
  orderBy: readonly string[] = [],
): (db: DataSource | EntityManager, value: unknown) => Promise<T[]> {
  let plan: { sql: string; columns: ColumnMetadata[]; create: () => T } | null = null;
  return async (db, value) => {
    const ds = 'connection' in db ? db.connection : db;
    if (!plan) {
      const meta = ds.getMetadata(target);
      const column = (name: string) => {
        const found = meta.findColumnWithPropertyName(name);
        if (!found) throw new Error(`${meta.name} has no column ${name}`);
        return `"${found.databaseName}"`;
      };
      const columns = meta.columns.filter((c) => c.isSelect && !c.isVirtual);
      const key = property === null ? `"${meta.primaryColumns[0].databaseName}"` : column(property);
      const order = orderBy.length ? ` ORDER BY ${orderBy.map(column).join(', ')}` : '';
      plan = {
        sql: `SELECT ${columns.map((c) => `"${c.databaseName}"`).join(', ')} FROM "${meta.tableName}" WHERE ${key} = $1${order}`,
        columns,
        create: () => meta.create() as T,
      };
    }
    const { sql, columns, create } = plan;
    const rows = await db.query<Record<string, unknown>[]>(sql, [value]);
    return rows.map((row) => {
      const entity = create();
      for (const c of columns) c.setEntityValue(entity, ds.driver.prepareHydratedValue(row[c.databaseName], c));
      return entity;
    });
  };
}

/** An entity read by primary key (`rowsReader`): as TypeORM's `findOne({ where: { id } })`, null when there is none. */
export function byIdReader<T extends ObjectLiteral>(target: EntityTarget<T>): (db: DataSource | EntityManager, id: string) => Promise<T | null> {
  const read = rowsReader(target, null);
  return async (db, id) => (await read(db, id))[0] ?? null;
}
