import { join } from 'node:path';
import type { SecretValueCipher } from '../secrets/secret-store.js';
import { openPostgresRegistry } from './postgres/open-postgres-registry.js';
import type { Registry } from './registry.js';
import { openSqliteRegistry } from './sqlite/open-sqlite-registry.js';

/** What `/healthz` says of the registry: its backend and, for PostgreSQL, whether it answers. */
export type RegistryHealth =
  | { backend: 'sqlite' }
  | {
      backend: 'postgres';
      reachable: boolean;
      since: string | null;
      lastError: string | null;
      listening: boolean;
    };

/** The registry the gateway runs on, with its health. */
export type OpenedRegistry = { registry: Registry; health(): RegistryHealth };

/**
 * Opens the registry `SILO_REGISTRY` names: a `postgres://` URL → PostgreSQL,
 * shared by every gateway of a fleet; unset → the embedded SQLite file
 * `<dataDir>/registry.db`.
 *
 * @example
 * const { registry, health } = await openRegistry({ registry: undefined, dataDir: '.silo' }, cipher);
 */
export async function openRegistry(
  config: { registry?: string | undefined; dataDir: string },
  cipher: SecretValueCipher,
): Promise<OpenedRegistry> {
  if (config.registry !== undefined) {
    const registry = await openPostgresRegistry(config.registry, { cipher });
    return { registry, health: () => registry.health() };
  }
  const registry = openSqliteRegistry(join(config.dataDir, 'registry.db'), { cipher });
  return { registry, health: () => ({ backend: 'sqlite' }) };
}
