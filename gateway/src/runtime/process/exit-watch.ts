import type { RuntimeEvent } from '../runtime-driver.js';
import { isAlive } from './pid.js';

/**
 * Who hears of an instance that stopped without the driver stopping it. A
 * child of this gateway is heard at once (the driver calls `exited` from its
 * `exit` event); an adopted instance (spawned by an earlier gateway, so not
 * our child) by a cheap `kill(pid, 0)` every `pidCheckMs` while watched.
 *
 * @example
 * const exits = new ExitWatch(500);
 * const unwatch = exits.watch((event) => log(event));
 */
export class ExitWatch {
  readonly #listeners = new Set<(event: RuntimeEvent) => void>();
  /** Pids the driver is stopping: their exit is expected, not a crash. */
  readonly stopping = new Set<number>();
  /** Running instances the driver did not spawn, by tenant: checked by pid. */
  readonly adopted = new Map<string, number>();
  readonly #pidCheckMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(pidCheckMs: number) {
    this.#pidCheckMs = pidCheckMs;
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#checkAdopted(), this.#pidCheckMs);
      this.#timer.unref();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Tells the listeners, unless the driver is stopping this pid itself. */
  exited(tenantId: string, pid: number, exitCode: number | undefined, how: string): void {
    if (this.stopping.has(pid)) return;
    const event: RuntimeEvent = {
      type: 'instance:exited',
      tenantId,
      ref: String(pid),
      exitCode,
      reason: `process ${pid} ${how}`,
      at: new Date(),
    };
    for (const listener of this.#listeners) listener(event);
  }

  async #checkAdopted(): Promise<void> {
    for (const [tenantId, pid] of this.adopted) {
      if (await isAlive(pid)) continue;
      if (this.adopted.get(tenantId) !== pid) continue;
      this.adopted.delete(tenantId);
      this.exited(tenantId, pid, undefined, 'is gone (exit code unknown: not a child of this gateway)');
    }
  }
}
