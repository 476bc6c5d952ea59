import { type LifecycleContext, recordFacts } from './lifecycle-options.js';
import type { Pauser } from './pauser.js';
import type { Reports } from './reports.js';
import { clearRun, isLive, type Slot, stateOf } from './slot-table.js';

/**
 * Idle drains that traffic cancels, and committed stops that it cannot:
 * requests arriving during a committed stop wait for it, then start the
 * instance again.
 *
 * @example
 * const stopped = await drainer.drainIfIdle('acme', 300_000, 2_000);
 */
export class Drainer {
  readonly #c: LifecycleContext;
  readonly #reports: Reports;
  readonly #pauser: Pauser;

  constructor(context: LifecycleContext, reports: Reports, pauser: Pauser) {
    this.#c = context;
    this.#reports = reports;
    this.#pauser = pauser;
  }

  /**
   * Idle drain: `draining` for `drainMs`, cancelled by any request; then, if
   * still idle and not busy, a committed stop. Resolves to whether it stopped.
   */
  async drainIfIdle(tenantId: string, idleTimeoutMs: number, drainMs: number): Promise<boolean> {
    const c = this.#c;
    const slot = c.slots.get(tenantId);
    if (slot === undefined || slot.state !== 'running' || slot.inflight > 0) return false;
    if (c.now() - slot.lastActivity < idleTimeoutMs) return false;
    if (slot.remote) {
      // Another gateway owns the run: forget it here; the owner stops it when the whole fleet is idle.
      clearRun(slot);
      c.slots.move(slot, 'stopped');
      return false;
    }
    if (await c.fleet?.activeElsewhere(tenantId, idleTimeoutMs)) return false;
    if (!(await this.#reports.stoppable(slot))) return false;
    if (slot.state !== 'running' || slot.inflight > 0) return false;
    c.slots.move(slot, 'draining');
    // `cancelDrain` stays set after the timer, until the stop is committed: a request arriving while the last
    // report is asked cancels the drain (it has nothing else to wait on: without it, it looped on microtasks).
    const cancelled = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), drainMs);
      slot.cancelDrain = () => {
        clearTimeout(timer);
        slot.cancelDrain = undefined;
        if (slot.state === 'draining') c.slots.move(slot, 'running');
        resolve(true);
      };
    });
    if (cancelled || stateOf(slot) !== 'draining') {
      c.metrics.drainsCancelled.inc();
      c.logger.info({ tenantId }, 'instance:drain-cancelled');
      return false;
    }
    if (slot.inflight > 0 || !(await this.#reports.stoppable(slot))) {
      if (stateOf(slot) === 'draining' && slot.stopping === undefined) {
        slot.cancelDrain = undefined;
        c.slots.move(slot, 'running');
      }
      c.metrics.drainsCancelled.inc();
      return false;
    }
    if (stateOf(slot) !== 'draining' || slot.stopping !== undefined) return false;
    c.metrics.idleStops.inc();
    await this.commitStop(slot, 'idle');
    return true;
  }

  /** A stop that no request can cancel: requests arriving now wait for it and start the instance again. */
  commitStop(slot: Slot, reason: string): Promise<void> {
    if (slot.stopping) return slot.stopping;
    const c = this.#c;
    slot.cancelDrain = undefined;
    if (slot.state !== 'draining') c.slots.move(slot, 'draining');
    const stopping = (async () => {
      try {
        await slot.freezing; // the driver's stop thaws a paused instance, not one being frozen right now
        await c.driver.stop(slot.tenantId, c.stopGraceMs);
      } finally {
        clearRun(slot);
        slot.stopping = undefined;
        c.slots.move(slot, 'stopped');
        await recordFacts(c, slot.tenantId, {
          lastActivityAt: new Date(slot.lastActivity).toISOString(),
        });
        await c.fleet?.release(slot.tenantId);
        c.logger.info({ tenantId: slot.tenantId, reason }, 'instance:stopped');
      }
    })();
    slot.stopping = stopping;
    return stopping;
  }

  /** Stops the instance now (admin `stop`, suspend, delete), whatever it is doing. */
  async stop(tenantId: string, reason: string): Promise<void> {
    const c = this.#c;
    const slot = c.slots.get(tenantId);
    if (slot === undefined) {
      await c.driver.stop(tenantId, c.stopGraceMs);
      return;
    }
    if (slot.state === 'starting') await slot.start?.catch(() => undefined);
    // Thawed first, so that it answers the last report and handles SIGTERM within its grace.
    if (slot.state === 'paused') await this.#pauser.resume(slot, 'stop');
    // A last report before a deliberate stop: the webhook keys the gateway answers from while it is stopped.
    if (isLive(slot)) await this.#reports.refresh(tenantId);
    if (slot.state === 'failing') {
      c.slots.move(slot, 'stopped');
      return;
    }
    if (slot.state === 'stopped') return;
    slot.cancelDrain = undefined;
    await this.commitStop(slot, reason);
  }
}
