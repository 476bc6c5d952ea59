import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstanceManager } from '../lifecycle/instance-manager.js';
import { lifecycleKit } from '../lifecycle/testing/lifecycle-kit.js';
import { openPostgresRegistry, type PostgresRegistry } from '../tenants/postgres/open-postgres-registry.js';
import {
  findPostgresBin,
  startThrowawayCluster,
  type ThrowawayCluster,
} from '../tenants/postgres/testing/throwaway-cluster.js';
import { createBackupMetrics } from './backup-metrics.js';
import { BackupScheduler } from './backup-schedule.js';
import { BackupStore } from './backup-store.js';
import { FolderTenantData } from './folder-tenant-data.js';
import { TenantOperations } from './tenant-operations.js';

/**
 * Scheduled backups in a fleet: two gateways' schedulers over one PostgreSQL
 * registry (a real throwaway cluster) and one shared backup folder, ticking
 * at the same moments. Each interval's backup is taken once, not once per
 * gateway; a failed one is retried by whichever gateway ticks next.
 */
const bin = findPostgresBin();
const skipReason = bin === undefined ? 'PostgreSQL is not installed (apt-get install postgresql)' : undefined;
if (skipReason !== undefined && process.env.CI) throw new Error(`CI: ${skipReason}`);

let cluster: ThrowawayCluster | undefined;
const registries: PostgresRegistry[] = [];
const dirs: string[] = [];
beforeAll(async () => {
  if (skipReason === undefined) cluster = await startThrowawayCluster();
}, 60_000);
afterAll(async () => {
  for (const r of registries.splice(0)) await r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await cluster?.stop();
}, 90_000);

describe.skipIf(skipReason !== undefined)('scheduled backups in a fleet', () => {
  it('takes each interval of a schedule once across two gateways, and lets the other retry a failed one', async () => {
    const root = mkdtempSync(join(tmpdir(), 'silo-fleet-backup-'));
    dirs.push(root);
    const tenantDir = (id: string) => join(root, 'tenants', id);
    // acme has data; beta has none yet, so its backup fails until it does.
    mkdirSync(join(tenantDir('acme'), 'data'), { recursive: true });
    const db = new Database(join(tenantDir('acme'), 'data', 'silo.db'));
    db.exec("CREATE TABLE executions (id TEXT PRIMARY KEY); INSERT INTO executions VALUES ('e1')");
    db.close();

    let ms = Date.parse('2030-01-01T00:00:00Z');
    const now = () => new Date(ms);
    const url = await (cluster as ThrowawayCluster).createDatabase('fleet_backups');
    const store = new BackupStore(join(root, 'backups')); // one folder the gateways share
    const gateways = await Promise.all(
      ['gw-1', 'gw-2'].map(async (gatewayId) => {
        const registry = await openPostgresRegistry(url, { now, poolSize: 2 });
        registries.push(registry);
        const ops = new TenantOperations({
          registry,
          manager: new InstanceManager(lifecycleKit().options),
          data: new FolderTenantData(tenantDir),
          purge: async () => undefined,
          store,
          metrics: createBackupMetrics(new MetricsRegistry()),
          logger: pino({ level: 'silent' }),
          runtime: 'process',
          version: '0.1.0',
        });
        return new BackupScheduler({
          ops,
          store,
          registry,
          logger: pino({ level: 'silent' }),
          defaults: { every: '1h', keep: 10 },
          fleet: { jobs: registry.jobs as NonNullable<PostgresRegistry['jobs']>, gatewayId },
        });
      }),
    );
    const [first] = registries;
    await first?.tenants.create({ id: 'acme' });
    await first?.tenants.create({ id: 'beta' });
    const tickBoth = () => Promise.all(gateways.map((g) => g.tick(ms)));

    await tickBoth();
    expect(await store.list('acme')).toHaveLength(1);
    expect(await store.list('beta')).toHaveLength(0);
    ms += 10 * 60_000; // within the hour: nothing new on either gateway
    await tickBoth();
    expect(await store.list('acme')).toHaveLength(1);

    // beta's failure gave its claim back: once it has data, the next tick takes it (within the same hour).
    mkdirSync(join(tenantDir('beta'), 'data'), { recursive: true });
    new Database(join(tenantDir('beta'), 'data', 'silo.db')).close();
    await gateways[1]?.tick(ms);
    expect(await store.list('beta')).toHaveLength(1);

    ms += 55 * 60_000; // 01:05: acme's hour (from 00:00) is over, beta's (from 00:10) is not
    await tickBoth();
    await tickBoth();
    expect(await store.list('acme')).toHaveLength(2);
    expect(await store.list('beta')).toHaveLength(1);
    ms += 15 * 60_000;
    await tickBoth();
    expect(await store.list('beta')).toHaveLength(2);
  }, 60_000);
});
