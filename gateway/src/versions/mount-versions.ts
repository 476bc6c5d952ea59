import { Hono } from 'hono';
import type { Logger } from 'pino';
import { NotImplementedError } from '../errors.js';
import type { GuardedChanges } from '../operations/guarded-change.js';
import type { RuntimeDriver } from '../runtime/runtime-driver.js';
import type { TenantStore } from '../tenants/tenant-store.js';
import { BundleVersions } from './bundle-versions.js';
import { Upgrades } from './upgrades.js';
import type { VersionCatalog } from './version-catalog.js';
import { versionsRoutes } from './versions-routes.js';

/**
 * Wires versions into a gateway: the routes (or 501 where the runtime has
 * none: swarm, the fake), the current build's copy installed, and tenants
 * that predate versions pinned to the current build (in the background,
 * logged).
 *
 * @example
 * mountVersions((r) => app.route('/admin/v1', r), { catalog, guard, tenants, driver, logger });
 */
export function mountVersions(
  mount: (routes: Hono) => void,
  deps: {
    catalog: VersionCatalog | undefined;
    guard?: GuardedChanges;
    tenants: TenantStore;
    driver: RuntimeDriver;
    logger: Logger;
  },
): Upgrades | undefined {
  const { catalog, guard, tenants, logger } = deps;
  if (catalog === undefined || guard === undefined) {
    const routes = new Hono();
    routes.all('/versions', () => {
      throw new NotImplementedError(
        `orchestrator versions are not available on the ${deps.driver.name} runtime`,
      );
    });
    routes.all('/tenants/:id/upgrade', () => {
      throw new NotImplementedError(`upgrades are not available on the ${deps.driver.name} runtime`);
    });
    mount(routes);
    return undefined;
  }
  const upgrades = new Upgrades({ catalog, tenants, guard, logger });
  mount(versionsRoutes({ catalog, upgrades }));
  void (async () => {
    if (catalog instanceof BundleVersions) await catalog.ensureCurrent();
    await upgrades.pinUnpinned();
  })().catch((err: unknown) =>
    logger.error({ err }, 'versions: installing the current build or pinning tenants failed'),
  );
  return upgrades;
}
