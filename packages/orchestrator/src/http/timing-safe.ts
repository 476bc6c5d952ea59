import { createHash, hash, timingSafeEqual } from 'node:crypto';

/** SHA-256, one-shot where Node has `crypto.hash` (20.12+; `engines` allows any 20). */
const digest: (s: string) => Buffer =
  typeof hash === 'function'
    ? (s) => hash('sha256', s, 'buffer')
    : (s) => createHash('sha256').update(s).digest();

/**
 * A constant-time check against one secret, whatever the length given (both
 * sides hashed): its digest is computed once, one-shot `hash()` per call (two `createHash`
 * objects per request cost ~30 µs, bench/RESULTS-instance.md).
 *
 * @example
 * const matches = secretMatcher(token); matches(c.req.header('x-silo-instance-token') ?? '');
 */
export function secretMatcher(secret: string): (given: string) => boolean {
  const expected = digest(secret);
  return (given) => timingSafeEqual(digest(given), expected);
}
