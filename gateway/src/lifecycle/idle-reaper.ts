import type { Logger } from 'pino';
import type { InstanceManager } from './instance-manager.js';
import { LIFECYCLE_DEFAULTS } from './lifecycle-defaults.js';

export type IdleReaperOptions = {
  manager: InstanceManager;
  logger: Logger;
  /** SILO_IDLE_TIMEOUT. */
  idleTimeoutMs: number;
  /** How long a drain waits for new traffic before the stop is committed. @default min(idleTimeout/5, 2000) */
  drainMs?: number;
  /** How often idle instances are looked for. @default clamp(idleTimeout/5, 50, 5000) */
  intervalMs?: number;
  /** How often every running instance's lifecycle report is fetched (busy, nextWakeAt). @default 5000 */
  reportIntervalMs?: number;
};

/**
 * Periodically (1) fetches each running instance's lifecycle report, storing
 * its `nextWakeAt` and noticing crashes, and (2) drains and stops instances
 * idle for the idle timeout — never one with requests in flight, open
 * streams, or busy per its report.
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

  start(): void {
    const interval = this.#o.intervalMs ?? Math.min(5_000, Math.max(50, this.#o.idleTimeoutMs / 5));
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

  /** One pass: starts a drain for every idle candidate not already draining. */
  tick(): void {
    for (const tenantId of this.#o.manager.running()) {
      if (this.#draining.has(tenantId)) continue;
      this.#draining.add(tenantId);
      this.#o.manager
        .drainIfIdle(tenantId, this.#o.idleTimeoutMs, this.drainMs)
        .catch((err: unknown) => this.#o.logger.error({ err, tenantId }, 'idle drain failed'))
        .finally(() => this.#draining.delete(tenantId));
    }
  }

  async pollReports(): Promise<void> {
    await Promise.all(this.#o.manager.running().map((id) => this.#o.manager.refreshReport(id)));
  }
}
