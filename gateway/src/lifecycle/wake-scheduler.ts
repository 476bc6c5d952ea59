import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { InstanceManager } from './instance-manager.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import type { LifecycleRegistry } from './lifecycle-options.js';
import { wakeLeadOf } from './wake-lead.js';

export { wakeLeadOf } from './wake-lead.js';

/** setTimeout cannot wait longer than ~24.8 days; re-arm at most every minute anyway. */
const MAX_ARM_MS = 60_000;
/** With timers shared by a fleet, the longest wait before reading them again. */
const SHARED_RECHECK_MS = 5_000;

/**
 * Fires wake timers: the `nextWakeAt` each instance reported, kept in the
 * registry so a gateway restart loses none (and, on PostgreSQL, so another
 * gateway fires it when the one that armed it is gone). Starts the stopped
 * instances whose time has come and resumes the paused ones (a running one
 * handles its own timers). A suspended tenant is not woken: its timer waits,
 * and its resume re-arms (`manager.onWakeChanged`). Each tenant's lead is spread over [lead, 2 × lead)
 * by a hash of its id (`wakeLeadOf`), so that schedules due at :00 do not all
 * start in the same 100 ms.
 *
 * @example
 * const wakes = new WakeScheduler({ registry, manager, metrics, logger });
 * manager.onWakeChanged = () => wakes.arm();
 * wakes.arm();
 */
export type WakeSchedulerOptions = {
  registry: Pick<LifecycleRegistry, 'wakeTimers' | 'tenants'>;
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
  /** Each `arm` bumps it; an older arm whose registry read finishes late sets no timer. */
  #generation = 0;
  #closed = false;
  readonly #unwatch: (() => void) | undefined;

  constructor(options: WakeSchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? LIFECYCLE_DEFAULTS.now;
    this.#leadMs = options.leadMs ?? LIFECYCLE_DEFAULTS.wakeLeadMs;
    // Another gateway's instance set a timer: re-arm here too (the first to fire takes it).
    this.#unwatch = options.registry.wakeTimers.watch?.(() => this.arm());
  }

  /** (Re)computes the earliest start time (due time minus the tenant's lead) and sets one timer for it (a registry outage retries in a minute). */
  arm(): void {
    if (this.#closed) return;
    const generation = ++this.#generation;
    void this.#o.registry.wakeTimers
      .pending()
      .then((pending) => this.#firstStart(pending))
      .catch((err: unknown) => {
        this.#o.logger.warn({ err }, 'wake timers not read: registry unreachable, retrying');
        return this.#now() + MAX_ARM_MS;
      })
      .then((startAt) => {
        if (this.#closed || generation !== this.#generation) return;
        clearTimeout(this.#timer);
        // Shared timers (several gateways): look again every few seconds even with none pending,
        // in case a notification was lost; alone, the gateway's own reports re-arm it.
        const shared = this.#o.registry.wakeTimers.watch !== undefined;
        if (startAt === undefined && !shared) return;
        const due = startAt === undefined ? Number.POSITIVE_INFINITY : startAt - this.#now();
        const delay = Math.max(0, Math.min(shared ? SHARED_RECHECK_MS : MAX_ARM_MS, due));
        this.#timer = setTimeout(() => void this.fire(), delay);
        this.#timer.unref();
      });
  }

  /**
   * Starts (or resumes) every tenant whose start time has come, then re-arms. Each due
   * timer is first taken (`WakeTimerStore.take`): with several gateways on
   * one registry, exactly one of them starts the tenant.
   */
  async fire(): Promise<void> {
    const now = this.#now();
    try {
      for (const wake of await this.#o.registry.wakeTimers.pending()) {
        if (Date.parse(wake.at) - 2 * this.#leadMs > now) break;
        if (this.#startAt(wake.tenantId, wake.at) > now) continue;
        // `pending` lists active tenants only; one suspended since keeps its timer for its resume.
        if ((await this.#o.registry.tenants.get(wake.tenantId))?.state === 'suspended') continue;
        if (!(await this.#o.registry.wakeTimers.take(wake.tenantId, wake.at))) continue;
        const state = this.#o.manager.state(wake.tenantId);
        if (state === 'running' || state === 'starting') continue;
        // Paused: `start` resumes it (milliseconds); stopped: a cold start.
        const reason = wake.reason ?? 'timer';
        this.#o.metrics.wakeUps.inc({ reason });
        this.#o.logger.info(
          { tenantId: wake.tenantId, reason, dueAt: wake.at, lateMs: now - Date.parse(wake.at) },
          'instance:wake',
        );
        this.#o.manager
          .start(wake.tenantId, `wake:${reason}`)
          .catch((err: unknown) =>
            this.#o.logger.warn({ err, tenantId: wake.tenantId }, 'wake start failed'),
          );
      }
    } catch (err) {
      this.#o.logger.warn({ err }, 'wake timers not fired: registry unreachable, retrying');
    }
    this.arm();
  }

  /** The earliest start time of `pending` (sorted by due time; a lead is at most 2 × lead, so the scan stops early). */
  #firstStart(pending: readonly { tenantId: string; at: string }[]): number | undefined {
    let first: number | undefined;
    for (const wake of pending) {
      if (first !== undefined && Date.parse(wake.at) - 2 * this.#leadMs >= first) break;
      const at = this.#startAt(wake.tenantId, wake.at);
      if (first === undefined || at < first) first = at;
    }
    return first;
  }

  /** When a stopped instance must be started to be ready at `nextWakeAt`: its own lead before it. */
  #startAt(tenantId: string, nextWakeAt: string): number {
    return Date.parse(nextWakeAt) - wakeLeadOf(tenantId, this.#leadMs);
  }

  close(): void {
    this.#closed = true;
    this.#unwatch?.();
    clearTimeout(this.#timer);
  }
}
