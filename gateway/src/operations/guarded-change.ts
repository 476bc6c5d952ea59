import type { Logger } from 'pino';
import { ConflictError, NotFoundError, UpstreamFailedError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { Registry } from '../tenants/registry.js';
import { smokeCheck } from './smoke-check.js';
import type { TenantOperations } from './tenant-operations.js';

/**
 * A change to one tenant that only takes effect when its instance restarts
 * (an orchestrator version, a dialect): `apply` makes it, `undo` takes it
 * back. Both run while the instance is stopped.
 */
export type Change = {
  /** For the log and the reasons: "upgrade 0.1.0 → 0.2.0". */
  name: string;
  apply(): Promise<void> | void;
  undo(): Promise<void> | void;
};

export type GuardedResult = {
  outcome: 'applied' | 'rolled-back';
  /** Why it was rolled back (also the tenant's `lastError`); null when applied. */
  reason: string | null;
  /** The backup taken before the change (the way back). */
  backupId: string;
  durationMs: number;
};

export type GuardedChangeDeps = {
  ops: TenantOperations;
  registry: Pick<Registry, 'tenants' | 'instances'>;
  manager: InstanceManager;
  logger: Logger;
  /**
   * Checks the restarted instance; throws with the reason when it is not fit.
   * @default `smokeCheck`: every flow still parses, a health execution runs to SUCCESS
   */
  check?: (tenantId: string) => Promise<unknown>;
};

/**
 * One way to change a tenant safely (issue 16 §4): backup → stop → apply
 * the change → start (migrations run, readiness) → check (smoke check) →
 * done; or, at the first failure, automatic rollback: stop, undo the
 * change, restore the backup (which starts the instance and checks it
 * serves the backup's executions), and keep the reason in the tenant's
 * `lastError` and in the result. One change per tenant at a time (409).
 * Each step is logged (`guard: …`).
 *
 * @example
 * const result = await guard.run('acme', { name: 'upgrade to 0.2.0', apply: () => pin('0.2.0'), undo: () => pin('0.1.0') });
 * result.outcome; // 'applied' | 'rolled-back'
 */
export class GuardedChanges {
  readonly #busy = new Set<string>();
  constructor(private readonly deps: GuardedChangeDeps) {}

  /** True while a change of this tenant is in progress. */
  busy(tenantId: string): boolean {
    return this.#busy.has(tenantId);
  }

  async run(tenantId: string, change: Change): Promise<GuardedResult> {
    const { registry, ops, manager, logger } = this.deps;
    if ((await registry.tenants.get(tenantId)) === undefined) throw new NotFoundError('tenant', tenantId);
    if (this.#busy.has(tenantId))
      throw new ConflictError(`tenant ${tenantId}: another upgrade or guarded change is in progress`);
    this.#busy.add(tenantId);
    const started = Date.now();
    const log = { tenantId, change: change.name };
    try {
      logger.info(log, 'guard: taking the backup');
      const backup = await ops.backup(tenantId, 'guard');
      let step = 'stop';
      try {
        logger.info({ ...log, backupId: backup.id }, 'guard: stopping the instance');
        await manager.stop(tenantId, 'guarded change');
        step = 'apply';
        logger.info(log, 'guard: applying the change');
        await change.apply();
        step = 'start';
        logger.info(log, 'guard: starting the instance (migrations, readiness)');
        await manager.start(tenantId, 'guarded change');
        step = 'check';
        logger.info(log, 'guard: smoke check');
        await (this.deps.check ?? ((id: string) => smokeCheck(manager, id)))(tenantId);
      } catch (err) {
        const reason = `${change.name} failed at ${step}: ${(err as Error).message}`;
        logger.warn({ ...log, step, err }, 'guard: failed, rolling back');
        await this.#rollBack(tenantId, change, backup.id, reason);
        const durationMs = Date.now() - started;
        logger.info({ ...log, backupId: backup.id, durationMs, reason }, 'guard: rolled back');
        return { outcome: 'rolled-back', reason, backupId: backup.id, durationMs };
      }
      const durationMs = Date.now() - started;
      logger.info({ ...log, backupId: backup.id, durationMs }, 'guard: applied');
      return { outcome: 'applied', reason: null, backupId: backup.id, durationMs };
    } finally {
      this.#busy.delete(tenantId);
    }
  }

  /** Stop, undo, restore the backup (it starts and verifies the instance), then record the reason. */
  async #rollBack(tenantId: string, change: Change, backupId: string, reason: string): Promise<void> {
    const { registry, ops, manager, logger } = this.deps;
    try {
      await manager.stop(tenantId, 'rollback');
      logger.info({ tenantId, change: change.name }, 'guard: undoing the change');
      await change.undo();
      logger.info({ tenantId, backupId }, 'guard: restoring the backup');
      await ops.restore(tenantId, backupId);
    } catch (err) {
      const both = `${reason}; the rollback failed too: ${(err as Error).message}`;
      await registry.instances.update(tenantId, { lastError: both });
      logger.error({ tenantId, backupId, err }, 'guard: rollback failed');
      throw new UpstreamFailedError(tenantId, { cause: new Error(both) });
    }
    await registry.instances.update(tenantId, { lastError: reason });
  }
}
