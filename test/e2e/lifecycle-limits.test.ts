import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type View = { instance: { state: string; lastError: string | null; coldStarts: number } };

describe('lifecycle limits', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });
  const get = (path: string, key: string) =>
    fetch(`${(t as TestGateway).url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  it('holds at most SILO_HOLD_MAX requests during a cold start; the rest get 503 with Retry-After', async () => {
    t = await startTestGateway({ env: { SILO_HOLD_MAX: '5' }, stubArgs: ['--ready-delay=800'] });
    const key = await t.tenant('queue');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        get('/api/v1/queue/echo', key).then(async (r) => ({
          status: r.status,
          retryAfter: r.headers.get('retry-after'),
          body: await r.text(),
        })),
      ),
    );
    // Every request waiting for the start counts, the one that triggered it included.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 503);
    expect(refused).toHaveLength(15);
    expect(Number(refused[0]?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused[0]?.body ?? '{}')).toMatchObject({ code: 'INSTANCE_UNAVAILABLE' });
  });

  it('answers 503 with Retry-After when a cold start exceeds SILO_START_TIMEOUT', async () => {
    t = await startTestGateway({ env: { SILO_START_TIMEOUT: '400ms' }, stubArgs: ['--ready-delay=5000'] });
    const key = await t.tenant('slowpoke');
    const res = await get('/api/v1/slowpoke/echo', key);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    const view = await waitFor('the failed start', async () => {
      const v = await t?.admin<View>('GET', '/admin/v1/tenants/slowpoke');
      return v?.instance.state === 'failing' ? v : undefined;
    });
    expect(view.instance.lastError).toMatch(/not ready within 400 ms/);
  });

  it('puts a crashing instance in back-off with the reason visible', async () => {
    t = await startTestGateway({ stubArgs: ['--crash'] });
    const key = await t.tenant('crashy');
    const first = await get('/api/v1/crashy/echo', key);
    expect(first.status).toBe(503);
    const second = await get('/api/v1/crashy/echo', key);
    expect(second.status).toBe(503);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await second.json()) as { message: string }).message).toMatch(/back-off/);
    const view = await t.admin<View>('GET', '/admin/v1/tenants/crashy');
    expect(view.instance.state).toBe('failing');
    expect(view.instance.lastError).toMatch(/exited before it was ready \(exit code 3\)/);
    expect(await t.metrics()).toMatch(/silo_breaker_trips_total 1/);
  });

  it('evicts the least recently used idle instance at SILO_MAX_RUNNING, never a busy one', async () => {
    t = await startTestGateway({ env: { SILO_MAX_RUNNING: '2' } });
    const [a, b, c, d] = [
      await t.tenant('one'),
      await t.tenant('two'),
      await t.tenant('three'),
      await t.tenant('four'),
    ];
    expect((await get('/api/v1/one/echo', a)).status).toBe(200);
    expect((await get('/api/v1/two/echo', b)).status).toBe(200);
    await fetch(`${t.url}/api/v1/two/stub/state`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b}`, 'content-type': 'application/json' },
      body: '{"busy":true}',
    });
    expect((await get('/api/v1/three/echo', c)).status).toBe(200);
    const state = async (id: string) =>
      (await t?.admin<View>('GET', `/admin/v1/tenants/${id}`))?.instance.state;
    expect(await state('one')).toBe('stopped');
    expect(await state('two')).toBe('running');
    expect(await state('three')).toBe('running');
    // Now "two" is busy and "three" is the only idle one: it goes, "two" stays.
    expect((await get('/api/v1/four/echo', d)).status).toBe(200);
    expect(await state('two')).toBe('running');
    expect(await state('three')).toBe('stopped');
    await waitFor('metrics', async () => /silo_evictions_total 2/.test(await (t as TestGateway).metrics()));
  });
});
