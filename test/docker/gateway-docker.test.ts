import { randomBytes } from 'node:crypto';
import { buildProgram, ensureOfflineBase } from '@silo/gateway';
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

type View = {
  instance: { state: string; coldStarts: number; ref: string | null; lastError: string | null };
};

const FLOW = `id: kept
namespace: e2e.docker
tasks:
  - id: hi
    type: io.kestra.plugin.core.log.Log
    message: kept across stops
`;

const log = (line: string) => process.stdout.write(`  ${line}\n`);

describeDocker(reason, 'the gateway with the Docker runtime', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const ids: string[] = [];
  const tenantId = (name: string) => {
    const id = `${name}-${suffix}`;
    ids.push(id);
    return id;
  };
  const gateways: DockerGateway[] = [];
  const dataDirs = new Set<string>();
  const start = async (options: Omit<Parameters<typeof startDockerGateway>[0], 'image'>) => {
    // Scoped to this run: the gateway's reconcile must not take another run's containers for orphans.
    const g = await startDockerGateway({
      image: image!.tag,
      labels: { 'silo.test-run': suffix },
      ...options,
    });
    gateways.push(g);
    dataDirs.add(g.dataDir);
    return g;
  };
  const gone = (p: Promise<unknown>) =>
    p.then(
      () => false,
      (err: { statusCode?: number }) => err.statusCode === 404,
    );

  afterAll(async () => {
    for (const g of gateways) await g.close({ stopInstances: true }).catch(() => undefined);
    const strays = await docker.listContainers({
      all: true,
      filters: { label: [`silo.test-run=${suffix}`] },
    });
    for (const c of strays)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await removeTenantResources(docker, ids);
    for (const dir of dataDirs) removeDataDir(dir);
  });

  // One tenant goes through the first three tests: cold start, idle stop, gateway restart, docker kill.
  const main = tenantId('dk-main');
  let key = '';
  let current: DockerGateway;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${current.url}/api/v1/${main}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(60_000),
    });
  const view = (id = main) => current.admin<View>('GET', `/admin/v1/tenants/${id}`);
  let executionId = '';

  it('serves the first request through a cold start; a flow and an execution survive an idle stop', async () => {
    current = await start({ env: { SILO_IDLE_TIMEOUT: '2s' }, drainMs: 200 });
    key = await current.tenant(main);
    const t0 = Date.now();
    const created = await api('/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
    log(`cold start through the gateway (container create → first answer): ${Date.now() - t0} ms`);
    const run = await api('/executions/e2e.docker/kept?wait=true', { method: 'POST' });
    expect(run.status).toBeLessThan(300);
    const execution = (await run.json()) as { id: string; state: { current: string } };
    expect(execution.state.current).toBe('SUCCESS');
    executionId = execution.id;
    expect((await view()).instance).toMatchObject({ state: 'running', coldStarts: 1 });

    await waitFor('the idle stop', async () => (await view()).instance.state === 'stopped', 20_000);
    expect((await docker.getContainer(`silo-${main}`).inspect()).State.Running).toBe(false);
    // A stop by the gateway itself is not a crash.
    expect((await view()).instance.lastError).toBeNull();

    const t1 = Date.now();
    expect((await api('/flows/e2e.docker/kept')).status).toBe(200);
    log(`wake after the idle stop: ${Date.now() - t1} ms`);
    const again = await api(`/executions/${executionId}`);
    expect(((await again.json()) as { state: { current: string } }).state.current).toBe('SUCCESS');
    expect((await view()).instance).toMatchObject({ state: 'running', coldStarts: 2 });
  });

  /** A managed container that is not an instance (a sleeping node on the offline base: cheap). */
  const stranger = async (tenant: string, run: boolean) => {
    const base = await ensureOfflineBase(docker);
    const container = await docker.createContainer({
      Image: base.tag,
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000); process.on("SIGTERM", () => process.exit(0))'],
      Labels: { 'silo.managed': 'true', 'silo.tenant': tenant, 'silo.test-run': suffix },
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    if (run) await container.start();
    return container.id;
  };

  it('adopts the running container after a gateway restart (same container, no second start, data there); reconciles leftovers and orphans', async () => {
    const before = (await view()).instance;
    const startedAt = (await docker.getContainer(`silo-${main}`).inspect()).State.StartedAt;
    await current.close(); // instances keep running
    const [orphan, stuck] = [`dk-orphan-${suffix}`, `dk-stuck-${suffix}`];
    const orphanId = await stranger(orphan, true);
    const stuckId = await stranger(stuck, false);
    const t0 = Date.now();
    current = await start({ dataDir: current.dataDir, env: { SILO_IDLE_TIMEOUT: '5m' }, orphanGraceMs: 500 });
    log(`gateway restart with reconcile and adoption: ${Date.now() - t0} ms`);
    expect(current.gateway.adopted).toEqual([main]);
    expect(current.gateway.reconciled).toMatchObject({
      running: [main],
      removed: [stuck],
      orphans: [orphan],
    });
    expect(await gone(docker.getContainer(stuckId).inspect())).toBe(true);
    // Reported at once, stopped after its grace period.
    await waitFor(
      'the orphan stopped',
      async () => !(await docker.getContainer(orphanId).inspect()).State.Running,
      10_000,
    );
    expect((await view()).instance).toMatchObject({ state: 'running', ref: before.ref, coldStarts: 2 });
    const again = await api(`/executions/${executionId}`);
    expect(((await again.json()) as { state: { current: string } }).state.current).toBe('SUCCESS');
    const info = await docker.getContainer(`silo-${main}`).inspect();
    expect(info.Id).toBe(before.ref);
    expect(info.State.StartedAt).toBe(startedAt);
    expect((await view()).instance.coldStarts).toBe(2);
  });

  it('notices a docker kill through the engine events at once; the next request starts it again', async () => {
    const before = (await view()).instance;
    const t0 = Date.now();
    await docker.getContainer(`silo-${main}`).kill();
    await waitFor(
      'the death in the admin API',
      async () => (await view()).instance.state === 'stopped',
      2_000,
    );
    log(`docker kill visible in the admin API after ${Date.now() - t0} ms`);
    expect((await view()).instance.lastError).toMatch(/exited unexpectedly.*exit code 137/);
    expect((await api('/flows/e2e.docker/kept')).status).toBe(200);
    const after = (await view()).instance;
    expect(after).toMatchObject({ state: 'running', coldStarts: before.coldStarts + 1, lastError: null });
    expect(after.ref).not.toBe(before.ref);
  });

  it('trips the breaker on an instance that dies at once (16 MB memory limit: OOM): 503 + Retry-After, reason visible', async () => {
    const oom = tenantId('dk-oom');
    const oomKey = await current.tenant(oom, { memoryMb: 16 });
    const get = () =>
      fetch(`${current.url}/api/v1/${oom}/flows/search`, {
        headers: { authorization: `Bearer ${oomKey}` },
        signal: AbortSignal.timeout(60_000),
      });
    const first = await get();
    expect(first.status).toBe(503);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await first.json()) as { code: string }).code).toBe('INSTANCE_UNAVAILABLE');
    const second = await get();
    expect(second.status).toBe(503);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await second.json()) as { message: string }).message).toMatch(/back-off/);
    const { instance } = await view(oom);
    expect(instance.state).toBe('failing');
    expect(instance.lastError).toMatch(/out of memory|OOM/);
    log(`crash-loop reason: ${instance.lastError?.split('\n')[0]}`);
  });

  it('silo tenant delete keeps the volume (a tenant created again finds its data); --purge removes container, network and volume', async () => {
    const id = tenantId('dk-del');
    const silo = (...args: string[]) =>
      buildProgram({
        env: { SILO_URL: current.url, SILO_ADMIN_TOKEN: 'test-admin-token-0123456789' },
        print: () => undefined,
        readStdin: async () => '',
      }).parseAsync(args, { from: 'user' });
    const call = async (k: string, path: string, init: RequestInit = {}) =>
      fetch(`${current.url}/api/v1/${id}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${k}`, ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(60_000),
      });
    const k1 = await current.tenant(id);
    const created = await call(k1, '/flows', {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(created.status).toBeLessThan(300);

    await silo('tenant', 'delete', id);
    expect(await gone(docker.getContainer(`silo-${id}`).inspect())).toBe(true);
    expect(await gone(docker.getNetwork(`silo-${id}-net`).inspect())).toBe(true);
    expect(await gone(docker.getVolume(`silo-${id}-data`).inspect())).toBe(false);

    const k2 = await current.tenant(id);
    expect((await call(k2, '/flows/e2e.docker/kept')).status).toBe(200);

    await silo('tenant', 'delete', id, '--purge');
    expect(await gone(docker.getContainer(`silo-${id}`).inspect())).toBe(true);
    expect(await gone(docker.getNetwork(`silo-${id}-net`).inspect())).toBe(true);
    expect(await gone(docker.getVolume(`silo-${id}-data`).inspect())).toBe(true);
  });
});
