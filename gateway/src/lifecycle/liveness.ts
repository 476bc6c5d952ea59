import type { Breaker } from './breaker.js';
import type { LifecycleContext } from './lifecycle-options.js';
import { isLive } from './slot-table.js';

/**
 * Notices instances that died without the gateway stopping them: from a
 * failed probe or proxy (`checkAlive`), from the driver's exit events
 * (`noticeExit`), or after the runtime reconnected (`recheckAll`). The
 * breaker decides what a death means.
 *
 * @example
 * await liveness.noticeExit('acme', ref, 'exit code 137');
 */
export class Liveness {
  readonly #c: LifecycleContext;
  readonly #breaker: Breaker;

  constructor(context: LifecycleContext, breaker: Breaker) {
    this.#c = context;
    this.#breaker = breaker;
  }

  /** After a failed probe or proxy: when the instance is gone, it died. */
  async checkAlive(tenantId: string, why: string): Promise<void> {
    const slot = this.#c.slots.get(tenantId);
    if (slot === undefined || !isLive(slot)) return;
    const ref = slot.ref;
    const status = await this.#c.driver.inspect(tenantId);
    if (status.state === 'running' && String(status.ref) === String(ref)) return;
    if (!isLive(slot) || slot.ref !== ref) return;
    await this.#breaker.died(slot, `exit code ${status.exitCode ?? 'unknown'}; ${why}`);
  }

  /** A death the driver saw; an event for an older run (another `ref`) or a stop by the gateway is ignored. */
  async noticeExit(tenantId: string, ref: string, reason: string): Promise<void> {
    const slot = this.#c.slots.get(tenantId);
    if (slot === undefined || !isLive(slot)) return;
    if (slot.ref !== undefined && String(slot.ref) !== ref) return;
    await this.#breaker.died(slot, reason);
  }

  /** Inspects every instance believed running (deaths whose events were lost). */
  async recheckAll(why: string): Promise<void> {
    await Promise.all(
      this.#c.slots
        .all()
        .filter(isLive)
        .map((s) => this.checkAlive(s.tenantId, why).catch(() => undefined)),
    );
  }
}
