import {
  type FlowMigrationEntry,
  type KestraVersion,
  KestraVersionSchema,
  MIGRATION_PATH,
  type MigrationReport,
} from '@silo/contracts';
import { Hono } from 'hono';
import { BadRequestError } from '../errors.js';
import type { FlowRecord } from '../ports/flow-repository.js';
import { migrateFlowTo20 } from './migrate-flow.js';

export type MigrationRouteDeps = {
  /** The dialect this instance speaks. */
  kestraVersion: KestraVersion;
  /** Every live flow's current revision (throws `NotReadyError` before the runner is up). */
  flows: () => FlowRecord[];
};

/**
 * `GET /_silo/migration?to=2.0` (behind the instance token, for the
 * gateway's `GET /admin/v1/tenants/{id}/migration`): each live flow's
 * migration report, computed where the flows and their parser are. A tenant
 * already on the target reports every flow clean; 2.0 → 1.3 is not a
 * migration (a rollback restores the backup taken before).
 *
 * @example
 * app.route('/', createMigrationRoute({ kestraVersion: '1.3', flows: () => repo.listAll() }));
 */
export function createMigrationRoute(deps: MigrationRouteDeps): Hono {
  const app = new Hono();
  app.get(MIGRATION_PATH, (c) => {
    const to = KestraVersionSchema.safeParse(c.req.query('to'));
    if (!to.success) throw new BadRequestError(`to: ${to.error.issues[0]?.message ?? 'invalid'}`);
    const from = deps.kestraVersion;
    if (from === '2.0' && to.data === '1.3')
      throw new BadRequestError(
        'to: this instance speaks 2.0; there is no migration back to 1.3 (restore the backup taken before the migration)',
      );
    const flows: FlowMigrationEntry[] = deps
      .flows()
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.id.localeCompare(b.id))
      .map((record) => ({
        namespace: record.namespace,
        id: record.id,
        revision: record.revision,
        ...(from === to.data ? { status: 'clean' as const, reasons: [] } : migrateFlowTo20(record.source)),
      }));
    const count = (s: FlowMigrationEntry['status']) => flows.filter((f) => f.status === s).length;
    const report: MigrationReport = {
      from,
      to: to.data,
      summary: { clean: count('clean'), automatic: count('automatic'), manual: count('manual') },
      flows,
    };
    return c.json(report);
  });
  return app;
}
