import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { InstanceManager } from './instance-manager.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';

/** setTimeout cannot wait longer than ~24.8 days; re-arm at most every minute anyway. */
const MAX_ARM_MS = 60_000;

/**
 * Fires wake timers: the `nextWakeAt` each instance reported, kept in the
 * registry so a gateway restart loses none. Starts the stopped instances
 * whose time has come (a running one handles its own timers).
 *
 * @example
 * const wakes = new WakeScheduler({ registry, manager, metrics, logger });
 * manager.onWakeChanged = () => wakes.arm();
 * wakes.arm();
 */
export type WakeSchedulerOptions = {
  registry: TenantRegistry;
  manager: InstanceManager;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Start a stopped instance this long before its `nextWakeAt` (a cold start takes time). @default 2000 (SILO_WAKE_LEAD) */
  leadMs?: number;
  /** The lifecycle's clock (epoch ms). @default Date.now */
  now?: () => number;
};

export class WakeScheduler {
  readonly #o: WakeSchedulerOptions;
  readonly #now: () => number;
  readonly #leadMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: WakeSchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? LIFECYCLE_DEFAULTS.now;
    this.#leadMs = options.leadMs ?? LIFECYCLE_DEFAULTS.wakeLeadMs;
  }

  /** (Re)computes the earliest wake and sets one timer for it. */
  arm(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    const next = this.#o.registry.pendingWakes()[0];
    if (next === undefined) return;
    const delay = Math.max(0, Math.min(MAX_ARM_MS, this.#startAt(next.nextWakeAt) - this.#now()));
    this.#timer = setTimeout(() => this.fire(), delay);
    this.#timer.unref();
  }

  /** Starts every tenant whose wake time has passed, then re-arms. */
  fire(): void {
    const now = this.#now();
    for (const wake of this.#o.registry.pendingWakes()) {
      if (this.#startAt(wake.nextWakeAt) > now) break;
      const view = this.#o.manager.view(wake.tenantId);
      this.#o.registry.updateInstanceInfo(wake.tenantId, { nextWakeAt: null, nextWakeReason: null });
      if (view.state === 'running' || view.state === 'starting') continue;
      const reason = wake.reason ?? 'timer';
      this.#o.metrics.wakeUps.inc({ reason });
      this.#o.logger.info(
        {
          tenantId: wake.tenantId,
          reason,
          dueAt: wake.nextWakeAt,
          lateMs: now - Date.parse(wake.nextWakeAt),
        },
        'instance:wake',
      );
      this.#o.manager
        .start(wake.tenantId, `wake:${reason}`)
        .catch((err: unknown) => this.#o.logger.warn({ err, tenantId: wake.tenantId }, 'wake start failed'));
    }
    this.arm();
  }

  /** When a stopped instance must be started to be ready at `nextWakeAt`. */
  #startAt(nextWakeAt: string): number {
    return Date.parse(nextWakeAt) - this.#leadMs;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
