import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleReport } from '@silo/contracts';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadGatewayConfig } from './config.js';
import { createGateway, type Gateway } from './gateway.js';
import type { InstanceProbe } from './lifecycle/instance-probe.js';
import { FakeDriver } from './runtime/fake/fake-driver.js';

const probe: InstanceProbe = {
  ready: async () => true,
  report: async (): Promise<LifecycleReport> => ({
    busy: false,
    activeStreams: 0,
    pendingExecutions: 0,
    nextWakeAt: null,
  }),
};

describe('the gateway follows its runtime', () => {
  let gateway: Gateway | undefined;
  let dataDir = '';
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(driver: FakeDriver): Promise<Gateway> {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-gateway-'));
    const config = loadGatewayConfig({
      SILO_DATA_DIR: dataDir,
      SILO_PORT: '0',
      SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
    });
    gateway = await createGateway({ config, driver, probe, logger: pino({ level: 'silent' }) });
    return gateway;
  }

  it('reconciles at start, and marks an instance stopped as soon as the driver reports its death', async () => {
    const driver = new FakeDriver();
    const g = await boot(driver);
    expect(driver.reconciles).toBe(1);
    expect(g.reconciled).toEqual({ running: [], removed: [], orphans: [] });
    await g.registry.tenants.create({ id: 'acme' });
    (await g.manager.acquire('acme')).release();
    driver.kill('acme');
    await vi.waitFor(() => expect(g.manager.state('acme')).toBe('stopped'), { timeout: 1_000 });
    expect((await g.manager.view('acme')).lastError).toMatch(/exited unexpectedly \(exit code 137\)/);
  });

  it('reconciles again after a reconnect and re-checks what it believed running (deaths whose events were lost)', async () => {
    const driver = new FakeDriver();
    const g = await boot(driver);
    await g.registry.tenants.create({ id: 'acme' });
    (await g.manager.acquire('acme')).release();
    driver.crash('acme'); // no event: the engine was away
    expect((await g.manager.view('acme')).state).toBe('running');
    driver.emit({ type: 'runtime:reconnected', downForMs: 3_000 });
    await vi.waitFor(() => expect(driver.reconciles).toBe(2), { timeout: 1_000 });
    await vi.waitFor(() => expect(g.manager.state('acme')).toBe('stopped'), { timeout: 1_000 });
  });
});
