/**
 * The concurrency of cold starts when SILO_START_CONCURRENCY is `auto`: an
 * AIMD limit on the start latency (gate entered → instance ready), the way
 * TCP Vegas and Netflix's concurrency-limits size a window by its delay.
 *
 * A start's latency stays near its floor (the fastest start seen; a start
 * that ran alone may raise it, by a tenth of the gap, so that a machine that
 * got slower for good is not throttled for ever) while the machine has room;
 * once the
 * cores (process: the instance boots) or dockerd (Docker: create + start)
 * are saturated, each added start only makes all the others slower and the
 * starts per second stay flat. So: while starts queue behind the limit and
 * finish within `tolerance` × the floor, the limit grows by one per window
 * (additive); a start slower than that cuts it by a quarter, at most once per
 * window (multiplicative). It settles where a start takes about `tolerance`
 * times a lone start: at the knee of the throughput curve, with each
 * tenant's first request answered no later than twice its lone cold start.
 *
 * A few lines of our own: p-limit and its kin bound with a fixed number, and
 * Netflix's adaptive limits are a Java library.
 *
 * @example
 * const limit = new AdaptiveLimit({ initial: 2, max: 64 });
 * limit.observe(180, true); // a start took 180 ms while others waited
 * limit.current; // 2, 3, … as the latency allows
 */
export class AdaptiveLimit {
  readonly min: number;
  readonly max: number;
  readonly tolerance: number;
  #limit: number;
  #floorMs = Number.POSITIVE_INFINITY;
  #sinceCut = 0;

  constructor(options: { initial: number; min?: number; max?: number; tolerance?: number }) {
    this.min = options.min ?? 1;
    this.max = options.max ?? 64;
    this.tolerance = options.tolerance ?? 2;
    this.#limit = Math.min(this.max, Math.max(this.min, options.initial));
  }

  /** Starts allowed in flight now. */
  get current(): number {
    return Math.floor(this.#limit);
  }

  /** The fastest start remembered (ms; Infinity before the first). */
  get floorMs(): number {
    return this.#floorMs;
  }

  /**
   * One start took `ms`; `saturated`: others waited for a place when it
   * ended (the limit was the bound); `alone`: no other start was in flight
   * when it began (only such a start may raise the floor: under load every
   * start is slower, and a floor that followed them would let the limit grow
   * without end).
   */
  observe(ms: number, saturated: boolean, alone = false): void {
    const floor = this.#floorMs;
    this.#floorMs = ms < floor || !Number.isFinite(floor) ? ms : alone ? floor + (ms - floor) / 10 : floor;
    this.#sinceCut++;
    if (ms > this.tolerance * this.#floorMs) {
      if (this.#sinceCut < this.current) return;
      this.#limit = Math.max(this.min, this.#limit * 0.75);
      this.#sinceCut = 0;
    } else if (saturated) {
      this.#limit = Math.min(this.max, this.#limit + 1 / this.current);
    }
  }
}
