import pg from 'pg';
import { RegistryUnavailableError } from '../../errors.js';
import { POSTGRES_REGISTRY_MIGRATIONS } from './postgres-migrations.js';

/** A value a statement takes. */
export type SqlValue = string | number | boolean | null | Date;

/** Errors of the connection, not of the statement: the server is away (node errnos and SQLSTATE classes 08, 57P). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Whether `err` says the database cannot be reached (rather than that a statement failed). */
export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (e.code !== undefined && (UNREACHABLE_CODES.has(e.code) || /^(08|57P)/.test(e.code))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
    e.message ?? '',
  );
}

export type PostgresDatabaseOptions = {
  /** The registry's clock (timestamps written, key-use throttling). @default () => new Date() */
  now?: () => Date;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
  /** Bound on getting a connection; past it the call fails with `RegistryUnavailableError`. @default 2000 */
  connectTimeoutMs?: number;
};

/**
 * The pool the PostgreSQL registry adapters share (`pg` 8's `Pool`), the
 * schema migrations, and the one place a lost connection becomes a
 * `RegistryUnavailableError` (503 + Retry-After, and `/healthz` detail).
 *
 * @example
 * const db = await PostgresDatabase.open('postgres://silo@127.0.0.1/silo');
 * await db.query('SELECT count(*) FROM tenants');
 */
export class PostgresDatabase {
  readonly now: () => Date;
  readonly pool: pg.Pool;
  /** When the last statement failed for want of a connection (cleared by the next success). */
  #unreachableSince: Date | null = null;
  #lastError: string | null = null;

  private constructor(
    readonly url: string,
    options: PostgresDatabaseOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection dropped by the server must not crash the gateway: the next query reconnects.
    this.pool.on('error', (err) => this.#markUnreachable(err));
  }

  /** Connects, applies the migrations not yet applied (one gateway at a time), and returns the database. */
  static async open(url: string, options: PostgresDatabaseOptions = {}): Promise<PostgresDatabase> {
    const db = new PostgresDatabase(url, options);
    try {
      await db.#migrate();
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      if (isUnreachable(err)) {
        throw new Error(
          `SILO_REGISTRY: cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      throw err;
    }
    return db;
  }

  async #migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Several gateways may start at once: the first migrates, the others wait and find it done.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('silo_registry_migrations'))");
      await client.query(
        'CREATE TABLE IF NOT EXISTS silo_registry_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM silo_registry_migrations',
      );
      const applied = rows[0]?.v ?? 0;
      if (applied > POSTGRES_REGISTRY_MIGRATIONS.length) {
        throw new Error(
          `the PostgreSQL registry is at migration ${applied}, newer than this gateway knows (${POSTGRES_REGISTRY_MIGRATIONS.length}): upgrade the gateway`,
        );
      }
      for (let i = applied; i < POSTGRES_REGISTRY_MIGRATIONS.length; i++) {
        await client.query(POSTGRES_REGISTRY_MIGRATIONS[i] as string);
        await client.query('INSERT INTO silo_registry_migrations (version) VALUES ($1)', [i + 1]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Runs one statement; a lost connection becomes `RegistryUnavailableError`. */
  async query<R extends pg.QueryResultRow>(sql: string, params: SqlValue[] = []): Promise<pg.QueryResult<R>> {
    try {
      const result = await this.pool.query<R>(sql, params);
      this.#unreachableSince = null;
      return result;
    } catch (err) {
      throw this.#translate(err);
    }
  }

  /** Runs `fn` in one transaction on one connection (committed when it resolves, rolled back when it throws). */
  async transaction<T>(fn: (q: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.#translate(err);
    }
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      this.#unreachableSince = null;
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.#translate(err);
    } finally {
      client.release();
    }
  }

  #translate(err: unknown): unknown {
    if (!isUnreachable(err)) return err;
    this.#markUnreachable(err as Error);
    return new RegistryUnavailableError((err as Error).message, { cause: err });
  }

  #markUnreachable(err: Error): void {
    this.#unreachableSince ??= this.now();
    this.#lastError = err.message;
  }

  /** For `/healthz`: whether the last statement reached the server, and since when it has not. */
  health(): { reachable: boolean; since: string | null; lastError: string | null } {
    const since = this.#unreachableSince;
    return {
      reachable: since === null,
      since: since?.toISOString() ?? null,
      lastError: since ? this.#lastError : null,
    };
  }

  iso(): string {
    return this.now().toISOString();
  }

  async tenantExists(id: string): Promise<boolean> {
    return (await this.query('SELECT 1 FROM tenants WHERE id = $1', [id])).rowCount === 1;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the SILO_REGISTRY URL';
  }
}

/** A `TIMESTAMPTZ` as read (a `Date`), as the ports' ISO-8601 text. */
export function isoOf(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
