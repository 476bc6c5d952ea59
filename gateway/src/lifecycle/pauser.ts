import type { LifecycleReport } from '@silo/contracts';
import type { Endpoint } from '../runtime/runtime-driver.js';
import type { Breaker } from './breaker.js';
import type { LifecycleContext } from './lifecycle-options.js';
import type { Liveness } from './liveness.js';
import { isQuiet, type Reports } from './reports.js';
import { type Slot, stateOf } from './slot-table.js';

/** Why a paused instance is resumed (the `reason` label of `silo_resumes_total`). */
export type ResumeReason = 'request' | 'wake' | 'stop' | 'idle-timeout' | 'admin';

/**
 * The paused tier between running and stopped: an instance idle for the pause
 * delay (SILO_PAUSE_AFTER) and quiet by its own report is frozen by the
 * driver (Docker pause, SIGSTOP to the process group), keeping its memory and
 * using no CPU; a request, a stream or a due wake time resumes it in
 * milliseconds (single flight: concurrent requests join one resume). The idle
 * timeout still stops it (resumed first, so the drain asks its report as it
 * always does), and the evictor stops paused instances before running ones.
 *
 * The slot is `paused` before the driver call, so no lease is handed out to a
 * freezing instance: a request arriving meanwhile waits for the freeze, then
 * resumes it.
 *
 * @example
 * await pauser.pauseIfIdle('acme', 30_000); // true: frozen
 * await pauser.resume(slot, 'request');
 */
export class Pauser {
  readonly #c: LifecycleContext;
  readonly #reports: Reports;
  readonly #breaker: Breaker;
  readonly #liveness: Liveness;
  /** Told the endpoint of an instance being frozen, so that idle sockets to it are dropped (the proxy's). */
  onFreeze: (endpoint: Endpoint) => void = () => undefined;

  constructor(context: LifecycleContext, parts: { reports: Reports; breaker: Breaker; liveness: Liveness }) {
    this.#c = context;
    this.#reports = parts.reports;
    this.#breaker = parts.breaker;
    this.#liveness = parts.liveness;
  }

  /**
   * Whether there is a paused tier here: the driver can pause, and no fleet
   * shares the instances (other gateways proxy straight to the owner's run
   * and could not resume it).
   */
  get supported(): boolean {
    return (
      this.#c.driver.pause !== undefined && this.#c.driver.resume !== undefined && this.#c.fleet === undefined
    );
  }

  /** Freezes the instance when it is running, idle for `pauseAfterMs`, nothing in flight, and quiet by its report. */
  async pauseIfIdle(tenantId: string, pauseAfterMs: number): Promise<boolean> {
    const c = this.#c;
    const slot = c.slots.get(tenantId);
    const pause = c.driver.pause?.bind(c.driver);
    if (!this.supported || pause === undefined || slot === undefined || slot.remote) return false;
    if (!idleRunning(slot, c.now(), pauseAfterMs)) return false;
    const report = await this.#reports.refresh(tenantId);
    if (report === undefined || !isQuiet(report) || this.#wakesSoon(report)) return false;
    if (!idleRunning(slot, c.now(), pauseAfterMs)) return false;
    c.slots.move(slot, 'paused');
    // On resume its overdue keep-alive timers close idle sockets at once: none may be reused then.
    if (slot.endpoint !== undefined) {
      c.probe.forget?.(slot.endpoint);
      this.onFreeze(slot.endpoint);
    }
    const freezing = pause(tenantId);
    slot.freezing = freezing.catch(() => undefined);
    try {
      await freezing;
    } catch (err) {
      // Not frozen (gone, or the engine refused): the liveness check decides between running and dead.
      c.logger.warn({ err, tenantId }, 'instance pause failed');
      if (stateOf(slot) === 'paused') c.slots.move(slot, 'running');
      await this.#liveness.checkAlive(tenantId, `pause failed: ${(err as Error).message}`);
      return false;
    } finally {
      slot.freezing = undefined;
    }
    c.metrics.pauses.inc();
    c.logger.info({ tenantId, idleMs: c.now() - slot.lastActivity }, 'instance:paused');
    return true;
  }

  /** Due within the longest wake lead: the wake scheduler would resume it at once (and it would pause again). */
  #wakesSoon(report: LifecycleReport): boolean {
    return (
      report.nextWakeAt !== null && Date.parse(report.nextWakeAt) - this.#c.now() < 2 * this.#c.wakeLeadMs
    );
  }

  /**
   * Unfreezes a paused instance (joins a resume in flight); resolves once it
   * is `running` again, or `stopped` when it died while frozen. No-op when
   * it is not paused.
   */
  resume(slot: Slot, reason: ResumeReason): Promise<void> {
    if (slot.state !== 'paused') return Promise.resolve();
    if (slot.resuming !== undefined) return slot.resuming;
    const c = this.#c;
    const started = performance.now();
    const resuming = (async () => {
      try {
        await slot.freezing;
        await c.driver.resume?.(slot.tenantId, slot.ref);
      } catch (err) {
        c.logger.warn({ err, tenantId: slot.tenantId }, 'instance resume failed');
        if (stateOf(slot) === 'paused')
          await this.#breaker.died(slot, `resume failed: ${(err as Error).message}`);
        return;
      } finally {
        slot.resuming = undefined;
      }
      // Evicted or stopped meanwhile: the stop owns the slot now.
      if (stateOf(slot) !== 'paused') return;
      c.slots.move(slot, 'running');
      c.metrics.resumes.inc({ reason });
      c.metrics.resumeSeconds.observe((performance.now() - started) / 1000);
      c.logger.debug({ tenantId: slot.tenantId, reason }, 'instance:resumed');
    })();
    slot.resuming = resuming;
    return resuming;
  }
}

/** Running, nothing in flight, no stop under way, idle for `ms`. */
function idleRunning(slot: Slot, now: number, ms: number): boolean {
  return (
    slot.state === 'running' &&
    slot.inflight === 0 &&
    slot.stopping === undefined &&
    now - slot.lastActivity >= ms
  );
}
