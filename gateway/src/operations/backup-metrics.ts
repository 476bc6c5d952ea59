import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackupRecord } from './backup-store.js';

/** Per-tenant backup metrics, on the gateway's `/metrics`. */
export type BackupMetrics = {
  succeeded(record: BackupRecord): void;
  failed(tenantId: string): void;
};

/**
 * `silo_backup_last_success_timestamp_seconds`, `silo_backup_last_size_bytes`,
 * `silo_backup_last_duration_seconds` and `silo_backup_failures_total`, each
 * labelled by tenant.
 *
 * @example
 * const metrics = createBackupMetrics(gateway.metrics.registry);
 */
export function createBackupMetrics(registry: Registry): BackupMetrics {
  const registers = [registry];
  const labelNames = ['tenant'] as const;
  const last = new Gauge({
    name: 'silo_backup_last_success_timestamp_seconds',
    help: 'When the last successful backup of the tenant was taken',
    labelNames,
    registers,
  });
  const size = new Gauge({
    name: 'silo_backup_last_size_bytes',
    help: 'Size of the last successful backup archive of the tenant',
    labelNames,
    registers,
  });
  const duration = new Gauge({
    name: 'silo_backup_last_duration_seconds',
    help: 'How long the last successful backup of the tenant took',
    labelNames,
    registers,
  });
  const failures = new Counter({
    name: 'silo_backup_failures_total',
    help: 'Backups of the tenant that failed',
    labelNames,
    registers,
  });
  return {
    succeeded(record) {
      const labels = { tenant: record.tenantId };
      last.set(labels, Date.parse(record.createdAt) / 1000);
      size.set(labels, record.sizeBytes);
      duration.set(labels, record.durationMs / 1000);
    },
    failed(tenantId) {
      failures.inc({ tenant: tenantId });
    },
  };
}
