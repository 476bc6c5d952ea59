import type { SecretStore } from '../secrets/secret-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { InstanceFactStore } from './instance-fact-store.js';
import type { TenantStore } from './tenant-store.js';
import type { WakeTimerStore } from './wake-timer-store.js';
import type { WebhookKeyStore } from './webhook-key-store.js';

/**
 * The gateway's registry: five small ports over one backend (today SQLite,
 * `openSqliteRegistry`; next PostgreSQL, issue 17). Callers take only the
 * port they use (`Pick<Registry, 'tenants' | 'keys'>` for auth); the
 * composition root opens one `Registry` and closes it.
 *
 * Why the ports are synchronous: every caller is (auth on the request path,
 * the admin routes, the lifecycle), and the two lookups on the request path
 * (`keys.verify`, `tenants.get`) are served from in-process LRU caches in
 * about a microsecond (bench: registry section), which a Promise per call
 * would only slow down. A PostgreSQL adapter cannot answer synchronously, so
 * issue 17 changes the return types to `Promise<…>` and its callers to
 * `await`; to keep that change mechanical the ports hold no SQL types, no
 * handles and no transactions (values in, plain objects out, time as ISO-8601
 * strings, failures as the gateway's own `NotFoundError`/`ConflictError`),
 * and the contract suites already `await` every call, so they run unchanged
 * against either kind of adapter.
 *
 * A new backend goes in a folder beside `sqlite/` (e.g. `tenants/postgres/`):
 * one adapter per port, an `open…Registry` returning this type, the auth
 * caches of `auth-cache.ts` with its own invalidation (another writer's
 * commit must drop them), and a test that runs the five contract suites
 * (`@silo/gateway/testing`), as `sqlite/sqlite-registry.test.ts` does.
 *
 * @example
 * const registry = openSqliteRegistry('.silo/registry.db', { cipher });
 * registry.tenants.create({ id: 'acme' });
 * const { key } = registry.keys.create('acme', 'ci');
 * registry.close();
 */
export type Registry = {
  readonly tenants: TenantStore;
  readonly keys: ApiKeyStore;
  readonly secrets: SecretStore;
  readonly instances: InstanceFactStore;
  readonly wakeTimers: WakeTimerStore;
  /** Hashed webhook keys from the instances' reports (issue 12 §3); asynchronous already. */
  readonly webhookKeys: WebhookKeyStore;
  /** Releases the backend (connection, caches); the ports are unusable after. */
  close(): void;
};
