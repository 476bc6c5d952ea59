import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { REGISTRY_MIGRATIONS, type RegistryMigration } from './registry-migrations.js';

/**
 * The registry file and its WAL companions readable by the gateway's user
 * only: the file is created 0600 before SQLite opens it (no moment at the
 * umask's 0644), and a file or a `-wal`/`-shm` left 0644 (by older code, a
 * copy) is narrowed. SQLite creates `-wal` and `-shm` with the file's mode.
 */
function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/**
 * The one connection the SQLite registry adapters share: the gateway's own
 * file (WAL, foreign keys on, migrated by `PRAGMA user_version`), created
 * 0600. Every statement is prepared once and reused (preparing one per
 * request was a visible share of a proxied request's CPU in the warm-proxy
 * profile).
 *
 * @example
 * const db = new SqliteRegistryDatabase(':memory:');
 * db.stmt('SELECT count(*) FROM tenants').pluck().get(); // 0
 */
export class SqliteRegistryDatabase {
  /** The registry's clock (timestamps written, key-use throttling). */
  readonly now: () => Date;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #dataVersion = -1;
  #dataVersionStmt: Database.Statement | undefined;
  #checkedThisTurn = false;
  readonly #nextTurn = (): void => {
    this.#checkedThisTurn = false;
  };

  constructor(path: string, options: { now?: () => Date } = {}) {
    if (path !== ':memory:') ownerOnly(path);
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.pragma('foreign_keys = ON');
    this.now = options.now ?? (() => new Date());
    this.#migrate();
  }

  #migrate(): void {
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    if (version > REGISTRY_MIGRATIONS.length) {
      // A newer gateway migrated this file: running on it could misread or lose what it added.
      this.#db.close();
      throw new Error(
        `the SQLite registry is at migration ${version}, newer than this gateway knows (${REGISTRY_MIGRATIONS.length}): upgrade the gateway, or restore the registry.db of this version`,
      );
    }
    for (let i = version; i < REGISTRY_MIGRATIONS.length; i++) {
      this.#db.transaction(() => {
        const step = REGISTRY_MIGRATIONS[i] as RegistryMigration;
        if (typeof step === 'string') this.#db.exec(step);
        else step(this.#db);
        this.#db.pragma(`user_version = ${i + 1}`);
      })();
    }
  }

  /** The statement for `sql`, prepared on first use and kept. */
  stmt(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one transaction (committed when it returns, rolled back when it throws). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn)();
  }

  /** Now, as the ISO-8601 text every timestamp column holds. */
  iso(): string {
    return this.now().toISOString();
  }

  tenantExists(id: string): boolean {
    return this.stmt('SELECT 1 FROM tenants WHERE id = ?').get(id) !== undefined;
  }

  /**
   * Whether another connection has committed to the file since the last call
   * (`PRAGMA data_version`): then whatever was cached from it is stale.
   */
  changedByOthers(): boolean {
    // Asked once per turn of the event loop: a tenant request asks up to three times (key, tenant,
    // rate), and the pragma is ~6 µs each, the largest item of the auth step (bench/proxy-layers.mjs).
    // A commit by another process within the same turn cannot be told from one just after it.
    if (this.#checkedThisTurn) return false;
    this.#checkedThisTurn = true;
    setImmediate(this.#nextTurn);
    this.#dataVersionStmt ??= this.#db.prepare('PRAGMA data_version').pluck();
    const version = this.#dataVersionStmt.get() as number;
    if (version === this.#dataVersion) return false;
    this.#dataVersion = version;
    return true;
  }

  close(): void {
    this.#statements.clear();
    this.#dataVersionStmt = undefined;
    this.#db.close();
  }
}
