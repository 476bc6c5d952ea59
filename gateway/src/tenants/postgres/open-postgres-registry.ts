import type { SecretValueCipher } from '../../secrets/secret-store.js';
import { AuthCaches } from '../auth-cache.js';
import type { Registry } from '../registry.js';
import { PostgresApiKeyStore } from './postgres-api-key-store.js';
import { PostgresDatabase } from './postgres-database.js';
import { PostgresInstanceFactStore } from './postgres-instance-fact-store.js';
import { PostgresInstanceLeaseStore } from './postgres-instance-lease-store.js';
import { PostgresJobClaimStore } from './postgres-job-claim-store.js';
import { PostgresSecretStore } from './postgres-secret-store.js';
import { PostgresTenantStore } from './postgres-tenant-store.js';
import { PostgresWakeTimerStore } from './postgres-wake-timer-store.js';
import { PostgresWebhookKeyStore } from './postgres-webhook-key-store.js';
import { RegistryListener } from './registry-listener.js';

export type PostgresRegistryOptions = {
  /** The registry's clock. @default () => new Date() */
  now?: () => Date;
  /** Encrypts secret values at rest; every gateway sharing the database needs the same key. */
  cipher?: SecretValueCipher;
  /** Connections in the pool (plus one for LISTEN). @default 10 */
  poolSize?: number;
};

/** The PostgreSQL registry with what `/healthz` reports of it. */
export type PostgresRegistry = Registry & {
  health(): {
    backend: 'postgres';
    reachable: boolean;
    since: string | null;
    lastError: string | null;
    listening: boolean;
  };
};

/**
 * The registry in a PostgreSQL database shared by several gateways
 * (`SILO_REGISTRY=postgres://…`): migrated on open (the first gateway
 * migrates, the others wait on an advisory lock), the seven adapters over one
 * `pg` pool, and one `LISTEN` connection that drops the auth caches' stale
 * entries when any gateway commits a suspension, deletion or revocation.
 * Fails with a message naming `SILO_REGISTRY` when the database cannot be
 * reached at open; after that an outage is survived (see `CacheTrust`).
 *
 * @example
 * const registry = await openPostgresRegistry('postgres://silo@127.0.0.1:5432/silo', { cipher });
 * await registry.tenants.create({ id: 'acme' });
 * await registry.close();
 */
export async function openPostgresRegistry(
  url: string,
  options: PostgresRegistryOptions = {},
): Promise<PostgresRegistry> {
  const db = await PostgresDatabase.open(url, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.poolSize ? { poolSize: options.poolSize } : {}),
  });
  const caches = new AuthCaches();
  const listener = new RegistryListener(db, caches);
  await listener.start();
  // The caches answer alone while they are kept fresh, or when nothing fresher can be had.
  const trust = { trusted: () => listener.live || !db.health().reachable };
  return {
    tenants: new PostgresTenantStore(db, caches, trust),
    keys: new PostgresApiKeyStore(db, caches, trust),
    secrets: new PostgresSecretStore(db, options.cipher),
    instances: new PostgresInstanceFactStore(db),
    wakeTimers: new PostgresWakeTimerStore(db, listener),
    leases: new PostgresInstanceLeaseStore(db),
    jobs: new PostgresJobClaimStore(db),
    webhookKeys: new PostgresWebhookKeyStore(db),
    health: () => ({ backend: 'postgres', ...db.health(), listening: listener.live }),
    async close() {
      await listener.close();
      caches.clear();
      await db.close();
    },
  };
}
