import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KESTRA_CONFIGURATION } from '@silo/contracts';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';

const probe = {
  ready: async () => true,
  report: async () => ({ busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null }),
};

let gateway: Gateway | undefined;
let dataDir = '';
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers GET /api/v1/configs as Kestra does (no tenant, no key), and nothing else under /api/v1 without a key', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'silo-configs-'));
  const config = loadGatewayConfig({ SILO_DATA_DIR: dataDir, SILO_PORT: '0', SILO_DEMO: '0' });
  gateway = await createGateway({
    config,
    driver: new FakeDriver(),
    probe,
    logger: pino({ level: 'silent' }),
  });
  const url = new URL(await gateway.listen());
  const at = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${url.port}${path}`, init);
  const r = await at('/api/v1/configs');
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual(KESTRA_CONFIGURATION);
  expect((await at('/api/v1/configs', { method: 'POST' })).status).not.toBe(200);
  expect((await at('/api/v1/acme/configs')).status).toBe(401);
});
