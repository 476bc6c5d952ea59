import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarStream } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { deploy, picture, sleepyFlow, startExecutions, tenantApi } from '../helpers/tenant-workload.js';
import { waitFor } from '../helpers/test-gateway.js';
import { brokenBundle } from '../helpers/versions.js';
import {
  type DockerGateway,
  removeDataDir,
  removeTenantResources,
  startDockerGateway,
} from './docker-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

type Upgrade = { from: string; to: string; outcome: string; reason: string | null };

/** `FROM image` with the broken bundle in place of the built one, and an entry that imports it. */
async function buildBrokenImage(docker: Docker, from: string, tag: string, dir: string): Promise<void> {
  const main = join(brokenBundle(dir), 'main.js');
  const instance = join(dir, 'instance.cjs');
  const bundle = '/app/packages/orchestrator/dist/bundle/main.js';
  const bundleDir = '/app/packages/orchestrator/dist/bundle';
  // entry.mjs too: the image's own may import dist/main.js (when its bundle was older than dist).
  // The entry loads instance.cjs beside it; the image's code cache is for the other source (V8 would refuse it).
  const dockerfile = `FROM ${from}\nCOPY main.js ${bundle}\nCOPY instance.cjs ${bundleDir}/instance.cjs\nCOPY entry.mjs /app/entry.mjs\n`;
  const stream = await docker.buildImage(
    tarStream([
      { type: 'data', path: 'Dockerfile', data: Buffer.from(dockerfile) },
      { type: 'data', path: 'entry.mjs', data: Buffer.from(`import '${bundle}';\n`), mode: 0o644 },
      { type: 'file', path: 'main.js', source: main, size: statSync(main).size, mode: 0o644 },
      { type: 'file', path: 'instance.cjs', source: instance, size: statSync(instance).size, mode: 0o644 },
    ]),
    { t: tag, rm: true, forcerm: true, networkmode: 'none' },
  );
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = out?.find((o) => o.error);
      if (err || failed) reject(err ?? new Error(failed?.error));
      else resolve();
    }),
  );
}

describeDocker(reason, 'upgrade and automatic rollback with the Docker runtime', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const id = `dk-up-${suffix}`;
  // Pre-release names: never picked for new tenants of other gateways on this engine.
  const good = `9.9.9-good-${suffix}`;
  const broken = `9.9.9-broken-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'silo-broken-image-'));
  let g: DockerGateway | undefined;

  afterAll(async () => {
    await g?.close({ stopInstances: true }).catch(() => undefined);
    await removeTenantResources(docker, [id]);
    for (const tag of [good, broken])
      await docker
        .getImage(`silo-orchestrator:${tag}`)
        .remove()
        .catch(() => undefined);
    if (g) removeDataDir(g.dataDir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('upgrades a tenant to another image tag, and rolls a broken one back with nothing lost', async () => {
    g = await startDockerGateway({ image: image!.tag, labels: { 'silo.test-run': suffix } });
    const api = tenantApi(g.url, id, await g.tenant(id));
    await deploy(api, sleepyFlow('quick', 'PT0S'));
    await startExecutions(api, 'quick', 2);
    expect((await api.call('PUT', '/namespaces/ops/kv/colour', '"blue"')).status).toBe(200);
    await waitFor('the executions to finish', async () => {
      const page = await api.json<{ results: { state: { current: string } }[] }>('/executions/search');
      return page.results.length === 2 && page.results.every((e) => e.state.current === 'SUCCESS');
    });
    const before = await picture(api);

    await g.admin('POST', '/admin/v1/versions', { version: good, image: image!.tag });
    await buildBrokenImage(docker, image!.tag, `silo-orchestrator:${broken}`, dir);
    const listed = await g.admin<{ results: { version: string; installed: boolean }[] }>(
      'GET',
      '/admin/v1/versions',
    );
    expect(listed.results.map((v) => v.version)).toEqual(
      expect.arrayContaining([good, broken, image!.version]),
    );

    const up = await g.admin<Upgrade>('POST', `/admin/v1/tenants/${id}/upgrade`, { version: good });
    expect(up).toMatchObject({ from: image!.version, to: good, outcome: 'upgraded', reason: null });
    const upgraded = await docker.getContainer(`silo-${id}`).inspect();
    expect(upgraded.Config.Image).toBe(`silo-orchestrator:${good}`);
    expect(await picture(api)).toEqual(before);

    const down = await g.admin<Upgrade>('POST', `/admin/v1/tenants/${id}/upgrade`, { version: broken });
    expect(down).toMatchObject({ from: good, to: broken, outcome: 'rolled-back' });
    expect(down.reason).toMatch(/failed at start/);
    const view = await g.admin<{ version: string; instance: { state: string; lastError: string } }>(
      'GET',
      `/admin/v1/tenants/${id}`,
    );
    expect(view).toMatchObject({ version: good, instance: { state: 'running', lastError: down.reason } });
    expect((await docker.getContainer(`silo-${id}`).inspect()).Config.Image).toBe(
      `silo-orchestrator:${good}`,
    );
    expect(await picture(api)).toEqual(before);
    expect(await api.json<{ value: unknown }>('/namespaces/ops/kv/colour')).toMatchObject({ value: 'blue' });
  });
});
