import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A unit of work a service holds and passes on: the transaction it opened
 * (`Transactions.run`) or, outside one, the connection pool (`Transactions.auto`,
 * each statement committing on its own). Services never query on it — only
 * repositories do (the dependency rule and the lint rule in eslint.config.mjs
 * hold that) — so a service decides what commits together, and the
 * repositories decide how.
 */
export type Tx = EntityManager;

/** The database module's one door for services: open a transaction, or work without one. */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` in one transaction: all it writes commits together, or nothing does. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** No transaction: each statement commits on its own (reads, and single-statement writes). */
  get auto(): Tx {
    return this.db.manager;
  }
}
