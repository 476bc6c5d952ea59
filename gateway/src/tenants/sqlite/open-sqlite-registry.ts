import type { SecretValueCipher } from '../../secrets/secret-store.js';
import { AuthCaches } from '../auth-cache.js';
import type { Registry } from '../registry.js';
import { SqliteRegistryDatabase } from './registry-database.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { SqliteInstanceFactStore } from './sqlite-instance-fact-store.js';
import { SqliteSecretStore } from './sqlite-secret-store.js';
import { SqliteTenantStore } from './sqlite-tenant-store.js';
import { SqliteWakeTimerStore } from './sqlite-wake-timer-store.js';
import { SqliteWebhookKeyStore } from './sqlite-webhook-key-store.js';

export type SqliteRegistryOptions = {
  /** The registry's clock. @default () => new Date() */
  now?: () => Date;
  /** Encrypts secret values at rest (secrets/secret-cipher.ts); without it they are stored as given. */
  cipher?: SecretValueCipher;
};

/**
 * The registry in the gateway's own SQLite file (created 0600, migrated on
 * open): the five SQLite adapters over one connection, the tenant and key
 * stores sharing one pair of auth caches. `:memory:` gives a private,
 * throwaway registry.
 *
 * @example
 * const registry = openSqliteRegistry(join(dataDir, 'registry.db'), { cipher });
 * registry.tenants.create({ id: 'acme' });
 * registry.close();
 */
export function openSqliteRegistry(path: string, options: SqliteRegistryOptions = {}): Registry {
  const db = new SqliteRegistryDatabase(path, options.now ? { now: options.now } : {});
  const caches = new AuthCaches();
  return {
    tenants: new SqliteTenantStore(db, caches),
    keys: new SqliteApiKeyStore(db, caches),
    secrets: new SqliteSecretStore(db, options.cipher),
    instances: new SqliteInstanceFactStore(db),
    wakeTimers: new SqliteWakeTimerStore(db),
    webhookKeys: new SqliteWebhookKeyStore(db),
    async close() {
      caches.clear();
      db.close();
    },
  };
}
