import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { InstanceManager } from './instance-manager.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import { wakeLeadOf } from './wake-lead.js';

export { wakeLeadOf } from './wake-lead.js';

/** setTimeout cannot wait longer than ~24.8 days; re-arm at most every minute anyway. */
const MAX_ARM_MS = 60_000;

/**
 * Fires wake timers: the `nextWakeAt` each instance reported, kept in the
 * registry so a gateway restart loses none. Starts the stopped instances
 * whose time has come and resumes the paused ones (a running one handles its
 * own timers). Each tenant's lead is spread over [lead, 2 × lead) by a hash
 * of its id (`wakeLeadOf`), so that schedules due at :00 do not all start
 * in the same 100 ms.
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

  /** (Re)computes the earliest start time (due time minus the tenant's lead) and sets one timer for it. */
  arm(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    let at = Number.POSITIVE_INFINITY;
    // Sorted by due time; a lead is at most 2 × lead, so later entries cannot start before `at`.
    for (const wake of this.#o.registry.pendingWakes()) {
      if (Date.parse(wake.nextWakeAt) - 2 * this.#leadMs >= at) break;
      at = Math.min(at, this.#startAt(wake.tenantId, wake.nextWakeAt));
    }
    if (at === Number.POSITIVE_INFINITY) return;
    this.#timer = setTimeout(() => this.fire(), Math.max(0, Math.min(MAX_ARM_MS, at - this.#now())));
    this.#timer.unref();
  }

  /** Starts (or resumes) every tenant whose start time has come, then re-arms. */
  fire(): void {
    const now = this.#now();
    for (const wake of this.#o.registry.pendingWakes()) {
      if (Date.parse(wake.nextWakeAt) - 2 * this.#leadMs > now) break;
      if (this.#startAt(wake.tenantId, wake.nextWakeAt) > now) continue;
      const view = this.#o.manager.view(wake.tenantId);
      this.#o.registry.updateInstanceInfo(wake.tenantId, { nextWakeAt: null, nextWakeReason: null });
      if (view.state === 'running' || view.state === 'starting') continue;
      // Paused: `start` resumes it (milliseconds); stopped: a cold start.
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

  /** When a stopped instance must be started to be ready at `nextWakeAt`: its own lead before it. */
  #startAt(tenantId: string, nextWakeAt: string): number {
    return Date.parse(nextWakeAt) - wakeLeadOf(tenantId, this.#leadMs);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
