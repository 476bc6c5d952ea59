import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// The console's session cookie in place of a bearer key, through the real proxy to a (stub)
// instance: accepted with the CSRF header, never shown to the instance, ended with its key.
describe('console session through the proxy', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('proxies with the cookie + CSRF header, strips both, and stops when the key is revoked', async () => {
    const key = await t.tenant('cookie');
    const signIn = await fetch(`${t.url}/ui/cookie/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { csrf } = (await signIn.json()) as { csrf: string };
    const headers = { cookie: `${cookie}; other=1`, 'x-silo-csrf': csrf };

    const res = await fetch(`${t.url}/api/v1/cookie/echo`, { headers, signal: AbortSignal.timeout(60_000) });
    expect(res.status).toBe(200);
    const seen = ((await res.json()) as { headers: Record<string, string> }).headers;
    expect(seen.cookie).toBeUndefined();
    expect(seen['x-silo-csrf']).toBeUndefined();
    expect(seen.authorization).toBeUndefined();
    expect(seen['x-silo-instance-token']).toBeTruthy();

    const keys = await t.admin<{ results: { id: string }[] }>('GET', '/admin/v1/tenants/cookie/keys');
    await t.admin('DELETE', `/admin/v1/tenants/cookie/keys/${keys.results[0]?.id}`);
    const after = await fetch(`${t.url}/api/v1/cookie/echo`, { headers });
    expect(after.status).toBe(401);
  });
});
