import { LABELS } from '../docker/scope.js';
import type { ReconcileSummary } from '../runtime-driver.js';
import { tasksOf } from './start-task.js';
import type { SwarmEngine, SwarmService } from './swarm-engine.js';
import { containerIdOf, isFinal, latestTask } from './task-status.js';

export type SwarmReconcileOptions = {
  knownTenants: () => Promise<Iterable<string>> | Iterable<string>;
  /** Tenants being started right now: left alone. */
  skip: (tenantId: string) => boolean;
  orphanGraceMs: number;
  /** Scales one tenant's service to 0 (the driver's stop path: expected death, relay closed, secret removed). */
  scaleDown: (tenantId: string, containerId: string | undefined) => Promise<void>;
  onOrphanStopped?: (tenantId: string, ref: string) => void;
};

/**
 * Reconcile for the Swarm runtime, the twin of `docker/reconcile.ts` over
 * services instead of containers (gateway start, event stream back):
 *
 * - a service at 1 replica of a known tenant whose task runs: adopted;
 * - a service at 1 replica whose task ended while no gateway watched (a
 *   crash, a node lost): scaled to 0, reported as removed (the next request
 *   starts it again, data intact);
 * - a service at 1 replica of an unknown tenant: reported as an orphan and
 *   scaled to 0 after the grace period, unless the tenant appears meanwhile;
 * - secrets no service references (a gateway killed mid-start): removed.
 */
export class SwarmReconciler {
  readonly #engine: SwarmEngine;
  readonly #options: SwarmReconcileOptions;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(engine: SwarmEngine, options: SwarmReconcileOptions) {
    this.#engine = engine;
    this.#options = options;
  }

  async run(): Promise<ReconcileSummary> {
    const known = new Set(await this.#options.knownTenants());
    const summary: ReconcileSummary = { running: [], removed: [], orphans: [] };
    for (const service of await this.#engine.services()) {
      const tenantId = service.Spec?.Labels?.[LABELS.tenant] ?? '';
      if (!tenantId || this.#options.skip(tenantId)) continue;
      if ((service.Spec?.Mode?.Replicated?.Replicas ?? 0) === 0) continue;
      const task = latestTask(await tasksOf(this.#engine.docker, service.ID));
      const live = task !== undefined && !isFinal(task);
      if (!known.has(tenantId)) {
        summary.orphans.push(tenantId);
        this.#scheduleStop(tenantId, service, containerIdOf(task));
      } else if (live) {
        summary.running.push(tenantId);
      } else {
        await this.#options.scaleDown(tenantId, undefined);
        summary.removed.push(tenantId);
      }
    }
    await this.#engine.removeUnusedSecrets();
    return summary;
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #scheduleStop(tenantId: string, service: SwarmService, containerId: string | undefined): void {
    if (this.#timers.has(service.ID)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(service.ID);
      void this.#stopIfStillOrphan(tenantId, containerId);
    }, this.#options.orphanGraceMs);
    timer.unref();
    this.#timers.set(service.ID, timer);
  }

  async #stopIfStillOrphan(tenantId: string, containerId: string | undefined): Promise<void> {
    try {
      if (new Set(await this.#options.knownTenants()).has(tenantId)) return;
      await this.#options.scaleDown(tenantId, containerId);
      this.#options.onOrphanStopped?.(tenantId, containerId ?? tenantId);
    } catch {
      // Gone meanwhile, or the engine is away: the next run sees it again.
    }
  }
}
