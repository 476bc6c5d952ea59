import { InstanceUnavailableError } from '../errors.js';
import type { Drainer } from './drainer.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import type { LifecycleContext } from './lifecycle-options.js';
import { isQuiet, type Reports } from './reports.js';
import type { Slot } from './slot-table.js';

/**
 * Whom to evict so that `tenantId` can start under the cap: `undefined` when
 * there is room (fewer than `maxRunning` other instances starting, running,
 * paused or draining); otherwise the paused instances first, then the running
 * ones with nothing in flight, each group least recently used first
 * (possibly none).
 *
 * @example
 * evictionCandidates(slots.all(), 'gamma', 2); // [acme, beta] (acme idle the longest)
 */
export function evictionCandidates(
  slots: readonly Slot[],
  tenantId: string,
  maxRunning: number,
): Slot[] | undefined {
  const others = slots.filter(
    (s) => s.tenantId !== tenantId && s.state !== 'stopped' && s.state !== 'failing',
  );
  if (others.length < maxRunning) return undefined;
  const lru = (a: Slot, b: Slot) => a.lastActivity - b.lastActivity;
  const paused = others.filter((s) => s.state === 'paused' && s.resuming === undefined).sort(lru);
  const idle = others.filter((s) => s.state === 'running' && s.inflight === 0).sort(lru);
  return [...paused, ...idle];
}

/**
 * LRU eviction under SILO_MAX_RUNNING: before a start, stops the least
 * recently used paused instance, else the least recently used idle one whose
 * report says it is quiet; refuses the start (503, Retry-After) when none is.
 *
 * @example
 * await evictor.makeRoom('gamma');
 */
export class Evictor {
  readonly #c: LifecycleContext;
  readonly #reports: Reports;
  readonly #drainer: Drainer;

  constructor(context: LifecycleContext, reports: Reports, drainer: Drainer) {
    this.#c = context;
    this.#reports = reports;
    this.#drainer = drainer;
  }

  /** Evicts the least recently used idle instance when the cap is reached. */
  async makeRoom(tenantId: string): Promise<void> {
    const c = this.#c;
    const candidates = evictionCandidates(c.slots.all(), tenantId, c.maxRunning);
    if (candidates === undefined) return;
    for (const candidate of candidates) {
      // Paused: quiet by its report when it was frozen, and a frozen instance cannot have become busy since.
      if (candidate.state === 'paused') {
        c.metrics.evictions.inc();
        c.logger.info({ tenantId: candidate.tenantId, for: tenantId, paused: true }, 'instance:evicted');
        await this.#drainer.commitStop(candidate, 'evicted');
        return;
      }
      const report = await this.#reports.refresh(candidate.tenantId);
      if (report === undefined || !isQuiet(report)) continue;
      if (candidate.state !== 'running' || candidate.inflight > 0) continue;
      c.metrics.evictions.inc();
      c.logger.info({ tenantId: candidate.tenantId, for: tenantId }, 'instance:evicted');
      await this.#drainer.commitStop(candidate, 'evicted');
      return;
    }
    throw new InstanceUnavailableError(
      tenantId,
      `${c.maxRunning} instances run (SILO_MAX_RUNNING) and none is idle: try again later`,
      LIFECYCLE_DEFAULTS.capRetryAfterSeconds,
    );
  }
}
