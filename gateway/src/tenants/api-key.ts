import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Length of the visible prefix stored and listed (`silo_` + 8 characters). */
export const KEY_PREFIX_LENGTH = 13;

/**
 * A new API key: `silo_` + 8 visible characters + 32 secret ones (base62-ish
 * from 30 random bytes). Keys have ~240 bits of entropy, so a fast hash
 * (SHA-256) is enough to store them — no password stretching needed.
 *
 * @example
 * const { key, prefix, hash } = generateApiKey(); // key shown once, prefix + hash stored
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const body = randomBytes(30).toString('base64url').replace(/[-_]/g, 'x');
  const key = `silo_${body}`;
  return { key, prefix: key.slice(0, KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
