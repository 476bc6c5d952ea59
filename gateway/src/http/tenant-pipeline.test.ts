import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';

const probe = {
  ready: async () => true,
  report: async () => ({ busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null }),
};

describe('TenantPipeline: the instance step', () => {
  let gateway: Gateway | undefined;
  let dataDir = '';
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const upgrade of [false, true]) {
    it(`releases the lease when the client left during the cold start (${upgrade ? 'upgrade' : 'HTTP'})`, async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'silo-pipeline-'));
      const driver = new FakeDriver();
      driver.startDelayMs = 400;
      const config = loadGatewayConfig({ SILO_DATA_DIR: dataDir, SILO_PORT: '0', SILO_DEMO: '0' });
      const g = await createGateway({ config, driver, probe, logger: pino({ level: 'silent' }) });
      gateway = g;
      const url = new URL(await g.listen());
      await g.registry.tenants.create({ id: 'acme' });
      const { key } = await g.registry.keys.create('acme', 'test');
      const req = request({
        host: url.hostname,
        port: url.port,
        path: '/api/v1/acme/ws',
        headers: {
          authorization: `Bearer ${key}`,
          ...(upgrade ? { connection: 'Upgrade', upgrade: 'websocket' } : {}),
        },
      });
      req.on('error', () => undefined);
      req.end();
      // Gone while the instance starts (wait for the start: on a loaded machine 100 ms may be before it).
      await vi.waitFor(async () => expect((await g.manager.view('acme')).state).toBe('starting'), {
        timeout: 10_000,
        interval: 5,
      });
      req.destroy();
      await vi.waitFor(async () => expect((await g.manager.view('acme')).state).toBe('running'), {
        timeout: 10_000,
      });
      await new Promise((r) => setTimeout(r, 50));
      expect((await g.manager.view('acme')).inflight).toBe(0);
    });
  }
});
