import { backoffMs } from './instance-state.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import { type LifecycleContext, type LifecycleSettings, recordFacts } from './lifecycle-options.js';
import { clearRun, type Slot, stateOf } from './slot-table.js';

/** What one unexpected death means for the breaker. */
export type DeathVerdict = {
  /** Deaths in a row, each within the crash window of its start (1 after a healthy run). */
  quickDeaths: number;
  /** A crash loop: the slot goes `failing` with back-off instead of `stopped`. */
  tripped: boolean;
  /** Failures counted before the trip adds one (so the back-off keeps growing while the loop goes on). */
  failures: number;
};

/**
 * Judges a death: deaths in a row, each within `crashWindowMs` of the start,
 * trip the breaker at `crashLoopAfter`; a death after a healthy run starts
 * the count again.
 *
 * @example
 * judgeDeath({ quickDeaths: 2, failures: 0 }, 500, { crashWindowMs: 60_000, crashLoopAfter: 3 });
 * // { quickDeaths: 3, tripped: true, failures: 0 }
 */
export function judgeDeath(
  slot: Pick<Slot, 'quickDeaths' | 'failures'>,
  uptimeMs: number,
  s: Pick<LifecycleSettings, 'crashWindowMs' | 'crashLoopAfter'>,
): DeathVerdict {
  const quickDeaths = uptimeMs < s.crashWindowMs ? slot.quickDeaths + 1 : 1;
  const tripped = quickDeaths >= s.crashLoopAfter;
  const failures = tripped ? Math.max(slot.failures, quickDeaths - s.crashLoopAfter) : slot.failures;
  return { quickDeaths, tripped, failures };
}

/**
 * The crash-loop breaker: failed starts and crash loops put the slot in
 * `failing` with exponential back-off (`backoffMs`); a death after a healthy
 * run only stops it (the next request starts it again).
 *
 * @example
 * await breaker.fail(slot, 'start failed: …'); // failing until now + 1 s, 2 s, 4 s …
 */
export class Breaker {
  readonly #c: LifecycleContext;

  constructor(context: LifecycleContext) {
    this.#c = context;
  }

  /** Marks the instance failing with back-off, stops what is left of it. */
  async fail(slot: Slot, reason: string): Promise<void> {
    const c = this.#c;
    slot.failures++;
    slot.lastError = reason;
    slot.backoffUntil = c.now() + backoffMs(slot.failures);
    slot.endpoint = undefined;
    slot.token = undefined;
    if (slot.state !== 'failing') c.slots.move(slot, 'failing');
    c.metrics.breakerTrips.inc({ tenant: slot.tenantId });
    await recordFacts(c, slot.tenantId, { lastError: reason });
    await c.fleet?.release(slot.tenantId);
    c.logger.warn({ tenantId: slot.tenantId, reason, failures: slot.failures }, 'instance:failing');
    await c.driver.stop(slot.tenantId, LIFECYCLE_DEFAULTS.failStopGraceMs).catch(() => undefined);
  }

  /**
   * A death after a healthy run → stopped, with the reason in `lastError`
   * (the next request starts it again). Deaths in a row, each within
   * `crashWindowMs` of the start → failing with back-off.
   */
  async died(slot: Slot, reason: string): Promise<void> {
    const c = this.#c;
    slot.cancelDrain?.();
    const uptime = c.now() - (slot.startedAt ?? 0);
    const verdict = judgeDeath(slot, uptime, c);
    slot.quickDeaths = verdict.quickDeaths;
    const message = `instance exited unexpectedly (${reason})`;
    if (verdict.tripped) {
      slot.failures = verdict.failures;
      await this.fail(
        slot,
        `crash loop: ${message}, ${slot.quickDeaths} times in a row within ${Math.round(c.crashWindowMs / 1000)} s of starting`,
      );
      return;
    }
    slot.lastError = message;
    clearRun(slot);
    if (stateOf(slot) === 'draining') c.slots.move(slot, 'running');
    c.slots.move(slot, 'stopped');
    await c.fleet?.release(slot.tenantId);
    await recordFacts(c, slot.tenantId, {
      lastError: message,
      lastActivityAt: new Date(slot.lastActivity).toISOString(),
    });
    c.logger.warn(
      { tenantId: slot.tenantId, reason, uptimeMs: uptime, deathsInARow: slot.quickDeaths },
      'instance:died',
    );
  }
}
