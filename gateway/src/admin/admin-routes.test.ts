import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifecycleReport } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import type { InstanceProbe } from '../lifecycle/instance-probe.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';

const probe: InstanceProbe = {
  ready: async () => true,
  report: async (): Promise<LifecycleReport> => ({
    busy: false,
    activeStreams: 0,
    pendingExecutions: 0,
    nextWakeAt: null,
  }),
};

describe('admin API', () => {
  let dataDir: string;
  let gateway: Gateway;
  let driver: FakeDriver;
  const call = async (method: string, path: string, body?: unknown, token = gateway.adminToken) => {
    const res = await gateway.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-admin-'));
    driver = new FakeDriver();
    gateway = await createGateway({
      config: loadGatewayConfig({ SILO_DATA_DIR: dataDir, SILO_LOG_LEVEL: 'silent', SILO_PORT: '0' }),
      driver,
      probe,
    });
  });
  afterEach(async () => {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates the admin token once and saves it 0600', () => {
    expect(gateway.adminTokenGenerated).toBe(true);
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
  });

  it('answers 401 with the error JSON without the admin token', async () => {
    expect(await call('GET', '/admin/v1/tenants', undefined, 'wrong-token-wrong-token')).toEqual({
      status: 401,
      body: { message: expect.stringContaining('admin token'), code: 'UNAUTHORIZED' },
    });
  });

  it('creates, lists, shows and deletes tenants', async () => {
    const created = await call('POST', '/admin/v1/tenants', { id: 'acme', name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'acme',
      name: 'Acme',
      state: 'active',
      instance: { state: 'stopped' },
    });
    expect((await call('POST', '/admin/v1/tenants', { id: 'acme' })).status).toBe(409);
    const list = await call('GET', '/admin/v1/tenants');
    expect(list.body).toMatchObject({ total: 1, results: [{ id: 'acme', instance: { state: 'stopped' } }] });
    const shown = await call('GET', '/admin/v1/tenants/acme');
    expect(Object.keys(shown.body.instance)).toEqual(
      expect.arrayContaining([
        'state',
        'startedAt',
        'lastActivityAt',
        'coldStarts',
        'nextWakeAt',
        'lastError',
      ]),
    );
    expect((await call('DELETE', '/admin/v1/tenants/acme?purge=true')).status).toBe(204);
    expect(await call('GET', '/admin/v1/tenants/acme')).toEqual({
      status: 404,
      body: { message: 'tenant acme not found', code: 'NOT_FOUND' },
    });
  });

  it("keeps each tenant's Kestra dialect (2.0 unless told), passes it to the instance at start, refuses a bad one", async () => {
    expect((await call('POST', '/admin/v1/tenants', { id: 'fresh' })).body).toMatchObject({
      kestraVersion: '2.0',
    });
    const legacy = await call('POST', '/admin/v1/tenants', { id: 'legacy', kestraVersion: '1.3' });
    expect(legacy).toMatchObject({ status: 201, body: { kestraVersion: '1.3' } });
    expect((await call('GET', '/admin/v1/tenants/legacy')).body.kestraVersion).toBe('1.3');
    const bad = await call('POST', '/admin/v1/tenants', { id: 'bad', kestraVersion: '1.0' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('kestraVersion');
    await call('POST', '/admin/v1/tenants/legacy/start');
    await call('POST', '/admin/v1/tenants/fresh/start');
    expect(driver.starts.map((s) => [s.tenantId, s.kestraVersion])).toEqual([
      ['legacy', '1.3'],
      ['fresh', '2.0'],
    ]);
  });

  it('PUT limits: validates each field (400 naming it), replaces the limits, shows them with usage', async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme', limits: { memoryMb: 256 } });
    for (const [field, value] of [
      ['requestsPerSecond', 0],
      ['maxConcurrentExecutions', 1.5],
      ['storageMb', 'big'],
      ['memoryMb', 1],
      ['cpus', -1],
      ['pids', 2],
      ['burst', 3],
    ] as const) {
      const r = await call('PUT', '/admin/v1/tenants/acme/limits', { [field]: value });
      expect(r.status, field).toBe(400);
      expect(r.body.code).toBe('BAD_REQUEST');
      expect(r.body.message).toContain(field);
    }
    expect((await call('PUT', '/admin/v1/tenants/nobody/limits', {})).status).toBe(404);
    const limits = { requestsPerSecond: 20, maxConcurrentExecutions: 2, storageMb: 50 };
    const put = await call('PUT', '/admin/v1/tenants/acme/limits', limits);
    // A stopped instance reads its limits at its next start anyway: nothing pending.
    expect(put).toMatchObject({ status: 200, body: { limits, appliesAtNextStart: [] } });
    const shown = await call('GET', '/admin/v1/tenants/acme');
    expect(shown.body.limits).toEqual(limits);
    expect(shown.body.usage).toEqual({
      runningExecutions: null,
      queuedExecutions: null,
      requestsPerSecond: 0,
      storageMb: null,
    });
    await call('POST', '/admin/v1/tenants/acme/start');
    const running = await call('PUT', '/admin/v1/tenants/acme/limits', {
      ...limits,
      maxConcurrentExecutions: 4,
    });
    expect(running.body.appliesAtNextStart).toEqual(['maxConcurrentExecutions']);
    await call('POST', '/admin/v1/tenants/acme/stop');
    await call('POST', '/admin/v1/tenants/acme/start');
    expect(driver.starts.at(-1)?.limits).toMatchObject({ maxConcurrentExecutions: 4, requestsPerSecond: 20 });
  });

  it('refuses a bad tenant id with 400 naming the field', async () => {
    const res = await call('POST', '/admin/v1/tenants', { id: 'Admin' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BAD_REQUEST');
    expect(res.body.details[0]).toMatchObject({ path: 'id', message: expect.stringContaining('lowercase') });
  });

  it('starts, stops, suspends and resumes by hand', async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme' });
    expect((await call('POST', '/admin/v1/tenants/acme/start')).body.instance.state).toBe('running');
    expect((await call('POST', '/admin/v1/tenants/acme/stop')).body.instance.state).toBe('stopped');
    const suspended = await call('POST', '/admin/v1/tenants/acme/suspend', { reason: 'unpaid' });
    expect(suspended.body).toMatchObject({ state: 'suspended', suspendedReason: 'unpaid' });
    expect((await call('POST', '/admin/v1/tenants/acme/start')).status).toBe(409);
    expect((await call('POST', '/admin/v1/tenants/acme/resume')).body.state).toBe('active');
    expect(driver.starts).toHaveLength(1);
  });

  it("answers a runtime's refusal to start with 503 and its reason, not 500", async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme' });
    driver.failStarts = 1;
    expect(await call('POST', '/admin/v1/tenants/acme/start')).toEqual({
      status: 503,
      body: {
        message: expect.stringContaining('the instance of tenant acme failed to start: fake start failure'),
        code: 'INSTANCE_UNAVAILABLE',
      },
    });
  });

  it('wakes no suspended tenant; its wake timer, come due meanwhile, starts it once it is resumed', async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme' });
    await call('POST', '/admin/v1/tenants/acme/suspend', { reason: 'unpaid' });
    // A schedule due now (the instance reported it before it was stopped): the gateway re-arms.
    await gateway.registry.wakeTimers.set('acme', new Date(Date.now() - 1_000).toISOString(), 'schedule');
    gateway.manager.onWakeChanged();
    await new Promise((r) => setTimeout(r, 300));
    expect(driver.starts).toHaveLength(0);
    expect(await gateway.registry.wakeTimers.get('acme')).toBeDefined();
    expect((await call('POST', '/admin/v1/tenants/acme/resume')).body.state).toBe('active');
    await expect.poll(() => driver.starts.length, { timeout: 5_000 }).toBe(1);
    expect(await gateway.registry.wakeTimers.get('acme')).toBeUndefined();
  });

  it('shows a key once and lists keys without secrets', async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme' });
    const created = await call('POST', '/admin/v1/tenants/acme/keys', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(expect.arrayContaining(['id', 'name', 'key', 'createdAt']));
    const list = await call('GET', '/admin/v1/tenants/acme/keys');
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(list.body.results[0]).toMatchObject({ name: 'ci', prefix: created.body.key.slice(0, 13) });
    expect((await call('DELETE', `/admin/v1/tenants/acme/keys/${created.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/admin/v1/tenants/acme/keys/${created.body.id}`)).status).toBe(404);
  });

  it('keeps secrets and shows names only', async () => {
    await call('POST', '/admin/v1/tenants', { id: 'acme' });
    expect((await call('PUT', '/admin/v1/tenants/acme/secrets/API_TOKEN', { value: 's3cret' })).status).toBe(
      204,
    );
    const list = await call('GET', '/admin/v1/tenants/acme/secrets');
    expect(list.body).toMatchObject({ total: 1, results: [{ name: 'API_TOKEN' }] });
    expect(JSON.stringify(list.body)).not.toContain('s3cret');
    await call('POST', '/admin/v1/tenants/acme/start');
    expect(driver.starts[0]?.secrets).toEqual({ API_TOKEN: 's3cret' });
    expect((await call('DELETE', '/admin/v1/tenants/acme/secrets/API_TOKEN')).status).toBe(204);
  });

  it('serves /healthz without a token, /metrics with the admin token only', async () => {
    expect((await gateway.app.request('/healthz')).status).toBe(200);
    expect((await gateway.app.request('/metrics')).status).toBe(401);
    const res = await gateway.app.request('/metrics', {
      headers: { authorization: `Bearer ${gateway.adminToken}` },
    });
    expect(await res.text()).toContain('silo_running_instances');
  });
});
