import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';
import { createGatewayMetrics } from './gateway-metrics.js';

const ADMIN = 'test-admin-token-0123456789';
const METRICS = 'test-metrics-token-0123456789';
const probe = {
  ready: async () => true,
  report: async () => ({ busy: false, activeStreams: 0, pendingExecutions: 0, nextWakeAt: null }),
};

describe('GET /metrics', () => {
  let gateway: Gateway | undefined;
  let dataDir = '';
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function boot(env: Record<string, string> = {}): Promise<Gateway> {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-metrics-'));
    const config = loadGatewayConfig({ SILO_DATA_DIR: dataDir, SILO_ADMIN_TOKEN: ADMIN, ...env });
    gateway = await createGateway({
      config,
      driver: new FakeDriver(),
      probe,
      logger: pino({ level: 'silent' }),
    });
    return gateway;
  }

  const scrape = async (g: Gateway, token?: string) => {
    const res = await g.app.request(
      '/metrics',
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    return { status: res.status, text: await res.text() };
  };

  it('needs the admin token or SILO_METRICS_TOKEN; the metrics token opens nothing else', async () => {
    const g = await boot({ SILO_METRICS_TOKEN: METRICS });
    const anonymous = await scrape(g);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text)).toEqual({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('SILO_METRICS_TOKEN'),
    });
    expect((await scrape(g, 'x'.repeat(METRICS.length))).status).toBe(401);
    expect((await scrape(g, ADMIN)).status).toBe(200);
    expect((await scrape(g, METRICS)).text).toContain('silo_running_instances');
    const admin = await g.app.request('/admin/v1/tenants', {
      headers: { authorization: `Bearer ${METRICS}` },
    });
    expect(admin.status).toBe(401);
  });

  it('names no tenant unless SILO_METRICS_PER_TENANT=1', async () => {
    const g = await boot();
    await g.registry.tenants.create({ id: 'secret-customer' });
    (await g.manager.acquire('secret-customer')).release();
    const totals = await scrape(g, ADMIN);
    expect(totals.text).toMatch(/silo_cold_starts_total\{outcome="ready",reason="request"\} 1/);
    expect(totals.text).not.toContain('secret-customer');
    await g.close();
    rmSync(dataDir, { recursive: true, force: true });

    const opted = await boot({ SILO_METRICS_PER_TENANT: '1' });
    await opted.registry.tenants.create({ id: 'secret-customer' });
    (await opted.manager.acquire('secret-customer')).release();
    expect((await scrape(opted, ADMIN)).text).toMatch(
      /silo_cold_starts_total\{tenant="secret-customer",outcome="ready",reason="request"\} 1/,
    );
  });

  it('sums tenants into one series when not per tenant, through inc() and labels().inc()', async () => {
    const m = createGatewayMetrics();
    m.proxiedRequests.labels({ tenant: 'a', status: '200' }).inc();
    m.proxiedRequests.inc({ tenant: 'b', status: '200' });
    m.breakerTrips.inc({ tenant: 'a' });
    m.breakerTrips.inc({ tenant: 'b' });
    const text = await m.registry.metrics();
    expect(text).toMatch(/silo_proxied_requests_total\{status="200"\} 2/);
    expect(text).toMatch(/silo_breaker_trips_total 2/);
    expect(text).not.toMatch(/tenant=/);
  });
});
