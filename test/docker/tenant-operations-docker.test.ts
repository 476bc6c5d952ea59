import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import {
  deploy,
  executions,
  picture,
  sleepyFlow,
  startExecutions,
  type TenantApi,
  tenantApi,
} from '../helpers/tenant-workload.js';
import { startTestGateway, type TestGateway, waitFor } from '../helpers/test-gateway.js';
import {
  type DockerGateway,
  removeDataDir,
  removeTenantResources,
  startDockerGateway,
} from './docker-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

type Backup = { id: string; mode: string; executions: number; sizeBytes: number };
type View = { id: string; instance: { state: string; coldStarts: number }; key?: { key: string } };

/** Streams an export of `tenantId` from one gateway straight into an import on another. */
async function move(
  from: { url: string; token: string },
  to: { url: string; token: string },
  tenantId: string,
  newId: string,
): Promise<View> {
  const exported = await fetch(`${from.url}/admin/v1/tenants/${tenantId}/export`, {
    headers: { authorization: `Bearer ${from.token}` },
    signal: AbortSignal.timeout(120_000),
  });
  expect(exported.status).toBe(200);
  expect(exported.headers.get('content-type')).toBe('application/gzip');
  const imported = await fetch(`${to.url}/admin/v1/tenants/import?id=${newId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${to.token}`, 'content-type': 'application/gzip' },
    body: exported.body,
    duplex: 'half',
    signal: AbortSignal.timeout(120_000),
  } as RequestInit);
  const text = await imported.text();
  expect(imported.status, text).toBe(201);
  return JSON.parse(text) as View;
}

const allSucceeded = (api: TenantApi, n: number) => async () => {
  const runs = await executions(api);
  return runs.length === n && runs.every((e) => e.state.current === 'SUCCESS') ? true : undefined;
};

describeDocker(reason, 'tenant operations with the Docker runtime', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const ids: string[] = [];
  const tenantId = (name: string) => {
    const id = `${name}-${suffix}`;
    ids.push(id);
    return id;
  };
  const dockerGateways: DockerGateway[] = [];
  const processGateways: TestGateway[] = [];
  const startDocker = async () => {
    const g = await startDockerGateway({ image: image!.tag, labels: { 'silo.test-run': suffix } });
    dockerGateways.push(g);
    return g;
  };

  afterAll(async () => {
    for (const g of dockerGateways) await g.close({ stopInstances: true }).catch(() => undefined);
    for (const g of processGateways) await g.stop().catch(() => undefined);
    await removeTenantResources(docker, ids);
    for (const g of dockerGateways) removeDataDir(g.dataDir);
    const helpers = await docker.listContainers({ all: true, filters: { label: ['silo.ops-helper'] } });
    expect(helpers.filter((c) => ids.some((id) => c.Names.some((n) => n.includes(id))))).toEqual([]);
  });

  it('backs up a running container with 20 executions in flight; a restore brings back exactly those', async () => {
    const g = await startDocker();
    const id = tenantId('dk-ops');
    const api = tenantApi(g.url, id, await g.tenant(id));
    await deploy(api, sleepyFlow('sleepy', 'PT5S'));
    const inFlight = await startExecutions(api, 'sleepy', 20);
    await waitFor(
      '20 executions running',
      async () =>
        (await executions(api)).filter((e) => e.state.current === 'RUNNING').length === 20 ? true : undefined,
      30_000,
    );
    const backup = await g.admin<Backup>('POST', `/admin/v1/tenants/${id}/backups`);
    expect(backup).toMatchObject({ mode: 'online', executions: 20 });
    await startExecutions(api, 'sleepy', 3);
    await deploy(api, sleepyFlow('later', 'PT0S'));

    const restored = await g.admin<View>('POST', `/admin/v1/tenants/${id}/restore`, { backupId: backup.id });
    expect(restored.instance.state).toBe('running');
    expect((await executions(api)).map((e) => e.id).sort()).toEqual([...inFlight].sort());
    await waitFor('the restored executions to finish', allSucceeded(api, 20), 60_000);

    // Stopped: the backup reads the volume through a helper that never runs; the tenant stays stopped.
    await g.admin('POST', `/admin/v1/tenants/${id}/stop`);
    const before = await g.admin<View>('GET', `/admin/v1/tenants/${id}`);
    const offline = await g.admin<Backup>('POST', `/admin/v1/tenants/${id}/backups`);
    expect(offline).toMatchObject({ mode: 'offline', executions: 20 });
    const after = await g.admin<View>('GET', `/admin/v1/tenants/${id}`);
    expect(after.instance).toMatchObject({ state: 'stopped', coldStarts: before.instance.coldStarts });
    const container = await docker.getContainer(`silo-${id}`).inspect();
    expect(container.State.Running).toBe(false);
  }, 240_000);

  it('moves a tenant between gateways and runtimes (docker → process → docker) with flows, executions, KV and logs', async () => {
    const d = await startDocker();
    const p = await startTestGateway({ instance: 'orchestrator' });
    processGateways.push(p);
    const id = tenantId('dk-move');
    const api = tenantApi(d.url, id, await d.tenant(id));
    await deploy(api, sleepyFlow('quick', 'PT0S'));
    await api.call('PUT', '/namespaces/ops/kv/colour', '"blue"');
    await startExecutions(api, 'quick', 4);
    await waitFor('4 executions done', allSucceeded(api, 4), 30_000);
    const original = await picture(api);
    expect(original.logs).toHaveLength(4);

    const toProcess = tenantId('pr-moved');
    const onProcess = await move(
      { url: d.url, token: d.gateway.adminToken },
      { url: p.url, token: p.gateway.adminToken },
      id,
      toProcess,
    );
    const processApi = tenantApi(p.url, toProcess, onProcess.key!.key);
    expect(await picture(processApi)).toEqual(original);

    const back = tenantId('dk-back');
    const onDocker = await move(
      { url: p.url, token: p.gateway.adminToken },
      { url: d.url, token: d.gateway.adminToken },
      toProcess,
      back,
    );
    const backApi = tenantApi(d.url, back, onDocker.key!.key);
    expect(await picture(backApi)).toEqual(original);
    // The old key of the source is not carried.
    const refused = await fetch(`${d.url}/api/v1/${back}/flows/search`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(refused.status).toBe(401);
  }, 240_000);
});
