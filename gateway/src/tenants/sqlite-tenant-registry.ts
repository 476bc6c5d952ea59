import { openSqliteRegistry, type SqliteRegistryOptions } from './sqlite/open-sqlite-registry.js';
import { TenantRegistryFacade } from './tenant-registry.js';

export type { SecretValueCipher } from '../secrets/secret-store.js';

/**
 * The SQLite registry behind the wave-1 `TenantRegistry` methods, for the
 * callers not yet moved to the ports (`lifecycle/`, its tests, the
 * benchmark); `.registry` holds the ports. New code calls
 * `openSqliteRegistry`.
 *
 * @example
 * const registry = new SqliteTenantRegistry('.silo/registry.db');
 * registry.createTenant({ id: 'acme' });
 * registry.registry.keys.create('acme', 'ci');
 */
export class SqliteTenantRegistry extends TenantRegistryFacade {
  constructor(path: string, options: SqliteRegistryOptions = {}) {
    super(openSqliteRegistry(path, options));
  }
}
