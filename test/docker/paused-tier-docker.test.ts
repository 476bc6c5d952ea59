import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { waitFor } from '../helpers/test-gateway.js';
import {
  type DockerGateway,
  removeDataDir,
  removeTenantResources,
  startDockerGateway,
} from './docker-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

type View = { instance: { state: string; coldStarts: number; ref: string | null } };

const NAP = `id: nap
namespace: e2e.docker
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT6S
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: woke up
`;

/** The paused tier with the Docker runtime: `docker pause` (the cgroup freezer), real containers. */
describeDocker(reason, 'paused tier (docker runtime)', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const ids: string[] = [];
  const tenantId = (name: string) => {
    const id = `${name}-${suffix}`;
    ids.push(id);
    return id;
  };
  const gateways: DockerGateway[] = [];
  const start = async (env: Record<string, string>) => {
    const g = await startDockerGateway({
      image: image!.tag,
      labels: { 'silo.test-run': suffix },
      env,
      drainMs: 200,
    });
    gateways.push(g);
    return g;
  };
  afterAll(async () => {
    for (const g of gateways) {
      await g.close({ stopInstances: true }).catch(() => undefined);
      removeDataDir(g.dataDir);
    }
    await removeTenantResources(docker, ids);
  });
  const frozen = async (g: DockerGateway, id: string) => {
    const { state } = (await g.admin<View>('GET', `/admin/v1/tenants/${id}`)).instance;
    return state === 'paused' && (await docker.getContainer(`silo-${id}`).inspect()).State.Paused;
  };
  const api = (g: DockerGateway, id: string, key: string, path: string, init: RequestInit = {}) =>
    fetch(`${g.url}/api/v1/${id}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(60_000),
    });

  it('pauses an idle container; a request resumes it (same container) and is answered; dockerd says running after the reconcile (1 s, before the 2 s pause delay); the idle timeout stops it', async () => {
    const g = await start({ SILO_PAUSE_AFTER: '2s', SILO_IDLE_TIMEOUT: '8s' });
    const id = tenantId('dk-frost');
    const key = await g.tenant(id);
    expect((await api(g, id, key, '/flows/search')).status).toBe(200);
    const { ref } = (await g.admin<View>('GET', `/admin/v1/tenants/${id}`)).instance;
    await waitFor('the pause', () => frozen(g, id), 20_000);
    expect((await api(g, id, key, '/flows/search')).status).toBe(200);
    const view = await g.admin<View>('GET', `/admin/v1/tenants/${id}`);
    expect(view.instance).toMatchObject({ state: 'running', ref, coldStarts: 1 });
    // Thawed through its cgroup freezer (SILO_DOCKER_THAW=auto): dockerd says running once the reconcile ran.
    await waitFor(
      'dockerd to say running',
      async () => (await docker.getContainer(`silo-${id}`).inspect()).State.Status === 'running',
      20_000,
    );
    await waitFor('the pause again', () => frozen(g, id), 20_000);
    await waitFor(
      'the stop at the idle timeout',
      async () => (await g.admin<View>('GET', `/admin/v1/tenants/${id}`)).instance.state === 'stopped',
      30_000,
    );
    expect((await docker.getContainer(`silo-${id}`).inspect()).State.Running).toBe(false);
  });

  it('evicts the paused container first under SILO_MAX_RUNNING', async () => {
    const g = await start({ SILO_PAUSE_AFTER: '500ms', SILO_IDLE_TIMEOUT: '1m', SILO_MAX_RUNNING: '2' });
    const [a, b, c] = [tenantId('dk-ice-a'), tenantId('dk-ice-b'), tenantId('dk-ice-c')];
    const keys = [await g.tenant(a), await g.tenant(b), await g.tenant(c)];
    expect((await api(g, a, keys[0] as string, '/flows/search')).status).toBe(200);
    await waitFor('the pause of a', () => frozen(g, a), 20_000);
    expect((await api(g, b, keys[1] as string, '/flows/search')).status).toBe(200);
    expect((await api(g, c, keys[2] as string, '/flows/search')).status).toBe(200);
    const state = async (id: string) =>
      (await g.admin<View>('GET', `/admin/v1/tenants/${id}`)).instance.state;
    expect(await state(a)).toBe('stopped');
    expect(await state(b)).toMatch(/running|paused/);
    expect(await state(c)).toBe('running');
  });

  it('a Sleep due while the container is paused ends on time: the wake scheduler resumes it first', async () => {
    const g = await start({ SILO_PAUSE_AFTER: '500ms', SILO_IDLE_TIMEOUT: '1m', SILO_WAKE_LEAD: '500ms' });
    const id = tenantId('dk-dozer');
    const key = await g.tenant(id);
    const deployed = await api(g, id, key, '/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: NAP,
    });
    expect(deployed.status).toBeLessThan(300);
    const created = await api(g, id, key, '/executions/e2e.docker/nap', { method: 'POST' });
    expect(created.status).toBeLessThan(300);
    const { id: executionId } = (await created.json()) as { id: string };
    await waitFor('the pause during the Sleep', () => frozen(g, id), 5_000);
    // No request until the Sleep is over: only the wake scheduler may resume it.
    await waitFor(
      'the resume by the wake scheduler',
      async () => (await g.admin<View>('GET', `/admin/v1/tenants/${id}`)).instance.state === 'running',
      10_000,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const res = await api(g, id, key, `/executions/${executionId}`);
    const execution = (await res.json()) as {
      state: { current: string };
      taskRunList: { taskId: string; state: { histories: { date: string }[] } }[];
    };
    expect(execution.state.current).toBe('SUCCESS');
    const times = (execution.taskRunList.find((r) => r.taskId === 'nap')?.state.histories ?? []).map((h) =>
      Date.parse(h.date),
    );
    const slept = Math.max(...times) - Math.min(...times);
    expect(slept).toBeGreaterThanOrEqual(6_000);
    expect(slept).toBeLessThan(7_000);
  });
});
