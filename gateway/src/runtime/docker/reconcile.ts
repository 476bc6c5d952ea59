import type Docker from 'dockerode';
import { LABELS } from './scope.js';

/**
 * Reconcile on gateway start, and again whenever the event stream comes back
 * (DESIGN.md, "Tenant lifecycle"): what the engine runs is compared with the
 * registry's tenants.
 *
 * - running containers of known tenants are adopted: reported, never stopped
 *   or started twice (the lifecycle reads their endpoint with `inspect`);
 * - containers stuck in `created` or `dead` are removed (their volume stays);
 * - containers of tenants the registry does not know (orphans) are reported
 *   at once and stopped after a grace period, unless their tenant appears
 *   meanwhile (a tenant created again, a registry restored from backup).
 */

export type ReconcileOptions = {
  /** The tenant ids of the registry, asked at each run and again before an orphan is stopped. */
  knownTenants: () => Promise<Iterable<string>> | Iterable<string>;
  /** Time between reporting an orphan and stopping it. @default 60000 */
  orphanGraceMs?: number;
  /** Grace of the stop itself (SIGTERM, then SIGKILL). @default 10000 */
  stopGraceMs?: number;
  /** Extra label filters (`key=value`) to narrow the scope: several gateways on one engine, tests. @default [] */
  labels?: string[];
  /** Whether a listed container (by its labels) is in scope: the default scope cannot be filtered by the engine alone. @default every listed one */
  owns?: (labels: Record<string, string>) => boolean;
  /** Tenants to leave alone in this run (their container is being created right now). @default none */
  skip?: (tenantId: string) => boolean;
  /** Called just before an orphan is stopped, so that its `die` event is known as expected. @default nothing */
  onOrphanStopping?: (orphan: ContainerRef) => void;
  /** Hears about orphans stopped after their grace period (for the log). @default nothing */
  onOrphanStopped?: (orphan: ContainerRef) => void;
};

export type ContainerRef = { tenantId: string; containerId: string; state: string };
export type ReconcileReport = {
  /** Running containers of known tenants. */
  adopted: ContainerRef[];
  /** Removed because they were stuck in `created` or `dead`. */
  removed: ContainerRef[];
  /** Containers with no tenant in the registry; running ones are stopped at `stopAt`. */
  orphans: (ContainerRef & { stopAt: Date | undefined })[];
};

/**
 * @example
 * const reconciler = new DockerReconciler(docker, { knownTenants: () => registry.ids() });
 * const report = await reconciler.run();
 * log.info(report, 'reconciled');
 */
export class DockerReconciler {
  readonly #docker: Docker;
  readonly #options: ReconcileOptions;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(docker: Docker, options: ReconcileOptions) {
    this.#docker = docker;
    this.#options = options;
  }

  async run(): Promise<ReconcileReport> {
    const known = new Set(await this.#options.knownTenants());
    const containers = await this.#docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managed}=true`, ...(this.#options.labels ?? [])] },
    });
    const report: ReconcileReport = { adopted: [], removed: [], orphans: [] };
    const grace = this.#options.orphanGraceMs ?? 60_000;
    for (const c of containers) {
      if (this.#options.owns && !this.#options.owns(c.Labels)) continue;
      const ref: ContainerRef = {
        tenantId: c.Labels[LABELS.tenant] ?? '',
        containerId: c.Id,
        state: c.State,
      };
      if (this.#options.skip?.(ref.tenantId)) continue;
      if (c.State === 'created' || c.State === 'dead') {
        await this.#docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch((err: { statusCode?: number }) => {
            if (err.statusCode !== 404) throw err;
          });
        report.removed.push(ref);
      } else if (!known.has(ref.tenantId)) {
        const running = c.State === 'running' || c.State === 'restarting' || c.State === 'paused';
        const stopAt = running ? new Date(Date.now() + grace) : undefined;
        if (running) this.#scheduleStop(ref, grace);
        report.orphans.push({ ...ref, stopAt });
      } else if (c.State === 'running') {
        report.adopted.push(ref);
      }
    }
    return report;
  }

  /** Cancels pending orphan stops. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  #scheduleStop(ref: ContainerRef, graceMs: number): void {
    if (this.#timers.has(ref.containerId)) return;
    const timer = setTimeout(() => {
      this.#timers.delete(ref.containerId);
      void this.#stopIfStillOrphan(ref);
    }, graceMs);
    timer.unref();
    this.#timers.set(ref.containerId, timer);
  }

  async #stopIfStillOrphan(ref: ContainerRef): Promise<void> {
    try {
      const known = new Set(await this.#options.knownTenants());
      if (known.has(ref.tenantId)) return;
      const t = Math.ceil((this.#options.stopGraceMs ?? 10_000) / 1000);
      this.#options.onOrphanStopping?.(ref);
      await this.#docker.getContainer(ref.containerId).stop({ t });
      this.#options.onOrphanStopped?.(ref);
    } catch (err) {
      // 304: already stopped; 404: gone. Anything else is left for the next run.
      if (![304, 404].includes((err as { statusCode?: number }).statusCode ?? 0)) return;
    }
  }
}
