import { join } from 'node:path';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { NotImplementedError } from '../errors.js';
import { orchestratorVersion } from '../images/image-builder.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { RuntimeDriver } from '../runtime/runtime-driver.js';
import type { JobClaimStore } from '../tenants/job-claim-store.js';
import type { Registry as TenantRegistry } from '../tenants/registry.js';
import { mountVersions } from '../versions/mount-versions.js';
import type { VersionCatalog } from '../versions/version-catalog.js';
import { createBackupMetrics } from './backup-metrics.js';
import { BackupScheduler } from './backup-schedule.js';
import { BackupStore } from './backup-store.js';
import { DialectMigrations } from './dialect-migration.js';
import { FolderTenantData } from './folder-tenant-data.js';
import { GuardedChanges } from './guarded-change.js';
import { migrationRoutes } from './migration-routes.js';
import { operationsRoutes } from './operations-routes.js';
import type { TenantData } from './tenant-data.js';
import { TenantOperations } from './tenant-operations.js';
import { type VolumeHost, VolumeTenantData } from './volume-tenant-data.js';

export type OperationsSettings = {
  /** `SILO_BACKUP_DIR`. @default `<data dir>/backups` */
  backupDir?: string;
  /** `SILO_BACKUP_EVERY`: scheduled backups of every tenant without its own schedule. @default off */
  backupEvery?: string;
  /** `SILO_BACKUP_KEEP`: scheduled backups kept per tenant. @default 7 */
  backupKeep?: number;
};

/** The repo root from `gateway/{src,dist}/operations/`. */
const ROOT = new URL('../../../', import.meta.url).pathname;

/** The tenant data of a driver: its folders (process) or its volumes (docker). */
function tenantDataOf(driver: RuntimeDriver): TenantData | undefined {
  if ('tenantDir' in driver && typeof driver.tenantDir === 'function')
    return new FolderTenantData((id) => (driver.tenantDir as (id: string) => string)(id));
  if ('docker' in driver && 'specConfig' in driver)
    return new VolumeTenantData(driver as unknown as VolumeHost);
  return undefined;
}

/**
 * Wires tenant operations (issue 16) into a gateway: gives `mount` the
 * routes (for `/admin/v1`, behind the admin auth already on `/admin/*`) and
 * starts the backup scheduler. Drivers without tenant data access (the fake)
 * answer 501. Returns what the gateway's `close()` must stop.
 *
 * @example
 * const operations = createOperations({ mount: (r) => app.route('/admin/v1', r), dataDir, settings, ... });
 */
export function createOperations(deps: {
  mount: (routes: Hono) => void;
  dataDir: string;
  settings: OperationsSettings;
  /** In a fleet: scheduled backups are claimed per interval, so one gateway takes each. */
  fleet?: { jobs: JobClaimStore; gatewayId: string };
  registry: Pick<TenantRegistry, 'tenants' | 'keys' | 'secrets' | 'wakeTimers' | 'instances'>;
  /** The driver's orchestrator versions; none: upgrades answer 501. */
  versions: VersionCatalog | undefined;
  manager: InstanceManager;
  driver: RuntimeDriver;
  metricsRegistry: Registry;
  logger: Logger;
}): {
  ops?: TenantOperations;
  scheduler?: BackupScheduler;
  /** Guarded changes (backup → change → restart → smoke check, else rollback): one for upgrades and dialect migrations alike. */
  guard?: GuardedChanges;
  /** Kestra dialect migrations (1.3 → 2.0) with rollback. */
  migrations?: DialectMigrations;
  close(): Promise<void>;
} {
  const { settings, registry, manager, driver, logger } = deps;
  const data = tenantDataOf(driver);
  if (data === undefined) {
    const routes = new Hono();
    routes.all('/tenants/:id/:op{backups|restore|export|migration}', () => {
      throw new NotImplementedError(`tenant operations are not available on the ${driver.name} runtime`);
    });
    mountVersions(deps.mount, { ...deps, tenants: registry.tenants, catalog: undefined });
    deps.mount(routes);
    return { close: async () => undefined };
  }
  const store = new BackupStore(settings.backupDir ?? join(deps.dataDir, 'backups'));
  store.clearStaging();
  let version = 'unknown';
  try {
    version = orchestratorVersion(ROOT);
  } catch {}
  const ops = new TenantOperations({
    registry,
    manager,
    data,
    purge: (id) => driver.remove(id, { purge: true }),
    store,
    metrics: createBackupMetrics(deps.metricsRegistry),
    logger,
    runtime: driver.name,
    version,
  });
  const scheduler = new BackupScheduler({
    ops,
    store,
    registry,
    logger,
    defaults: { every: settings.backupEvery ?? null, keep: settings.backupKeep ?? 7 },
    ...(deps.fleet ? { fleet: deps.fleet } : {}),
  });
  const guard = new GuardedChanges({
    ops,
    registry,
    manager,
    logger,
    logs: (id) => driver.logs(id, { tail: 60 }),
    wipe: (id) => driver.remove(id, { purge: true }),
  });
  const migrations = new DialectMigrations({ registry, manager, logger, guard });
  deps.mount(operationsRoutes({ ops, store, scheduler, registry, manager }));
  deps.mount(migrationRoutes(migrations));
  mountVersions(deps.mount, { ...deps, tenants: registry.tenants, catalog: deps.versions, guard });
  scheduler.start();
  return { ops, scheduler, guard, migrations, close: () => scheduler.stop() };
}
