import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';
import type { Gateway } from './gateway.js';
import { FakeDriver } from './runtime/fake/fake-driver.js';
import { startServing } from './serve.js';

describe('silo serve: first run', () => {
  let gateway: Gateway | undefined;
  let dataDir = '';
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function serve(env: Record<string, string>): Promise<{ g: Gateway; lines: string[] }> {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-serve-'));
    const config = loadGatewayConfig({ SILO_DATA_DIR: dataDir, SILO_PORT: '0', ...env });
    const lines: string[] = [];
    const started = await startServing(config, (line = '') => lines.push(line), {
      driver: new FakeDriver(),
      // The fake instances are "ready" but listen nowhere: the demo flow's deployment gets a 502, which is reported.
      probe: {
        ready: async () => true,
        report: async () => ({ busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null }),
      },
      logger: pino({ level: 'silent' }),
    });
    gateway = started.gateway;
    return { g: started.gateway, lines };
  }

  it('creates the demo tenant on an empty registry and prints the admin token once', async () => {
    const { g, lines } = await serve({});
    expect((await g.registry.tenants.list()).map((t) => t.id)).toEqual(['demo']);
    expect(lines.join('\n')).toContain(g.adminToken);
    expect(lines.join('\n')).toMatch(/API key of "demo" \(shown once\): silo_/);
  });

  it('skips the demo tenant with SILO_DEMO=0', async () => {
    const { g, lines } = await serve({ SILO_DEMO: '0' });
    expect(await g.registry.tenants.list()).toEqual([]);
    expect(lines.join('\n')).not.toMatch(/demo/);
  });
});
