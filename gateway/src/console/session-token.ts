import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Who a console session acts for: a tenant (through one of its keys) or the operator. */
export type SessionSubject = { kind: 'tenant'; tenantId: string; keyId: string } | { kind: 'admin' };

/** A verified session: its subject, expiry and the CSRF token bound to it. */
export type Session = SessionSubject & { expiresAt: number; csrf: string };

/** Console sessions last this long, then the person signs in again. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

type Payload = { s: 'a' } | { s: 't'; t: string; k: string };

/**
 * Signs and verifies console session cookies. A session is stateless: the
 * cookie carries its subject and expiry, signed with HMAC-SHA-256 under a key
 * derived from the admin token (so rotating the admin token ends every
 * session, and several gateways with one token accept each other's cookies).
 * Revocation rides on the subject: the caller checks, on every request, that
 * the tenant key it names is still valid (console-auth.ts). The CSRF token is
 * a second MAC of the cookie, so it cannot be forged without the key and is
 * never stored.
 *
 * @example
 * const tokens = new SessionTokens(adminToken);
 * const cookie = tokens.sign({ kind: 'tenant', tenantId: 'acme', keyId: 'k1' }, Date.now());
 * tokens.verify(cookie, Date.now()); // { kind: 'tenant', tenantId: 'acme', keyId: 'k1', csrf: '...', ... }
 */
export class SessionTokens {
  readonly #key: Buffer;

  constructor(adminToken: string) {
    this.#key = createHmac('sha256', adminToken).update('silo console session v1').digest();
  }

  sign(subject: SessionSubject, now: number): string {
    const payload: Payload =
      subject.kind === 'admin' ? { s: 'a' } : { s: 't', t: subject.tenantId, k: subject.keyId };
    const body = Buffer.from(
      JSON.stringify({ ...payload, e: now + SESSION_TTL_MS, n: randomBytes(9).toString('base64url') }),
    ).toString('base64url');
    return `${body}.${this.#mac(body)}`;
  }

  /** The session a cookie value stands for, or undefined when it is forged, malformed or expired. */
  verify(value: string, now: number): Session | undefined {
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const body = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#mac(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const expiresAt = data.e;
    if (typeof expiresAt !== 'number' || expiresAt <= now) return undefined;
    const csrf = this.#mac(`csrf:${value}`);
    if (data.s === 'a') return { kind: 'admin', expiresAt, csrf };
    if (data.s === 't' && typeof data.t === 'string' && typeof data.k === 'string')
      return { kind: 'tenant', tenantId: data.t, keyId: data.k, expiresAt, csrf };
    return undefined;
  }

  /** Constant-time check of a CSRF header against the session's token. */
  csrfMatches(session: Session, header: string | undefined): boolean {
    if (header === undefined) return false;
    const a = Buffer.from(header);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  #mac(text: string): string {
    return createHmac('sha256', this.#key).update(text).digest('base64url');
  }
}
