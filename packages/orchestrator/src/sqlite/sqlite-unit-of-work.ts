import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { SqliteDatabase } from './database.js';

/**
 * A better-sqlite3 transaction (a SAVEPOINT when nested). One transaction
 * function is made per database and reused: `db.transaction(fn)` builds a
 * wrapper and its begin/commit variants on every call, which the executor,
 * the worker and the API paid several times per execution (bench/engine-profile.mjs).
 */
export class SqliteUnitOfWork implements UnitOfWork {
  private readonly run: (work: () => unknown) => unknown;

  constructor(db: SqliteDatabase) {
    this.run = db.transaction((work: () => unknown) => work());
  }

  atomically<T>(work: () => T): T {
    return this.run(work) as T;
  }
}
