import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, type Gateway, loadGatewayConfig, SwarmDriver } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker } from '../helpers/docker.js';
import { ensureSwarm, leaveSwarm, swarmUnavailableReason } from '../helpers/swarm.js';
import { adminClient, tenantWithKey, waitFor } from '../helpers/test-gateway.js';

/**
 * The real gateway with the Swarm runtime (`SILO_RUNTIME=swarm`) on a
 * single-node swarm: cold start through the gateway, a secret handed over as
 * a per-start swarm secret, idle stop → replicas 0, wake → data intact, and
 * a restarted gateway that adopts the running task.
 */
const reason = await swarmUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;
const swarm = reason === undefined ? await ensureSwarm() : undefined;
const run = randomBytes(3).toString('hex');
const log = (line: string) => process.stdout.write(`  ${line}\n`);

const FLOW = `id: kept
namespace: e2e.swarm
tasks:
  - id: len
    type: io.kestra.plugin.core.debug.Return
    format: "{{ secret('API_TOKEN') | length }}"
`;

type View = { instance: { state: string; coldStarts: number; lastError: string | null } };

describeDocker(reason, 'the gateway with the Swarm runtime', () => {
  const docker = new Docker();
  const dataDir = mkdtempSync(join(tmpdir(), 'silo-swarm-e2e-'));
  const tenant = `swg-${run}`;
  const serviceName = `silo-g-${run}_${tenant}`;
  const secret = `swarm-e2e-secret-${randomBytes(6).toString('hex')}`;
  const gateways: Gateway[] = [];

  const start = async (idle: string, orphanGraceMs?: number) => {
    const config = loadGatewayConfig({
      SILO_HOST: '127.0.0.1',
      SILO_PORT: '0',
      SILO_DATA_DIR: dataDir,
      SILO_RUNTIME: 'swarm',
      SILO_SCOPE: `g-${run}`,
      SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
      SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'silent',
      SILO_IDLE_TIMEOUT: idle,
    });
    const gateway = await createGateway({
      config,
      driver: new SwarmDriver({
        image: image!.tag,
        build: false,
        scope: config.scope,
        labels: { 'silo.test-run': run },
        aliveTimeoutMs: 60_000,
        ...(orphanGraceMs !== undefined ? { orphanGraceMs } : {}),
      }),
      stopGraceMs: 5_000,
      drainMs: 200,
    });
    gateways.push(gateway);
    const url = await gateway.listen();
    return { gateway, url, admin: adminClient(url, gateway.adminToken) };
  };

  afterAll(async () => {
    for (const g of gateways) await g.close({ stopInstances: true }).catch(() => undefined);
    const cleanup = new SwarmDriver({ scope: `g-${run}`, labels: { 'silo.test-run': run }, build: false });
    await cleanup.remove(tenant, { purge: true }).catch(() => undefined);
    await cleanup.close();
    rmSync(dataDir, { recursive: true, force: true });
    await leaveSwarm(swarm);
  }, 120_000);

  let current: Awaited<ReturnType<typeof start>>;
  let key = '';
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${current.url}/api/v1/${tenant}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(90_000),
    });
  const view = () => current.admin<View>('GET', `/admin/v1/tenants/${tenant}`);
  const replicas = async () =>
    (await docker.getService(serviceName).inspect()).Spec.Mode.Replicated.Replicas as number;

  it('cold-starts a tenant as a swarm service, hands it its secret, stops it to 0 replicas when idle and wakes it with its data', async () => {
    current = await start('3s');
    key = await tenantWithKey(current.admin, tenant);
    await current.admin('PUT', `/admin/v1/tenants/${tenant}/secrets/API_TOKEN`, { value: secret });
    const t0 = Date.now();
    const created = await api('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
    log(`cold start through the gateway (service update → first answer): ${Date.now() - t0} ms`);
    expect(await replicas()).toBe(1);
    const service = await docker.getService(serviceName).inspect();
    expect(JSON.stringify(service)).not.toContain(secret);

    const ran = await api('/executions/e2e.swarm/kept?wait=true', { method: 'POST' });
    const execution = (await ran.json()) as {
      id: string;
      state: { current: string };
      taskRunList: Array<{ id: string }>;
    };
    expect(execution.state.current).toBe('SUCCESS');
    // The instance read the secret from the swarm secret's file (a 2.0 tenant: outputs from the outputs endpoint).
    const outputs = await api(`/outputs/${execution.id}/${execution.taskRunList[0]?.id}`);
    expect(((await outputs.json()) as { value?: string }).value).toBe(String(secret.length));

    await waitFor('the idle stop', async () => (await view()).instance.state === 'stopped', 30_000);
    expect(await replicas()).toBe(0);
    expect((await view()).instance.lastError).toBeNull();
    expect(await docker.listSecrets({ filters: { label: [`silo.tenant=${tenant}`] } })).toEqual([]);

    const t1 = Date.now();
    const again = await api(`/executions/${execution.id}`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { state: { current: string } }).state.current).toBe('SUCCESS');
    log(`wake after the idle stop (replicas 0 → 1): ${Date.now() - t1} ms`);
    expect(await replicas()).toBe(1);
    expect((await view()).instance).toMatchObject({ state: 'running', coldStarts: 2 });
  });

  it('adopts the running task after a gateway restart (same container, no second start) and scales an orphan to 0 after its grace', async () => {
    const before = await current.gateway.driver.inspect(tenant);
    expect(before.state).toBe('running');
    await current.gateway.close();
    // A service of a tenant the registry does not know, in this gateway's scope.
    const stranger = new SwarmDriver({
      image: image!.tag,
      build: false,
      scope: `g-${run}`,
      labels: { 'silo.test-run': run },
      aliveTimeoutMs: 60_000,
    });
    const orphan = `swo-${run}`;
    await stranger.start({ tenantId: orphan, instanceToken: randomBytes(24).toString('hex') });
    try {
      current = await start('5m', 500);
      expect(current.gateway.adopted).toEqual([tenant]);
      expect(current.gateway.reconciled).toMatchObject({ running: [tenant], orphans: [orphan] });
      const res = await api('/flows/e2e.swarm/kept');
      expect(res.status).toBe(200);
      expect((await current.gateway.driver.inspect(tenant)).ref).toBe(before.ref);
      expect((await view()).instance).toMatchObject({ state: 'running', coldStarts: 2 });
      await waitFor(
        'the orphan scaled to 0',
        async () =>
          (await docker.getService(`silo-g-${run}_${orphan}`).inspect()).Spec.Mode.Replicated.Replicas === 0,
        30_000,
      );
    } finally {
      await stranger.remove(orphan, { purge: true });
      await stranger.close();
    }
  });

  it('picks the Swarm runtime from its settings alone (SILO_RUNTIME=swarm on a manager)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'silo-swarm-select-'));
    const gateway = await createGateway({
      config: loadGatewayConfig({
        SILO_HOST: '127.0.0.1',
        SILO_PORT: '0',
        SILO_DATA_DIR: dir,
        SILO_RUNTIME: 'swarm',
        SILO_SCOPE: `s-${run}`,
        SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
        SILO_LOG_LEVEL: 'silent',
      }),
    });
    try {
      expect(gateway.driver.name).toBe('swarm');
      expect(gateway.runtimeReason).toBe('SILO_RUNTIME=swarm and this engine is a swarm manager');
      expect(gateway.reconciled).toEqual({ running: [], removed: [], orphans: [] });
    } finally {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
