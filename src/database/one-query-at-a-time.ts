import type { DataSource } from 'typeorm';

/**
 * A query runner is one PostgreSQL connection, and a connection runs one
 * statement at a time. TypeORM's schema reader (PostgresQueryRunner.loadTables,
 * used by `migration:generate` and the drift test) still looks up the type of
 * every user-defined or array column (citext, text[], enums) of every table at
 * once, in Promise.all on its single runner (TypeORM 1.1.3); pg then queues
 * them on the busy client, which pg 8 deprecates ("Calling client.query() when
 * the client is already executing a query") and pg 9 will refuse.
 *
 * This makes a runner's `query` wait for the one before it: the same
 * statements, in the order they were asked for, never two on the client at
 * once. A query that fails does not stop the ones queued after it.
 */
export function oneQueryAtATime<R extends { query(...args: never[]): Promise<unknown> }>(runner: R): R {
  const query = runner.query.bind(runner);
  let previous: Promise<unknown> = Promise.resolve();
  runner.query = (...args: never[]) => {
    const result = previous.then(() => query(...args));
    previous = result.catch(() => undefined);
    return result;
  };
  return runner;
}

/**
 * Every query runner this DataSource creates runs its queries one at a time.
 * For the DataSources that read the schema (the TypeORM CLI's, the drift
 * test's); the application's hot paths never read the schema and keep the
 * plain runners.
 */
export function schemaReadsOneQueryAtATime(dataSource: DataSource): DataSource {
  const create = dataSource.createQueryRunner.bind(dataSource);
  dataSource.createQueryRunner = (...args: Parameters<DataSource['createQueryRunner']>) => oneQueryAtATime(create(...args));
  return dataSource;
}
