import { InstanceUnavailableError } from '../errors.js';
import type { Drainer } from './drainer.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';
import type { LifecycleContext } from './lifecycle-options.js';
import { isQuiet, type Reports } from './reports.js';
import type { Slot } from './slot-table.js';

/**
 * Whom to evict so that `tenantId` can start under the cap: `undefined` when
 * there is room (fewer than `maxRunning` other instances starting, running or
 * draining); otherwise the running instances with nothing in flight, least
 * recently used first (possibly none).
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
  return others
    .filter((s) => s.state === 'running' && s.inflight === 0)
    .sort((a, b) => a.lastActivity - b.lastActivity);
}

/**
 * LRU eviction under SILO_MAX_RUNNING: before a start, stops the least
 * recently used idle instance whose report says it is quiet; refuses the
 * start (503, Retry-After) when none is.
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
