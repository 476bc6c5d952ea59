import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { InstanceManager } from '../lifecycle/instance-manager.js';
import { lifecycleKit } from '../lifecycle/testing/lifecycle-kit.js';
import { createBackupMetrics } from './backup-metrics.js';
import { BackupScheduler } from './backup-schedule.js';
import { BackupStore } from './backup-store.js';
import { FolderTenantData } from './folder-tenant-data.js';
import { TenantOperations } from './tenant-operations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Stopped tenants with real folders and SQLite files; real store, registry, operations and metrics. */
function setup() {
  const root = mkdtempSync(join(tmpdir(), 'silo-schedule-'));
  dirs.push(root);
  const { options, registry } = lifecycleKit();
  const manager = new InstanceManager(options);
  const tenantDir = (id: string) => join(root, 'tenants', id);
  for (const id of ['acme', 'beta']) {
    mkdirSync(join(tenantDir(id), 'data'), { recursive: true });
    const db = new Database(join(tenantDir(id), 'data', 'silo.db'));
    db.exec("CREATE TABLE executions (id TEXT PRIMARY KEY); INSERT INTO executions VALUES ('e1'), ('e2')");
    db.close();
  }
  const store = new BackupStore(join(root, 'backups'));
  const metricsRegistry = new Registry();
  const ops = new TenantOperations({
    registry,
    manager,
    data: new FolderTenantData(tenantDir),
    purge: async (id) => rmSync(tenantDir(id), { recursive: true, force: true }),
    store,
    metrics: createBackupMetrics(metricsRegistry),
    logger: pino({ level: 'silent' }),
    runtime: 'process',
    version: '0.1.0',
  });
  const scheduler = new BackupScheduler({
    ops,
    store,
    registry,
    logger: pino({ level: 'silent' }),
    defaults: { every: null, keep: 7 },
  });
  return { scheduler, store, metricsRegistry };
}

describe('scheduled backups', () => {
  it('backs up each tenant on its own schedule, keeps the newest `keep`, and records metrics', async () => {
    const { scheduler, store, metricsRegistry } = setup();
    await scheduler.set('acme', { every: '1h', keep: 2 });
    const t0 = Date.now();
    await scheduler.tick(t0);
    expect(await store.list('acme')).toHaveLength(1);
    expect(await store.list('beta')).toHaveLength(0); // no schedule: the gateway's default is off
    await scheduler.tick(t0 + 10 * 60_000); // within the hour: nothing new
    expect(await store.list('acme')).toHaveLength(1);
    await scheduler.tick(t0 + 2 * 3_600_000);
    await scheduler.tick(t0 + 4 * 3_600_000);
    const kept = await store.list('acme');
    expect(kept).toHaveLength(2);
    expect(kept.every((r) => r.trigger === 'schedule' && r.executions === 2 && r.mode === 'offline')).toBe(
      true,
    );
    const text = await metricsRegistry.metrics();
    expect(text).toMatch(/silo_backup_last_size_bytes\{tenant="acme"\} [1-9]/);
    expect(text).toMatch(/silo_backup_last_success_timestamp_seconds\{tenant="acme"\} [1-9]/);
  });

  it('refuses a schedule that is not a duration, naming the field', async () => {
    const { BackupScheduleSchema } = await import('./backup-schedule.js');
    const parsed = BackupScheduleSchema.safeParse({ every: 'soon', keep: 0 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['every', 'keep']);
  });
});
