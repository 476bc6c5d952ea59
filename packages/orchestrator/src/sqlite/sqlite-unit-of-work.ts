import type { UnitOfWork } from '../ports/unit-of-work.js';
import type { SqliteDatabase } from './database.js';

/** A better-sqlite3 transaction (a SAVEPOINT when nested). */
export class SqliteUnitOfWork implements UnitOfWork {
  constructor(private readonly db: SqliteDatabase) {}

  atomically<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
