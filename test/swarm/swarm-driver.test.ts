import { randomBytes } from 'node:crypto';
import { INSTANCE_TOKEN_HEADER, READYZ_PATH } from '@silo/contracts';
import { demuxLogs, type Endpoint, SwarmDriver } from '@silo/gateway';
import { runtimeDriverContract } from '@silo/gateway/testing';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker } from '../helpers/docker.js';
import { ensureSwarm, leaveSwarm, swarmUnavailableReason } from '../helpers/swarm.js';

/**
 * The Swarm runtime on a real single-node swarm (on loopback, made here when
 * the engine is in none and left again at the end): the runtime contract,
 * data kept across scale 0 → 1, the hardening read back from the engine,
 * secrets out of `docker service inspect`.
 */
const reason = await swarmUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;
const swarm = reason === undefined ? await ensureSwarm() : undefined;
const run = randomBytes(3).toString('hex');

describeDocker(reason, 'the Swarm driver', () => {
  const docker = new Docker();
  // Its own scope and a run label: nothing of another run or of the Docker runtime is touched.
  const make = () =>
    new SwarmDriver({
      image: image?.tag,
      build: false,
      scope: `sw-${run}`,
      labels: { 'silo.test-run': run },
      stopGraceMs: 5_000,
      aliveTimeoutMs: 60_000,
    });

  afterAll(async () => {
    for (const s of await docker.listServices({ filters: { label: [`silo.test-run=${run}`] } }))
      await docker
        .getService(s.ID)
        .remove()
        .catch(() => undefined);
    await leaveSwarm(swarm);
  }, 120_000);

  runtimeDriverContract('swarm', make, {
    readyTimeoutMs: 60_000,
    graceMs: 5_000,
    killFromOutside: async (status) => {
      await docker.getContainer(String(status.ref)).kill();
    },
    watchSettleMs: 300,
  });

  describe('beyond the contract', () => {
    const driver = make();
    const ids: string[] = [];
    const tenant = () => {
      const id = `sw-${randomBytes(4).toString('hex')}`;
      ids.push(id);
      return id;
    };
    afterAll(async () => {
      for (const id of ids) await driver.remove(id, { purge: true }).catch(() => undefined);
      await driver.close();
    }, 120_000);

    it("runs the pinned orchestrator version's image, and refuses a version it has no image of (never another one)", async () => {
      const repo = image!.tag.slice(0, image!.tag.lastIndexOf(':'));
      const version = `9.9.9-pin${run}`;
      await docker.getImage(image!.tag).tag({ repo, tag: version });
      try {
        const pinned = tenant();
        await driver.start({ tenantId: pinned, instanceToken: randomBytes(24).toString('hex'), version });
        const [service] = await docker.listServices({ filters: { label: [`silo.tenant=${pinned}`] } });
        const template = service?.Spec?.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined;
        expect(template?.ContainerSpec?.Image).toBe(`${repo}:${version}`);
        expect(service?.Spec?.Labels).toMatchObject({ 'silo.version': version });
        const missing = tenant();
        await expect(
          driver.start({
            tenantId: missing,
            instanceToken: randomBytes(24).toString('hex'),
            version: '0.0.1-none',
          }),
        ).rejects.toThrow(/orchestrator version 0\.0\.1-none is not installed \(no image .*:0\.0\.1-none\)/);
        expect(await docker.listServices({ filters: { label: [`silo.tenant=${missing}`] } })).toEqual([]);
      } finally {
        await docker
          .getImage(`${repo}:${version}`)
          .remove()
          .catch(() => undefined);
      }
    }, 180_000);

    it('keeps the data across scale 0 → 1 (same service, node and volume) and across a remove without purge', async () => {
      const id = tenant();
      const token1 = randomBytes(24).toString('hex');
      const first = await driver.start({ tenantId: id, instanceToken: token1 });
      await waitReady(first);
      const flow = `id: kept\nnamespace: e2e.swarm\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: kept\n`;
      const created = await fetch(`${first.url}/api/v1/${id}/flows`, {
        method: 'POST',
        headers: { [INSTANCE_TOKEN_HEADER]: token1, 'content-type': 'application/x-yaml' },
        body: flow,
      });
      expect(created.status, await created.clone().text()).toBeLessThan(300);
      const service = await docker.getService(`silo-sw-${run}_${id}`).inspect();

      await driver.stop(id, 5_000);
      const stopped = await docker.getService(service.ID).inspect();
      expect(stopped.Spec.Mode.Replicated.Replicas).toBe(0);
      expect((await driver.inspect(id)).state).toBe('stopped');

      const token2 = randomBytes(24).toString('hex');
      const second = await driver.start({ tenantId: id, instanceToken: token2 });
      await waitReady(second);
      const again = await fetch(`${second.url}/api/v1/${id}/flows/e2e.swarm/kept`, {
        headers: { [INSTANCE_TOKEN_HEADER]: token2 },
      });
      expect(again.status).toBe(200);
      const after = await docker.getService(service.ID).inspect();
      expect(after.Spec.TaskTemplate.Placement.Constraints).toEqual(
        service.Spec.TaskTemplate.Placement.Constraints,
      );
      expect(after.Spec.TaskTemplate.Placement.Constraints).toEqual([`node.id==${swarm?.nodeId}`]);

      // Removed without purge: the service goes, the volume stays, and a new service finds it.
      await driver.remove(id, { purge: false });
      expect((await driver.inspect(id)).state).toBe('absent');
      const token3 = randomBytes(24).toString('hex');
      const third = await driver.start({ tenantId: id, instanceToken: token3 });
      await waitReady(third);
      const kept = await fetch(`${third.url}/api/v1/${id}/flows/e2e.swarm/kept`, {
        headers: { [INSTANCE_TOKEN_HEADER]: token3 },
      });
      expect(kept.status).toBe(200);
    });

    it('runs the task hardened, unpublished, secrets out of its configuration, out of reach of another tenant', async () => {
      const [id, other] = [tenant(), tenant()];
      const secret = `sw-s3cr3t-${randomBytes(8).toString('hex')}`;
      const [endpoint, otherEndpoint] = await Promise.all([
        driver.start({
          tenantId: id,
          instanceToken: randomBytes(24).toString('hex'),
          secrets: { API_KEY: secret },
          limits: { memoryMb: 256, cpus: 0.5, pids: 128 },
        }),
        driver.start({ tenantId: other, instanceToken: randomBytes(24).toString('hex') }),
      ]);
      await Promise.all([waitReady(endpoint), waitReady(otherEndpoint)]);
      const [container, otherContainer] = await Promise.all(
        [id, other].map(async (t) => docker.getContainer(String((await driver.inspect(t)).ref)).inspect()),
      );
      const service = await docker.getService(`silo-sw-${run}_${id}`).inspect();
      expect(container!.Config.User).toBe('10001:10001');
      expect(container!.HostConfig.CapDrop).toEqual(['ALL']);
      expect(container!.HostConfig.ReadonlyRootfs).toBe(true);
      expect(container!.HostConfig.Memory).toBe(256 * 1024 * 1024);
      expect(container!.HostConfig.NanoCpus).toBe(0.5e9);
      expect(container!.HostConfig.PidsLimit).toBe(128);
      expect(container!.HostConfig.Privileged).toBe(false);
      // No socket, no host folder: the volume and /tmp (the engine mounts the secret file apart).
      expect(container!.Mounts.map((m) => m.Destination).sort()).toEqual(['/data', '/tmp']);
      expect(JSON.stringify(container!.Mounts)).not.toContain('docker.sock');
      // Nothing published on any interface: the task is reached on its node-local network only.
      expect(Object.keys(container!.HostConfig.PortBindings ?? {})).toEqual([]);
      expect(service.Endpoint?.Ports ?? []).toEqual([]);
      expect(JSON.stringify(service) + JSON.stringify(container)).not.toContain(secret);
      expect(await docker.listSecrets({ filters: { label: [`silo.tenant=${id}`] } })).toHaveLength(1);

      // Attacks from inside the task, as its own user. The control: it reaches its own instance.
      const net = container!.NetworkSettings.Networks[`silo-sw-${run}_${id}-net`]!;
      const otherIp = otherContainer!.NetworkSettings.Networks[`silo-sw-${run}_${other}-net`]!.IPAddress;
      expect(await reachFrom(docker, container!.Id, 'http://127.0.0.1:8081/healthz')).toBe('reached 200');
      expect(await reachFrom(docker, container!.Id, `http://${otherIp}:8081/healthz`)).toMatch(/^blocked/);
      // The host side of its bridge: the relays listen on the host's 127.0.0.1 only.
      expect(
        await reachFrom(docker, container!.Id, `http://${net.Gateway}:${otherEndpoint.port}/healthz`),
      ).toMatch(/^blocked/);

      await driver.stop(id, 5_000);
      // The per-start secret is gone with the task.
      expect(await docker.listSecrets({ filters: { label: [`silo.tenant=${id}`] } })).toEqual([]);
    });
  });
});

/** Asks from inside `container` (as its own user) for `url`: `reached <status>` or `blocked <reason>`. */
async function reachFrom(docker: Docker, container: string, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(2000) }).then((r) => console.log('reached', r.status), (e) => console.log('blocked', e.cause?.code ?? e.name))`;
  const exec = await docker.getContainer(container).exec({
    Cmd: ['node', '-e', script],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  return demuxLogs(Buffer.concat(chunks)).trim();
}

async function waitReady(endpoint: Endpoint, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${endpoint.url}${READYZ_PATH}`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`not ready within ${timeoutMs} ms (${last})`);
}
