import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { INSTANCE_TOKEN_HEADER } from '@silo/contracts';
import type { DockerEventMap, Endpoint } from '@silo/gateway';
import { DockerDriver, demuxLogs } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { testImage } from './orchestrator-image.js';

const run = promisify(execFile);
const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

/** Runs `node -e script` inside the container as its own user; returns what it printed. */
async function nodeIn(docker: Docker, container: string, script: string): Promise<string> {
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

async function waitReady(endpoint: Endpoint): Promise<void> {
  await vi.waitFor(
    async () => {
      const res = await fetch(`${endpoint.url}/readyz`, { signal: AbortSignal.timeout(1000) });
      expect(res.status).toBe(200);
    },
    { timeout: 30_000, interval: 50 },
  );
}

describeDocker(reason, 'a tenant container on the real engine', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const [a, b] = [`hard-a-${suffix}`, `hard-b-${suffix}`];
  const tokens = { [a]: randomBytes(24).toString('hex'), [b]: randomBytes(24).toString('hex') };
  const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
  let driver: DockerDriver;
  let endpointA: Endpoint;
  let endpointB: Endpoint;
  const started = (id: string, secrets?: Record<string, string>) =>
    driver.start({ tenantId: id, instanceToken: tokens[id]!, ...(secrets ? { secrets } : {}) });

  beforeAll(async () => {
    driver = new DockerDriver({ image: image!.tag, build: false });
    const t0 = Date.now();
    [endpointA, endpointB] = await Promise.all([started(a, { API_KEY: secret }), started(b)]);
    await Promise.all([waitReady(endpointA), waitReady(endpointB)]);
    process.stdout.write(`  two tenants from create to /readyz in ${Date.now() - t0} ms\n`);
  });
  afterAll(async () => {
    for (const id of [a, b]) await driver.remove(id, { purge: true }).catch(() => undefined);
    await driver.close();
  });

  it('reads the hardening back from docker inspect', async () => {
    const info = await docker.getContainer(`silo-${a}`).inspect();
    const host = info.HostConfig;
    expect(info.Config.User).toBe('10001:10001');
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.CapAdd ?? []).toEqual([]);
    expect(host.SecurityOpt).toContain('no-new-privileges');
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Privileged).toBe(false);
    expect(host.Init).toBe(true);
    expect(host.RestartPolicy?.Name).toBe('no');
    expect(host.Memory).toBeGreaterThan(0);
    expect(host.NanoCpus).toBeGreaterThan(0);
    expect(host.PidsLimit).toBeGreaterThan(0);
    expect(host.Binds ?? []).toEqual([]);
    expect(info.Mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([
      ['volume', `silo-${a}-data`, '/data'],
    ]);
    expect(info.NetworkSettings.Ports['8081/tcp']?.[0]?.HostIp).toBe('127.0.0.1');
    expect(info.Config.Labels).toMatchObject({ 'silo.managed': 'true', 'silo.tenant': a });
    const net = await docker.getNetwork(`silo-${a}-net`).inspect();
    expect(net.Options?.['com.docker.network.bridge.enable_icc']).toBe('false');
    // The secret went over stdin: not in the container's configuration, nor on the host's process list.
    expect(JSON.stringify(info)).not.toContain(secret);
    const top = await docker.getContainer(`silo-${a}`).top({ ps_args: '-eo pid,args' });
    expect(JSON.stringify(top.Processes)).toContain('node /app/entry.mjs');
    expect(JSON.stringify(top.Processes)).not.toContain(secret);
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(secret);
    // It did arrive: on the instance's stdin (unless the instance already read it: then the pipe is empty).
    const piped = await nodeIn(
      docker,
      `silo-${a}`,
      `const fs = require('fs');
       const fd = fs.openSync('/proc/1/fd/0', fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
       const buf = Buffer.alloc(4096);
       try { console.log(buf.subarray(0, fs.readSync(fd, buf)).toString()); } catch (e) { console.log(''); }`,
    );
    if (piped !== '') expect(JSON.parse(piped)).toEqual({ API_KEY: secret });
  });

  it('is confined from the inside: uid ≠ 0, no capabilities, read-only root, no docker socket, no way to the other tenant', async () => {
    const infoB = await docker.getContainer(`silo-${b}`).inspect();
    const ipB = infoB.NetworkSettings.Networks[`silo-${b}-net`]?.IPAddress;
    const gatewayA = (await docker.getContainer(`silo-${a}`).inspect()).NetworkSettings.Networks[
      `silo-${a}-net`
    ]?.Gateway;
    expect(ipB).toBeTruthy();
    const script = `
      const fs = require('fs'), net = require('net');
      const probe = (host, port) => new Promise((done) => {
        const s = net.connect({ host, port, timeout: 1500 });
        s.on('connect', () => { s.destroy(); done('connected'); });
        s.on('timeout', () => { s.destroy(); done('timeout'); });
        s.on('error', (e) => done(e.code));
      });
      const tryWrite = (p) => { try { fs.writeFileSync(p, 'x'); return 'written'; } catch (e) { return e.code; } };
      (async () => {
        const status = fs.readFileSync('/proc/self/status', 'utf8');
        console.log(JSON.stringify({
          uid: process.getuid(),
          capEff: /CapEff:\\s*(\\w+)/.exec(status)[1],
          noNewPrivs: /NoNewPrivs:\\s*(\\d)/.exec(status)[1],
          rootWrite: tryWrite('/app/intruder'),
          etcWrite: tryWrite('/etc/passwd'),
          tmpWrite: tryWrite('/tmp/ok'),
          dataWrite: tryWrite('/data/ok'),
          sockets: ['/var/run/docker.sock', '/run/docker.sock'].filter((p) => fs.existsSync(p)),
          otherTenant: await probe(${JSON.stringify(ipB)}, 8081),
          otherTenantViaHost: await probe(${JSON.stringify(gatewayA)}, ${endpointB.port}),
        }));
      })();`;
    const seen = JSON.parse(await nodeIn(docker, `silo-${a}`, script)) as Record<string, unknown>;
    expect(seen).toMatchObject({
      capEff: '0000000000000000',
      noNewPrivs: '1',
      rootWrite: 'EROFS',
      etcWrite: 'EROFS',
      tmpWrite: 'written',
      dataWrite: 'written',
      sockets: [],
    });
    expect(seen.uid).not.toBe(0);
    expect(seen.otherTenant).not.toBe('connected');
    expect(seen.otherTenantViaHost).not.toBe('connected');
  });

  it('keeps the tenant’s data across stop/start, a new driver (gateway restart), and a remove without purge', async () => {
    const flow = `id: kept\nnamespace: silo.test\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n`;
    const api = (e: Endpoint, id: string) => `${e.url}/api/v1/${id}/flows`;
    const headers = { [INSTANCE_TOKEN_HEADER]: tokens[b]! };
    const created = await fetch(api(endpointB, b), {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-yaml' },
      body: flow,
    });
    expect(created.status, await created.text()).toBeLessThan(300);
    await nodeIn(docker, `silo-${b}`, "require('fs').writeFileSync('/data/marker', 'still here')");

    await driver.stop(b, 5_000);
    const restartedGateway = new DockerDriver({ image: image!.tag, build: false });
    expect((await restartedGateway.inspect(b)).state).toBe('stopped');
    endpointB = await restartedGateway.start({ tenantId: b, instanceToken: tokens[b]! });
    await waitReady(endpointB);
    const again = await fetch(`${api(endpointB, b)}/silo.test/kept`, { headers });
    expect(again.status).toBe(200);
    expect(
      await nodeIn(docker, `silo-${b}`, "console.log(require('fs').readFileSync('/data/marker', 'utf8'))"),
    ).toBe('still here');

    // Removed without purge, then created again: the volume (and so the data) is still there.
    await restartedGateway.remove(b, { purge: false });
    expect((await restartedGateway.inspect(b)).state).toBe('absent');
    endpointB = await restartedGateway.start({ tenantId: b, instanceToken: tokens[b]! });
    await waitReady(endpointB);
    expect((await fetch(`${api(endpointB, b)}/silo.test/kept`, { headers })).status).toBe(200);
  });

  it('notices a docker kill through the event stream at once, and starts again', async () => {
    const died: DockerEventMap['instance:died'][] = [];
    const events = driver.events();
    const off = events.on('instance:died', (e) => died.push(e));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the stream is open
    const t0 = Date.now();
    await docker.getContainer(`silo-${a}`).kill();
    await vi.waitFor(() => expect(died.some((e) => e.tenantId === a)).toBe(true), { timeout: 5_000 });
    const event = died.find((e) => e.tenantId === a)!;
    expect(event).toMatchObject({ exitCode: 137, expected: false });
    process.stdout.write(`  docker kill noticed after ${Date.now() - t0} ms\n`);
    expect((await driver.inspect(a)).state).toBe('stopped');

    await driver.stop(b, 5_000);
    await vi.waitFor(() => expect(died.some((e) => e.tenantId === b)).toBe(true), { timeout: 5_000 });
    expect(died.find((e) => e.tenantId === b)).toMatchObject({ expected: true });
    off();

    endpointA = await started(a);
    await waitReady(endpointA);
  });
});
