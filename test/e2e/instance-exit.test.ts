import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';

type View = { instance: { state: string; ref: string | null; lastError: string | null; coldStarts: number } };

/** Process runtime: an instance that exits without the gateway stopping it is noticed at once. */
describe('instance exit (process runtime)', () => {
  const open: TestGateway[] = [];
  afterEach(async () => {
    for (const t of open.splice(0).reverse()) await t.stop();
  });
  const view = (t: TestGateway, id: string) => t.admin<View>('GET', `/admin/v1/tenants/${id}`);
  /** The host pid of the instance that answered (its ref: a sandboxed stub sees only its namespace's pid). */
  const echo = async (t: TestGateway, id: string, key: string) => {
    const res = await fetch(`${t.url}/api/v1/${id}/echo`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    return Number((await view(t, id)).instance.ref);
  };

  it('notices a child that was killed at once (its exit event), and the next request starts it again', async () => {
    const t = await startTestGateway();
    open.push(t);
    const key = await t.tenant('killed');
    const pid = await echo(t, 'killed', key);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(
      'the exit in the admin API',
      async () => (await view(t, 'killed')).instance.state === 'stopped',
      1_000,
    );
    const ms = Date.now() - t0;
    expect((await view(t, 'killed')).instance.lastError).toMatch(/exited unexpectedly.*killed by SIGKILL/);
    process.stdout.write(`  child killed → stopped in the admin API after ${ms} ms\n`);
    const again = await echo(t, 'killed', key);
    expect(again).not.toBe(pid);
    expect((await view(t, 'killed')).instance).toMatchObject({
      state: 'running',
      coldStarts: 2,
      lastError: null,
    });
  });

  it('notices an adopted instance (not a child of this gateway) that dies, by its pid', async () => {
    const first = await startTestGateway();
    const key = await first.tenant('adopted');
    const pid = await echo(first, 'adopted', key);
    await first.stop({ stopInstances: false, keepData: true });
    const second = await startTestGateway({ dataDir: first.dataDir });
    open.push(second);
    expect(second.gateway.adopted).toEqual(['adopted']);
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor(
      'the death of the adopted instance',
      async () => (await view(second, 'adopted')).instance.state === 'stopped',
      2_000,
    );
    process.stdout.write(`  adopted instance killed → stopped after ${Date.now() - t0} ms\n`);
    // By the driver's pid check, or by a pooled proxy socket reset first: either way at once.
    expect((await view(second, 'adopted')).instance.lastError).toMatch(/exited unexpectedly/);
    expect(await echo(second, 'adopted', key)).not.toBe(pid);
  });

  it('does not take its own stop for a crash', async () => {
    const t = await startTestGateway();
    open.push(t);
    const key = await t.tenant('stopped');
    await echo(t, 'stopped', key);
    await t.admin('POST', '/admin/v1/tenants/stopped/stop');
    await new Promise((r) => setTimeout(r, 200));
    expect((await view(t, 'stopped')).instance).toMatchObject({ state: 'stopped', lastError: null });
  });
});
