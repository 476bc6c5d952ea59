/**
 * Bounds the cold starts in flight at once (SILO_START_CONCURRENCY): past the
 * bound, a start waits its turn in arrival order. Many tenants woken in the
 * same second (schedules at :00) then get their instances one small batch
 * after another instead of all booting together on the same cores, each
 * slower than alone and all late together. A freed place is handed straight
 * to the next waiter, so the bound holds even while new starts arrive. 0: no
 * bound.
 *
 * Twenty lines of our own rather than a dependency (p-limit): one more
 * package in every lockfile for a counter and a queue.
 *
 * @example
 * const gate = new StartGate(4);
 * const endpoint = await gate.run(() => driver.start(request));
 * const leave = await gate.enter(); try { ... } finally { leave(); }
 */
export class StartGate {
  readonly limit: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Starts waiting for a place now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Waits for a place; resolves to its release (calling it again does nothing). */
  async enter(): Promise<() => void> {
    if (this.limit > 0 && this.#active >= this.limit) await new Promise<void>((r) => this.#queue.push(r));
    else this.#active++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const leave = await this.enter();
    try {
      return await task();
    } finally {
      leave();
    }
  }
}
