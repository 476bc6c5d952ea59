import type { Logger } from 'pino';
import { ConflictError, NotFoundError, UpstreamFailedError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { Registry } from '../tenants/registry.js';
import { smokeCheck } from './smoke-check.js';
import type { TenantOperations } from './tenant-operations.js';

/** `NoTenantDataError`'s message, as the backup answers it (a 409). */
const NO_DATA = /has no data yet/;

/**
 * A change to one tenant that only takes effect when its instance restarts
 * (an orchestrator version, a dialect): `apply` makes it, `undo` takes it
 * back. Both run while the instance is stopped.
 */
export type Change = {
  /** For the log and the reasons: "upgrade 0.1.0 → 0.2.0". */
  name: string;
  /**
   * Runs first, with the tenant already held (a second change answers 409)
   * and nothing changed yet: what the change needs to know before it starts
   * (a dialect migration's report). Throwing here ends the change, no backup
   * taken, no rollback.
   */
  prepare?(): Promise<void> | void;
  apply(): Promise<void> | void;
  undo(): Promise<void> | void;
  /** Checks the restarted instance instead of the guard's own check (throws with the reason to roll back). */
  check?(tenantId: string): Promise<unknown>;
};

export type GuardedResult = {
  outcome: 'applied' | 'rolled-back';
  /** Why it was rolled back (also the tenant's `lastError`); null when applied. */
  reason: string | null;
  /** The backup taken before the change (the way back); null for a tenant that had no data yet. */
  backupId: string | null;
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
  /** The instance's own output (a failed start's reason is in it): `driver.logs`. */
  logs?: (tenantId: string) => Promise<string>;
  /** Removes a tenant's data: the rollback of a tenant that had none before (`driver.remove(id, { purge: true })`). */
  wipe?: (tenantId: string) => Promise<void>;
};

/**
 * One way to change a tenant safely (issue 16 §4): backup → stop → apply
 * the change → start (migrations run, readiness) → check (smoke check) →
 * done; or, at the first failure, automatic rollback: stop, undo the
 * change, restore the backup (which starts the instance and checks it
 * serves the backup's executions), and keep the reason in the tenant's
 * `lastError` and in the result. One change per tenant at a time (409):
 * a gateway has one instance (`create-operations.ts`) that upgrades and
 * dialect migrations share.
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
    const { registry, manager, logger } = this.deps;
    if ((await registry.tenants.get(tenantId)) === undefined) throw new NotFoundError('tenant', tenantId);
    if (this.#busy.has(tenantId))
      throw new ConflictError(`tenant ${tenantId}: another upgrade or guarded change is in progress`);
    this.#busy.add(tenantId);
    const started = Date.now();
    const log = { tenantId, change: change.name };
    try {
      await change.prepare?.();
      logger.info(log, 'guard: taking the backup');
      const backup = await this.#backup(tenantId);
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
        const check =
          change.check?.bind(change) ?? this.deps.check ?? ((id: string) => smokeCheck(manager, id));
        await check(tenantId);
      } catch (err) {
        const why = (err as Error).message;
        const said = step === 'start' ? await this.#lastError(tenantId) : undefined;
        const reason = `${change.name} failed at ${step}: ${why}${said && !why.includes(said) ? ` (${said})` : ''}`;
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

  /** The backup, or none for a tenant whose instance never ran (nothing to lose, nothing to copy). */
  async #backup(tenantId: string): Promise<{ id: string | null }> {
    try {
      return await this.deps.ops.backup(tenantId, 'guard');
    } catch (err) {
      if (!(err instanceof ConflictError && NO_DATA.test(err.message)) || this.deps.wipe === undefined)
        throw err;
      this.deps.logger.info({ tenantId }, 'guard: the tenant has no data yet, nothing to back up');
      return { id: null };
    }
  }

  /** The last error line of the instance's output (why a start failed), if any. */
  async #lastError(tenantId: string): Promise<string | undefined> {
    const text = await this.deps.logs?.(tenantId).catch(() => undefined);
    const lines = (text ?? '').split('\n').reverse();
    return lines
      .find((l) => /^\w*Error\b.*:/.test(l.trim()))
      ?.trim()
      .slice(0, 500);
  }

  /**
   * Stop, undo, restore the backup (it starts and verifies the instance),
   * then record the reason. Without a backup (no data before), the data the
   * attempt made is removed and the tenant left stopped, as it was.
   */
  async #rollBack(tenantId: string, change: Change, backupId: string | null, reason: string): Promise<void> {
    const { registry, ops, manager, logger } = this.deps;
    try {
      await manager.stop(tenantId, 'rollback');
      logger.info({ tenantId, change: change.name }, 'guard: undoing the change');
      await change.undo();
      if (backupId === null) {
        logger.info({ tenantId }, 'guard: removing the data the attempt made');
        await this.deps.wipe?.(tenantId);
      } else {
        logger.info({ tenantId, backupId }, 'guard: restoring the backup');
        await ops.restore(tenantId, backupId);
      }
    } catch (err) {
      const both = `${reason}; the rollback failed too: ${(err as Error).message}`;
      await registry.instances.update(tenantId, { lastError: both });
      logger.error({ tenantId, backupId, err }, 'guard: rollback failed');
      throw new UpstreamFailedError(tenantId, { cause: new Error(both) });
    }
    await registry.instances.update(tenantId, { lastError: reason });
  }
}
