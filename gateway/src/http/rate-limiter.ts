import { RateLimitedError } from '../errors.js';

type Bucket = {
  /** Tokens left (fractional: refilled continuously). */
  tokens: number;
  /** Clock reading (ms) of the last refill. */
  at: number;
  /** The rate the bucket was last filled at; a changed limit takes effect on the next request. */
  rate: number;
  /** Requests admitted in the current one-second window, and in the one before it (for the admin view). */
  windowStart: number;
  inWindow: number;
  lastWindow: number;
};

export type RateLimiterOptions = {
  /**
   * The tenant's `requestsPerSecond`, read on every request (undefined:
   * unlimited), unless the caller hands the rate to `take` (the registry's
   * ports are asynchronous: the pipeline reads the tenant, then takes).
   */
  limitOf?(tenantId: string): number | undefined;
  /** Milliseconds; injected in tests. @default Date.now */
  now?: () => number;
  /** Buckets kept at most (least recently used dropped first: a dropped bucket comes back full). @default 100_000 */
  maxBuckets?: number;
};

/**
 * A token bucket per tenant (never one for all): `requestsPerSecond` tokens
 * come back per second, continuously, and the bucket holds at most one
 * second's worth, so the burst is `requestsPerSecond` requests at once. A
 * request without a token is refused with `RateLimitedError` (429,
 * `Retry-After` = seconds until the next token, rounded up). The limit is read
 * from the tenant on every call, so an admin's change applies at once.
 *
 * @example
 * const limiter = new RateLimiter({});
 * limiter.take('acme', (await registry.tenants.get('acme'))?.limits.requestsPerSecond); // throws RateLimitedError when acme is over its rate
 */
export class RateLimiter {
  readonly #o: RateLimiterOptions;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Takes one token of the tenant's bucket, at `rate` (default: `limitOf`).
   * @throws RateLimitedError when there is none.
   */
  take(tenantId: string, rate: number | undefined = this.#o.limitOf?.(tenantId)): void {
    const now = this.#now();
    if (rate === undefined || !(rate > 0)) {
      this.#count(tenantId, now);
      return;
    }
    let b = this.#buckets.get(tenantId);
    if (b === undefined) {
      b = { tokens: rate, at: now, rate, windowStart: now, inWindow: 0, lastWindow: 0 };
    } else {
      this.#buckets.delete(tenantId); // re-inserted below: the Map's order is the LRU order
      const elapsed = Math.max(0, now - b.at) / 1000;
      b.tokens = Math.min(rate, b.tokens + elapsed * rate);
      b.at = now;
      b.rate = rate;
    }
    this.#buckets.set(tenantId, b);
    this.#trim();
    if (b.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - b.tokens) / rate));
      throw new RateLimitedError(tenantId, rate, retryAfterSeconds);
    }
    b.tokens -= 1;
    this.#tick(b, now);
  }

  /** Requests admitted in the last full second (for the admin view's usage). */
  requestsPerSecond(tenantId: string): number {
    const b = this.#buckets.get(tenantId);
    if (b === undefined) return 0;
    const now = this.#now();
    const windows = Math.floor((now - b.windowStart) / 1000);
    if (windows === 0) return b.lastWindow;
    return windows === 1 ? b.inWindow : 0;
  }

  /** Drops the tenant's bucket (tenant deleted). */
  forget(tenantId: string): void {
    this.#buckets.delete(tenantId);
  }

  #count(tenantId: string, now: number): void {
    let b = this.#buckets.get(tenantId);
    if (b === undefined) {
      b = { tokens: 0, at: now, rate: 0, windowStart: now, inWindow: 0, lastWindow: 0 };
      this.#buckets.set(tenantId, b);
      this.#trim();
    }
    this.#tick(b, now);
  }

  #tick(b: Bucket, now: number): void {
    const windows = Math.floor((now - b.windowStart) / 1000);
    if (windows >= 1) {
      b.lastWindow = windows === 1 ? b.inWindow : 0;
      b.inWindow = 0;
      b.windowStart += windows * 1000;
    }
    b.inWindow += 1;
  }

  #trim(): void {
    const max = this.#o.maxBuckets ?? 100_000;
    while (this.#buckets.size > max) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) return;
      this.#buckets.delete(oldest);
    }
  }
}
