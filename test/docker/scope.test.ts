import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, DockerDriver, loadGatewayConfig, type RuntimeEvent } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { adminClient } from '../helpers/test-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

/**
 * SILO_SCOPE on the real engine: two gateways' drivers (scopes `a-<run>` and
 * `b-<run>`) and a default-scope one share the engine and even a tenant id.
 * Each run is also tagged with a label, so that the default-scope driver here
 * never sees another test run's containers on a shared CI engine.
 */
describeDocker(reason, 'two gateways of different SILO_SCOPE on one engine', () => {
  const docker = new Docker();
  const run = randomBytes(3).toString('hex');
  const labels = { 'silo.test-run': run };
  const tenant = `twin-${run}`;
  const token = () => randomBytes(24).toString('hex');
  const driver = (scope?: string) =>
    new DockerDriver({
      image: image!.tag,
      build: false,
      labels,
      orphanGraceMs: 300,
      ...(scope ? { scope } : {}),
    });
  const a = driver(`a-${run}`);
  const b = driver(`b-${run}`);
  const plain = driver();
  const eventsOf = { a: [] as RuntimeEvent[], b: [] as RuntimeEvent[], plain: [] as RuntimeEvent[] };

  beforeAll(async () => {
    a.watch((e) => eventsOf.a.push(e));
    b.watch((e) => eventsOf.b.push(e));
    plain.watch((e) => eventsOf.plain.push(e));
    await Promise.all([
      a.start({ tenantId: tenant, instanceToken: token() }),
      b.start({ tenantId: tenant, instanceToken: token() }),
    ]);
  });
  afterAll(async () => {
    for (const d of [a, b, plain]) {
      await d.remove(tenant, { purge: true }).catch(() => undefined);
      await d.close();
    }
    const left = await docker.listContainers({ all: true, filters: { label: [`silo.test-run=${run}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it('names and labels everything of a gateway after its scope: the same tenant id runs twice, apart', async () => {
    const infoA = await docker.getContainer(`silo-a-${run}_${tenant}`).inspect();
    const infoB = await docker.getContainer(`silo-b-${run}_${tenant}`).inspect();
    expect(infoA.Id).not.toBe(infoB.Id);
    expect(infoA.State.Running && infoB.State.Running).toBe(true);
    expect(infoA.Config.Labels).toMatchObject({
      'silo.scope': `a-${run}`,
      'silo.tenant': tenant,
      'silo.runtime': 'docker',
    });
    expect(infoB.Config.Labels).toMatchObject({ 'silo.scope': `b-${run}`, 'silo.tenant': tenant });
    expect(infoA.Mounts.map((m) => m.Name)).toEqual([`silo-a-${run}_${tenant}-data`]);
    expect(Object.keys(infoA.NetworkSettings.Networks)).toEqual([`silo-a-${run}_${tenant}-net`]);
    expect((await docker.getVolume(`silo-b-${run}_${tenant}-data`).inspect()).Labels).toMatchObject({
      'silo.scope': `b-${run}`,
    });
    // The default scope has no container of that tenant: today's name is free.
    await expect(docker.getContainer(`silo-${tenant}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await plain.inspect(tenant)).state).toBe('absent');
  });

  it('lists only its own scope', async () => {
    expect((await a.list()).map((s) => s.ref)).toEqual([(await a.inspect(tenant)).ref]);
    expect((await b.list()).map((s) => s.ref)).toEqual([(await b.inspect(tenant)).ref]);
    expect(await plain.list()).toEqual([]);
  });

  it('reconciles only its own scope: a gateway that does not know the tenant never stops the other’s container', async () => {
    const refB = (await b.inspect(tenant)).ref!;
    // The default scope knows no tenant: the scoped containers are not its orphans.
    expect(await plain.reconcile(() => [])).toEqual({ running: [], removed: [], orphans: [] });
    // Gateway A forgot the tenant (deleted from its registry): its own container is an orphan, B's is not.
    expect(await a.reconcile(() => [])).toEqual({ running: [], removed: [], orphans: [tenant] });
    expect(await b.reconcile(() => [tenant])).toEqual({ running: [tenant], removed: [], orphans: [] });
    await vi.waitFor(async () => expect((await a.inspect(tenant)).state).toBe('stopped'), {
      timeout: 20_000,
      interval: 200,
    });
    // Grace (300 ms) long past: B's container still runs, untouched.
    await new Promise((r) => setTimeout(r, 500));
    const infoB = await docker.getContainer(refB).inspect();
    expect(infoB.State.Running).toBe(true);
    expect(infoB.RestartCount).toBe(0);
    expect((await b.inspect(tenant)).state).toBe('running');
  });

  it('hears the engine’s events of its own scope only', async () => {
    const refB = (await b.inspect(tenant)).ref!;
    await docker.getContainer(refB).kill();
    await vi.waitFor(() => expect(eventsOf.b.map((e) => e.type)).toContain('instance:exited'), {
      timeout: 10_000,
    });
    expect(eventsOf.b).toContainEqual(expect.objectContaining({ tenantId: tenant, ref: refB }));
    // A's container was stopped by A itself (expected); B's death is none of A's or the default scope's business.
    expect(eventsOf.a.filter((e) => e.type === 'instance:exited')).toEqual([]);
    expect(eventsOf.plain.filter((e) => e.type === 'instance:exited')).toEqual([]);
  });
});

describeDocker(reason, 'SILO_SCOPE set on a gateway', () => {
  const docker = new Docker();
  const run = randomBytes(3).toString('hex');
  const scope = `g-${run}`;
  const tenant = `scoped-${run}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'silo-scope-'));
  afterAll(async () => {
    await docker
      .getContainer(`silo-${scope}_${tenant}`)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getNetwork(`silo-${scope}_${tenant}-net`)
      .remove()
      .catch(() => undefined);
    await docker
      .getVolume(`silo-${scope}_${tenant}-data`)
      .remove()
      .catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reaches the driver the gateway makes itself: its tenant’s container carries the scope in name and label', async () => {
    await testImage(); // the gateway finds it by content hash instead of building
    const gateway = await createGateway({
      config: loadGatewayConfig({
        SILO_HOST: '127.0.0.1',
        SILO_PORT: '0',
        SILO_DATA_DIR: dataDir,
        SILO_RUNTIME: 'docker',
        SILO_SCOPE: scope,
        SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
        SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'silent',
      }),
      stopGraceMs: 5_000,
    });
    try {
      const admin = adminClient(await gateway.listen(), gateway.adminToken);
      await admin('POST', '/admin/v1/tenants', { id: tenant });
      await admin('POST', `/admin/v1/tenants/${tenant}/start`);
      const info = await docker.getContainer(`silo-${scope}_${tenant}`).inspect();
      expect(info.State.Running).toBe(true);
      expect(info.Config.Labels).toMatchObject({ 'silo.scope': scope, 'silo.tenant': tenant });
    } finally {
      await gateway.close({ stopInstances: true });
    }
  });
});

/**
 * A container with the Docker driver's own name and labels but made by
 * another runtime (`silo.runtime=swarm`), and a swarm task's container: the
 * Docker driver lists neither, refuses to start over, stop or remove the
 * first, and its reconcile removes neither (it removes containers of its own
 * that are stuck in `created`).
 */
describeDocker(reason, 'the Docker driver and containers of another runtime', () => {
  const docker = new Docker();
  const run = randomBytes(3).toString('hex');
  const scope = `c-${run}`;
  const tenant = `other-${run}`;
  const name = `silo-${scope}_${tenant}`;
  const labels = { 'silo.managed': 'true', 'silo.tenant': tenant, 'silo.scope': scope, 'silo.test-run': run };
  const driver = new DockerDriver({ image: image?.tag ?? '', build: false, scope, orphanGraceMs: 300 });
  afterAll(async () => {
    await driver.close();
    const left = await docker.listContainers({ all: true, filters: { label: [`silo.test-run=${run}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it('neither adopts, starts over, removes nor reconciles them away', async () => {
    const swarmMade = await docker.createContainer({
      name,
      Image: image!.tag,
      Labels: { ...labels, 'silo.runtime': 'swarm' },
    });
    const task = await docker.createContainer({
      name: `${name}.1.${run}`,
      Image: image!.tag,
      Labels: { ...labels, 'com.docker.swarm.task.id': run },
    });
    expect(await driver.list()).toEqual([]);
    await expect(driver.inspect(tenant)).rejects.toThrow(/silo\.runtime=swarm\): refusing to touch it/);
    await expect(
      driver.start({ tenantId: tenant, instanceToken: randomBytes(24).toString('hex') }),
    ).rejects.toThrow(/refusing to touch it/);
    await expect(driver.remove(tenant, { purge: true })).rejects.toThrow(/refusing to touch it/);
    expect(await driver.reconcile(() => [])).toEqual({ running: [], removed: [], orphans: [] });
    for (const c of [swarmMade, task]) expect((await c.inspect()).State.Status).toBe('created');
    // Both still there.
    expect(
      (await docker.listContainers({ all: true, filters: { label: [`silo.test-run=${run}`] } })).length,
    ).toBe(2);
  });
});
