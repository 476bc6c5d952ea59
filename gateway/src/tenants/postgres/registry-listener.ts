import pg from 'pg';
import type { AuthCaches } from '../auth-cache.js';
import type { PostgresDatabase } from './postgres-database.js';
import { REGISTRY_CHANNEL } from './postgres-migrations.js';

/** Pause between attempts to listen again after the connection was lost. */
const RELISTEN_MS = 500;

/**
 * Keeps this gateway's auth caches true to what every gateway commits: one
 * dedicated connection `LISTEN`s on `silo_registry`, where the registry's
 * triggers (migration 0002) announce each suspend, resume, delete and key
 * revocation at commit; the matching entries are dropped on arrival (a few
 * ms, well within issue 17's one second).
 *
 * While the connection is lost the caches cannot be trusted, so `live` is
 * false and the stores read through to the database (falling back to the
 * cache only when the database does not answer either); when it is back,
 * the caches are cleared, since notifications may have been missed.
 *
 * @example
 * const listener = new RegistryListener(db, caches);
 * await listener.start();
 */
export class RegistryListener {
  readonly #db: PostgresDatabase;
  readonly #caches: AuthCaches;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #wakeWatchers = new Set<() => void>();
  /** Whether notifications are being received right now. */
  live = false;

  constructor(db: PostgresDatabase, caches: AuthCaches) {
    this.#db = db;
    this.#caches = caches;
  }

  /** Listens; when the database does not answer, keeps retrying in the background and resolves. */
  async start(): Promise<void> {
    await this.#listen();
  }

  async #listen(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#db.url, connectionTimeoutMillis: 2_000 });
    client.on('notification', (msg) => this.#apply(msg.payload ?? ''));
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REGISTRY_CHANNEL}`);
    } catch {
      this.#lost(client);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#caches.clear();
    this.live = true;
    for (const watcher of this.#wakeWatchers) watcher();
  }

  #apply(payload: string): void {
    const colon = payload.indexOf(':');
    const kind = payload.slice(0, colon);
    const id = payload.slice(colon + 1);
    if (kind === 'wake') for (const watcher of this.#wakeWatchers) watcher();
    else if (kind === 'tenant') this.#caches.forgetTenant(id);
    else if (kind === 'key') this.#caches.forgetKey(id);
    else this.#caches.clear();
  }

  #lost(client: pg.Client): void {
    if (this.#client !== undefined && this.#client !== client) return;
    this.#client = undefined;
    this.live = false;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#listen();
    }, RELISTEN_MS);
    this.#timer.unref();
  }

  /** Calls `onChange` on every wake-timer change in the database (and after a lost connection came back). */
  watchWakes(onChange: () => void): () => void {
    this.#wakeWatchers.add(onChange);
    return () => this.#wakeWatchers.delete(onChange);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.live = false;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
