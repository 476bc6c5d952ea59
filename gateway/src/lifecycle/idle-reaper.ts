import type { Logger } from 'pino';
import type { InstanceManager } from './instance-manager.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';

export type IdleReaperOptions = {
  manager: InstanceManager;
  logger: Logger;
  /** SILO_IDLE_TIMEOUT. */
  idleTimeoutMs: number;
  /**
   * SILO_PAUSE_AFTER: idle time before an instance is frozen (state `paused`);
   * 0, or not below the idle timeout, or a driver without pause: no paused tier. @default 0
   */
  pauseAfterMs?: number;
  /** How long a drain waits for new traffic before the stop is committed. @default min(idleTimeout/5, 2000) */
  drainMs?: number;
  /** How often idle instances are looked for. @default clamp(min(idleTimeout, pauseAfter)/5, 50, 5000) */
  intervalMs?: number;
  /** How often every running instance's lifecycle report is fetched (busy, nextWakeAt). @default 5000 */
  reportIntervalMs?: number;
};

/**
 * Periodically (1) fetches each running instance's lifecycle report, storing
 * its `nextWakeAt` and noticing crashes, (2) freezes instances idle for the
 * pause delay (the paused tier, `pauser.ts`) and (3) drains and stops
 * instances, running or paused, idle for the idle timeout — never one with
 * requests in flight, open streams, or busy per its report.
 *
 * @example
 * const reaper = new IdleReaper({ manager, logger, idleTimeoutMs: 300_000 });
 * reaper.start(); ... reaper.stop();
 */
export class IdleReaper {
  readonly #o: IdleReaperOptions;
  #timer: NodeJS.Timeout | undefined;
  #reportTimer: NodeJS.Timeout | undefined;
  readonly #draining = new Set<string>();

  constructor(options: IdleReaperOptions) {
    this.#o = options;
  }

  get drainMs(): number {
    return this.#o.drainMs ?? Math.min(this.#o.idleTimeoutMs / 5, 2_000);
  }

  /** The pause delay in force: 0 when there is no paused tier. */
  get pauseAfterMs(): number {
    const ms = this.#o.pauseAfterMs ?? 0;
    return ms > 0 && ms < this.#o.idleTimeoutMs && this.#o.manager.pausable ? ms : 0;
  }

  start(): void {
    const shortest = Math.min(this.#o.idleTimeoutMs, this.pauseAfterMs || Number.POSITIVE_INFINITY);
    const interval = this.#o.intervalMs ?? Math.min(5_000, Math.max(50, shortest / 5));
    this.#timer = setInterval(() => this.tick(), interval);
    this.#timer.unref();
    this.#reportTimer = setInterval(
      () => void this.pollReports(),
      this.#o.reportIntervalMs ?? LIFECYCLE_DEFAULTS.reportIntervalMs,
    );
    this.#reportTimer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#reportTimer);
  }

  /**
   * One pass, one task per tenant at a time: a running instance idle for the
   * idle timeout is drained, else one idle for the pause delay is frozen; a
   * paused one idle for the idle timeout is thawed, drained and stopped.
   */
  tick(): void {
    const { manager, idleTimeoutMs } = this.#o;
    const pauseAfterMs = this.pauseAfterMs;
    for (const tenantId of manager.running()) {
      this.#once(tenantId, async () => {
        const stopped = await manager.drainIfIdle(tenantId, idleTimeoutMs, this.drainMs);
        if (!stopped && pauseAfterMs > 0) await manager.pauseIfIdle(tenantId, pauseAfterMs);
      });
    }
    for (const tenantId of manager.paused()) {
      this.#once(tenantId, () => manager.stopIfPausedIdle(tenantId, idleTimeoutMs, this.drainMs));
    }
  }

  #once(tenantId: string, task: () => Promise<unknown>): void {
    if (this.#draining.has(tenantId)) return;
    this.#draining.add(tenantId);
    task()
      .catch((err: unknown) => this.#o.logger.error({ err, tenantId }, 'idle drain or pause failed'))
      .finally(() => this.#draining.delete(tenantId));
  }

  async pollReports(): Promise<void> {
    await Promise.all(this.#o.manager.running().map((id) => this.#o.manager.refreshReport(id)));
  }
}
