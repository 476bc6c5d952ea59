import type { SecretStore } from '../secrets/secret-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { InstanceFactStore } from './instance-fact-store.js';
import type { InstanceLeaseStore } from './instance-lease-store.js';
import type { JobClaimStore } from './job-claim-store.js';
import type { TenantStore } from './tenant-store.js';
import type { WakeTimerStore } from './wake-timer-store.js';
import type { WebhookKeyStore } from './webhook-key-store.js';

/**
 * The gateway's registry: six small ports over one backend (SQLite,
 * `openSqliteRegistry`, the embedded default; or PostgreSQL,
 * `openPostgresRegistry`, shared by several gateways). Callers take only the
 * port they use (`Pick<Registry, 'tenants' | 'keys'>` for auth); the
 * composition root opens one `Registry` and closes it.
 *
 * The ports return Promises: the PostgreSQL backend (`tenants/postgres/`)
 * answers over the network. The two lookups on the request path
 * (`keys.verify`, `tenants.get`) are still served from in-process LRU caches
 * (`auth-cache.ts`) by both backends, so a cache hit costs a resolved
 * Promise, never a round trip. The ports hold no SQL types, no handles and
 * no transactions (values in, plain objects out, time as ISO-8601 strings,
 * failures as the gateway's own `NotFoundError`/`ConflictError`).
 *
 * A new backend goes in a folder beside `sqlite/` (e.g. `tenants/postgres/`):
 * one adapter per port, an `open…Registry` returning this type, the auth
 * caches of `auth-cache.ts` with its own invalidation (another writer's
 * commit must drop them), and a test that runs the five contract suites
 * (`@silo/gateway/testing`), as `sqlite/sqlite-registry.test.ts` does.
 *
 * @example
 * const registry = openSqliteRegistry('.silo/registry.db', { cipher });
 * await registry.tenants.create({ id: 'acme' });
 * const { key } = await registry.keys.create('acme', 'ci');
 * await registry.close();
 */
export type Registry = {
  readonly tenants: TenantStore;
  readonly keys: ApiKeyStore;
  readonly secrets: SecretStore;
  readonly instances: InstanceFactStore;
  readonly wakeTimers: WakeTimerStore;
  /**
   * Instance leases, on a backend several gateways share (PostgreSQL); absent
   * on the embedded SQLite registry, which has one gateway.
   */
  readonly leases?: InstanceLeaseStore;
  /** Periodic per-tenant jobs (scheduled backups) taken once per period by one gateway of a fleet; absent on SQLite. */
  readonly jobs?: JobClaimStore;
  /** Hashed webhook keys from the instances' reports (issue 12 §3). */
  readonly webhookKeys: WebhookKeyStore;
  /** Releases the backend (connection, pool, listener, caches); the ports are unusable after. */
  close(): Promise<void>;
};
