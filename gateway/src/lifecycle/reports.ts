import type { LifecycleReport } from '@silo/contracts';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import type { LifecycleContext } from './lifecycle-options.js';
import type { Liveness } from './liveness.js';
import type { Slot } from './slot-table.js';

/**
 * The lifecycle reports of running instances (busy, open streams, next wake):
 * fetched, kept on the slot, their wake time stored in the registry; and the
 * one rule that says whether an instance may be stopped now.
 *
 * @example
 * const report = await reports.refresh('acme'); // undefined when it does not answer
 */
export class Reports {
  readonly #c: LifecycleContext;
  readonly #liveness: Liveness;
  readonly #onWakeChanged: () => void;
  /** Called when a report's webhook keys differ from the last report's (the gateway stores them). */
  onWebhookKeys: (tenantId: string, hashes: string[]) => void = () => undefined;

  constructor(context: LifecycleContext, liveness: Liveness, onWakeChanged: () => void) {
    this.#c = context;
    this.#liveness = liveness;
    this.#onWakeChanged = onWakeChanged;
  }

  /**
   * Fetches the lifecycle report of a running instance and stores its wake
   * time. Undefined when it does not answer (then checks whether it crashed).
   * A paused instance's is the one it gave before it was frozen.
   */
  async refresh(tenantId: string): Promise<LifecycleReport | undefined> {
    const c = this.#c;
    const slot = c.slots.get(tenantId);
    if (slot?.endpoint === undefined || slot.token === undefined) return undefined;
    // A frozen instance cannot answer, and nothing in it changed since it was frozen.
    if (slot.state === 'paused') return slot.lastReport;
    try {
      const report = await c.probe.report(slot.endpoint, slot.token);
      const keys = report.webhookKeys;
      if (keys !== undefined && keys.join() !== slot.lastReport?.webhookKeys?.join()) {
        this.onWebhookKeys(tenantId, keys);
      }
      slot.lastReport = report;
      await this.#storeWake(tenantId, report.nextWakeAt, report.nextWakeReason ?? null);
      return report;
    } catch (err) {
      // Never rejects: callers poll it with `void` (the reaper, after a start). With the runtime unreachable
      // (the Docker engine restarting), the liveness check's inspect fails too: an unhandled rejection ends Node.
      await this.#liveness.checkAlive(tenantId, (err as Error).message).catch((inspectErr: unknown) => {
        c.logger.warn(
          { err: inspectErr, tenantId },
          'instance did not report and the runtime did not answer',
        );
      });
      return undefined;
    }
  }

  /** Keeps the instance's wake time in the registry (shared by every gateway); a registry outage is logged, not thrown. */
  async #storeWake(tenantId: string, at: string | null, reason: string | null): Promise<void> {
    const timers = this.#c.registry.wakeTimers;
    try {
      const stored = await timers.get(tenantId);
      if ((stored?.at ?? null) === at && (stored?.reason ?? null) === reason) return;
      if (at === null) await timers.clear(tenantId);
      else await timers.set(tenantId, at, reason);
      this.#onWakeChanged();
    } catch (err) {
      this.#c.logger.warn({ err, tenantId }, 'wake time not stored: registry unreachable');
    }
  }

  /** Answers, is not busy, has no open stream, and no wake is due before it could be started again. */
  async stoppable(slot: Slot): Promise<boolean> {
    const report = await this.refresh(slot.tenantId);
    return report !== undefined && this.allowsStop(slot, report);
  }

  /** `report` is quiet and names no wake due before the instance could be stopped and started again. */
  allowsStop(slot: Slot, report: LifecycleReport): boolean {
    if (!isQuiet(report)) return false;
    if (report.nextWakeAt !== null) {
      const lastStartMs = slot.lastStartMs ?? LIFECYCLE_DEFAULTS.assumedStartMs;
      // The base lead, not the tenant's spread one: stopped with this margin, a wake started at once is still on time.
      const soon = this.#c.wakeLeadMs + lastStartMs * 2 + 1_000;
      if (Date.parse(report.nextWakeAt) - this.#c.now() < soon) return false;
    }
    return true;
  }
}

/** Nothing running inside: not busy and no stream open. */
export function isQuiet(report: LifecycleReport): boolean {
  return !report.busy && report.activeStreams === 0;
}
