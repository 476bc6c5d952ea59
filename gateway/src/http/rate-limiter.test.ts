import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../errors.js';
import { toErrorReply } from './on-error.js';
import { RateLimiter } from './rate-limiter.js';

/** A limiter over a manual clock and a mutable table of limits. */
function setup(limits: Record<string, number | undefined>) {
  let now = 1_000_000;
  const limiter = new RateLimiter({ limitOf: (id) => limits[id], now: () => now, maxBuckets: 3 });
  const tries = (id: string, n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      try {
        limiter.take(id);
        ok++;
      } catch (err) {
        if (!(err instanceof RateLimitedError)) throw err;
      }
    }
    return ok;
  };
  return { limiter, tries, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter (token bucket per tenant)', () => {
  it('admits a burst of one second worth, then refills continuously at the rate', () => {
    const { tries, advance } = setup({ acme: 5 });
    expect(tries('acme', 10)).toBe(5);
    advance(200); // 0.2 s × 5/s = one token
    expect(tries('acme', 3)).toBe(1);
    advance(10_000); // never more than one second's worth
    expect(tries('acme', 10)).toBe(5);
  });

  it('refuses with 429, Retry-After in whole seconds rounded up, and a message naming the limit', () => {
    const { limiter, tries, advance } = setup({ slow: 1 });
    expect(tries('slow', 1)).toBe(1);
    advance(100);
    let caught: unknown;
    try {
      limiter.take('slow');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RateLimitedError);
    const reply = toErrorReply(caught);
    expect(reply.status).toBe(429);
    expect(reply.headers['retry-after']).toBe('1'); // 0.9 s → 1
    expect(reply.body).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('limit of 1 requests per second (requestsPerSecond)'),
    });
  });

  it('keeps one bucket per tenant, never a global one; a tenant without a limit is never refused', () => {
    const { tries } = setup({ a: 2, b: 2 });
    expect(tries('a', 5)).toBe(2);
    expect(tries('b', 5)).toBe(2);
    expect(tries('free', 1_000)).toBe(1_000);
  });

  it('applies a changed limit on the next request', () => {
    const limits: Record<string, number | undefined> = { acme: 2 };
    const { tries, advance } = setup(limits);
    expect(tries('acme', 5)).toBe(2);
    limits.acme = 10;
    advance(500); // 0.5 s at the new rate: 5 tokens
    expect(tries('acme', 20)).toBe(5);
    limits.acme = undefined;
    expect(tries('acme', 50)).toBe(50);
  });

  it('reports the requests admitted in the last full second', () => {
    const { limiter, tries, advance } = setup({ acme: 100 });
    expect(tries('acme', 7)).toBe(7);
    expect(limiter.requestsPerSecond('acme')).toBe(0); // the first second is not over
    advance(1_000);
    expect(limiter.requestsPerSecond('acme')).toBe(7);
    tries('acme', 2);
    advance(1_000);
    expect(limiter.requestsPerSecond('acme')).toBe(2);
    advance(5_000);
    expect(limiter.requestsPerSecond('acme')).toBe(0);
  });

  it('keeps at most maxBuckets, dropping the least recently used (it comes back full)', () => {
    const { tries } = setup({ a: 1, b: 1, c: 1, d: 1 });
    expect(tries('a', 2)).toBe(1);
    tries('b', 1);
    tries('c', 1);
    tries('d', 1); // a is dropped
    expect(tries('a', 2)).toBe(1);
  });
});
