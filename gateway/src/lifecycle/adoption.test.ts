import { describe, expect, it } from 'vitest';
import { InstanceManager } from './instance-manager.js';
import { lifecycleKit } from './testing/lifecycle-kit.js';

describe('adoption', () => {
  async function survivor(startTimeoutMs = 2_000) {
    const kit = lifecycleKit({ startTimeoutMs });
    // An instance left running by a gateway that is gone.
    await kit.driver.start({ tenantId: 'acme', instanceToken: 'old-token', limits: {}, secrets: {} });
    return { ...kit, manager: new InstanceManager(kit.options) };
  }

  it('takes over a ready survivor with its own token and ref', async () => {
    const { driver, manager } = await survivor();
    expect(await manager.adopt()).toEqual(['acme']);
    const lease = await manager.acquire('acme');
    expect(lease.token).toBe('old-token');
    expect(await manager.view('acme')).toMatchObject({ state: 'running', ref: 'fake-40000' });
    expect(driver.starts).toHaveLength(1);
    lease.release();
  });

  it('puts a survivor that never gets ready in failing, with the reason', async () => {
    const { probe, manager } = await survivor(60);
    probe.readyAfter = Number.POSITIVE_INFINITY;
    expect(await manager.adopt()).toEqual(['acme']);
    expect((await manager.view('acme')).state).toBe('failing');
    expect((await manager.view('acme')).lastError).toMatch(/adoption failed: not ready within 60 ms/);
  });

  it('leaves alone the instance of an unknown tenant, and a tenant it already tracks', async () => {
    const { driver, manager } = await survivor();
    await driver.start({ tenantId: 'ghost', instanceToken: 't', limits: {}, secrets: {} });
    expect(await manager.adopt()).toEqual(['acme']);
    expect((await manager.view('ghost')).state).toBe('stopped');
    expect(await manager.adopt()).toEqual([]);
    expect(driver.stops).toEqual([]);
  });
});
