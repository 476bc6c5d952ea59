import { describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, SessionTokens } from './session-token.js';

describe('console session tokens', () => {
  const tokens = new SessionTokens('admin-token-aaaaaaaaaaaaaaaa');
  const now = 1_800_000_000_000;

  it('round-trips a tenant session and binds a CSRF token to it', () => {
    const cookie = tokens.sign({ kind: 'tenant', tenantId: 'acme', keyId: 'k1' }, now);
    const s = tokens.verify(cookie, now + 1000);
    expect(s).toMatchObject({
      kind: 'tenant',
      tenantId: 'acme',
      keyId: 'k1',
      expiresAt: now + SESSION_TTL_MS,
    });
    expect(tokens.csrfMatches(s!, s!.csrf)).toBe(true);
    expect(tokens.csrfMatches(s!, `${s!.csrf.slice(0, -1)}x`)).toBe(false);
    expect(tokens.csrfMatches(s!, undefined)).toBe(false);
    // Each sign-in gets its own CSRF token.
    const other = tokens.verify(tokens.sign({ kind: 'tenant', tenantId: 'acme', keyId: 'k1' }, now), now);
    expect(other!.csrf).not.toBe(s!.csrf);
  });

  it('refuses expired, tampered, foreign and malformed cookies', () => {
    const cookie = tokens.sign({ kind: 'tenant', tenantId: 'acme', keyId: 'k1' }, now);
    expect(tokens.verify(cookie, now + SESSION_TTL_MS + 1)).toBeUndefined();
    const [body, mac] = cookie.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), t: 'other' }),
    ).toString('base64url');
    expect(tokens.verify(`${forged}.${mac}`, now)).toBeUndefined();
    expect(new SessionTokens('another-admin-token-bbbbbbbbbb').verify(cookie, now)).toBeUndefined();
    for (const bad of ['', '.', 'abc', `${body}.`, `.${mac}`])
      expect(tokens.verify(bad, now)).toBeUndefined();
  });

  it('keeps operator and tenant sessions apart', () => {
    const admin = tokens.verify(tokens.sign({ kind: 'admin' }, now), now);
    expect(admin).toMatchObject({ kind: 'admin' });
    expect(admin).not.toHaveProperty('tenantId');
  });
});
