import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseShortDuration } from '@silo/contracts';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConflictError } from '../errors.js';
import type { JobClaimStore } from '../tenants/job-claim-store.js';
import type { Registry } from '../tenants/registry.js';
import type { BackupStore } from './backup-store.js';
import type { TenantOperations } from './tenant-operations.js';

/** A tenant's schedule: a backup every `every` (e.g. `1d`, `6h`), the newest `keep` scheduled ones kept. */
export const BackupScheduleSchema = z
  .object({
    every: z
      .string()
      .refine((t) => {
        try {
          return parseShortDuration(t) >= 60_000;
        } catch {
          return false;
        }
      }, 'a duration of at least 1m, e.g. 30m, 6h, 1d')
      .nullable(),
    keep: z.number().int().min(1).max(10_000),
  })
  .strict();
export type BackupSchedule = z.infer<typeof BackupScheduleSchema>;

/**
 * Scheduled backups with retention. A tenant's own schedule
 * (`PUT /admin/v1/tenants/{id}/backups/schedule`, kept beside its backups)
 * wins over the gateway's (`SILO_BACKUP_EVERY`, `SILO_BACKUP_KEEP`). Every
 * `tickMs` the tenants whose last backup is older than their interval are
 * backed up, one after the other, then pruned to `keep`.
 *
 * In a fleet (a registry with `jobs`, PostgreSQL) every gateway runs this
 * scheduler, and a due backup is first claimed for its interval
 * (`JobClaimStore`): exactly one gateway takes it. A failed backup gives its
 * claim back, so the next tick of any gateway retries. The backup folder
 * (schedules, records, retention) must then be one the gateways share.
 *
 * @example
 * const scheduler = new BackupScheduler({ ops, store, registry, logger, defaults: { every: '1d', keep: 7 } });
 * scheduler.start();
 */
export class BackupScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      ops: TenantOperations;
      store: BackupStore;
      registry: Pick<Registry, 'tenants'>;
      logger: Logger;
      defaults: BackupSchedule;
      /** A fleet's shared claims and this gateway's name in them; without them, backups are taken unclaimed (one gateway). */
      fleet?: { jobs: JobClaimStore; gatewayId: string };
      /** @default 30000 */
      tickMs?: number;
    },
  ) {}

  async get(tenantId: string): Promise<BackupSchedule & { source: 'tenant' | 'gateway' }> {
    const file = join(this.deps.store.root, tenantId, 'schedule.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const parsed = text === undefined ? undefined : BackupScheduleSchema.safeParse(JSON.parse(text));
    return parsed?.success
      ? { ...parsed.data, source: 'tenant' }
      : { ...this.deps.defaults, source: 'gateway' };
  }

  async set(tenantId: string, schedule: BackupSchedule): Promise<void> {
    const dir = join(this.deps.store.root, tenantId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'schedule.json.partial'), JSON.stringify(schedule), { mode: 0o600 });
    await rename(join(dir, 'schedule.json.partial'), join(dir, 'schedule.json'));
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 30_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass over the tenants (also called by tests). Never two passes at once. */
  tick(now = Date.now()): Promise<void> {
    this.#running ??= this.#pass(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(now: number): Promise<void> {
    const { ops, store, registry, logger } = this.deps;
    for (const tenant of await registry.tenants.list()) {
      const schedule = await this.get(tenant.id);
      if (schedule.every === null) continue;
      const last = (await store.list(tenant.id)).find((r) => r.trigger === 'schedule');
      const every = parseShortDuration(schedule.every);
      if (last && now - Date.parse(last.createdAt) < every) continue;
      const fleet = this.deps.fleet;
      try {
        // A tenant whose backup takes longer than a tick is not claimed twice: a claim holds for `every`.
        if (fleet && !(await fleet.jobs.claim(tenant.id, 'backup', fleet.gatewayId, every))) continue;
      } catch (err) {
        logger.warn(
          { tenantId: tenant.id, err: (err as Error).message },
          'scheduled backup not claimed; retried next tick',
        );
        continue;
      }
      try {
        await ops.backup(tenant.id, 'schedule');
        const pruned = await store.prune(tenant.id, schedule.keep);
        if (pruned.length > 0) logger.info({ tenantId: tenant.id, pruned }, 'backup: retention applied');
      } catch (err) {
        // A tenant that never ran has nothing to back up (409): not worth a warning every tick.
        const level = err instanceof ConflictError ? 'debug' : 'warn';
        logger[level]({ tenantId: tenant.id, err: (err as Error).message }, 'scheduled backup skipped');
        await fleet?.jobs.release(tenant.id, 'backup', fleet.gatewayId).catch(() => undefined);
      }
    }
  }
}
