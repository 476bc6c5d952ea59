import { availableParallelism } from 'node:os';
import { AdaptiveLimit } from './adaptive-limit.js';

/** SILO_START_CONCURRENCY: a fixed bound (0: none) or `auto` (`AdaptiveLimit`). */
export type StartConcurrency = number | 'auto';

/**
 * Bounds the cold starts in flight at once (SILO_START_CONCURRENCY): past the
 * bound, a start waits its turn in arrival order. Many tenants woken in the
 * same second (schedules at :00) then get their instances one batch after
 * another instead of all booting together on the same cores, each slower
 * than alone and all late together. A freed place is handed straight to the
 * next waiter, so the bound holds even while new starts arrive. 0: no bound.
 * `auto` (the default): the bound follows the measured start latency
 * (`AdaptiveLimit`), from the number of cores, between 1 and 64.
 *
 * A counter and a queue of our own rather than a dependency (p-limit): its
 * bound is fixed, and the adaptive one needs each task's duration.
 *
 * @example
 * const gate = new StartGate('auto');
 * const endpoint = await gate.run(() => driver.start(request));
 * const leave = await gate.enter(); try { ... } finally { leave(); }
 */
export class StartGate {
  readonly adaptive: AdaptiveLimit | undefined;
  readonly #fixed: number;
  readonly #now: () => number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: StartConcurrency, now: () => number = () => performance.now()) {
    this.#fixed = limit === 'auto' ? 0 : limit;
    this.adaptive = limit === 'auto' ? new AdaptiveLimit({ initial: availableParallelism() }) : undefined;
    this.#now = now;
  }

  /** The bound now (0: none). */
  get limit(): number {
    return this.adaptive?.current ?? this.#fixed;
  }

  /** Starts waiting for a place now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Starts holding a place now. */
  get active(): number {
    return this.#active;
  }

  /**
   * Waits for a place; resolves to its release (calling it again does
   * nothing). `leave(false)`: the task failed, its duration says nothing of
   * the load.
   */
  async enter(): Promise<(succeeded?: boolean) => void> {
    // A waiter's place is taken for it when it is let in (`#admit`), so none is taken twice.
    if (this.limit > 0 && this.#active >= this.limit) await new Promise<void>((r) => this.#queue.push(r));
    else this.#active++;
    const entered = this.#now();
    const alone = this.#active === 1;
    let left = false;
    return (succeeded = true) => {
      if (left) return;
      left = true;
      if (succeeded) this.adaptive?.observe(this.#now() - entered, this.#queue.length > 0, alone);
      this.#active--;
      this.#admit();
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const leave = await this.enter();
    try {
      const result = await task();
      leave(true);
      return result;
    } finally {
      leave(false);
    }
  }

  /** Hands free places to waiters, in arrival order (the adaptive bound may have grown by more than one). */
  #admit(): void {
    while (this.#queue.length > 0 && (this.limit === 0 || this.#active < this.limit)) {
      this.#active++;
      (this.#queue.shift() as () => void)();
    }
  }
}
