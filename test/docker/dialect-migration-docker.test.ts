import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { deploy, tenantApi } from '../helpers/tenant-workload.js';
import {
  type DockerGateway,
  removeDataDir,
  removeTenantResources,
  startDockerGateway,
} from './docker-gateway.js';
import { testImage } from './orchestrator-image.js';

const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;

/** 1.3 only; its rewrite (BOOL, fromJson) is valid on both parsers. */
const AUTOMATIC = `id: automatic
namespace: ops
inputs:
  - id: loud
    type: BOOLEAN
    defaults: true
tasks:
  - id: answer
    type: io.kestra.plugin.core.debug.Return
    format: "{{ json('{\\"n\\": 41}').n + 1 }}"
`;

describeDocker(reason, 'Kestra dialect migration with the Docker runtime', () => {
  const docker = new Docker();
  const suffix = randomBytes(3).toString('hex');
  const id = `dk-dialect-${suffix}`;
  let g: DockerGateway | undefined;

  // A tag of this run's own: the shared `silo-orchestrator:<version>` tag can be moved by other runs on the engine meanwhile.
  const ownTag = `dialect-${suffix}`;

  afterAll(async () => {
    await g?.close({ stopInstances: true }).catch(() => undefined);
    await docker
      .getImage(`silo-orchestrator:${ownTag}`)
      .remove({ noprune: true })
      .catch(() => undefined);
    await removeTenantResources(docker, [id]);
    if (g) removeDataDir(g.dataDir);
  });

  it('a 1.3 container is reported, migrated to 2.0 through the gateway (new container env), its executions kept', async () => {
    await docker.getImage(image!.id).tag({ repo: 'silo-orchestrator', tag: ownTag });
    g = await startDockerGateway({
      image: `silo-orchestrator:${ownTag}`,
      labels: { 'silo.test-run': suffix },
    });
    await g.admin('POST', '/admin/v1/tenants', { id, kestraVersion: '1.3' });
    const key = (await g.admin<{ key: string }>('POST', `/admin/v1/tenants/${id}/keys`, {})).key;
    const api = tenantApi(g.url, id, key);
    await deploy(api, AUTOMATIC);
    const first = await api.call('POST', '/executions/ops/automatic?wait=true');
    const old = (await first.json()) as { id: string; state: { current: string } };
    expect(old.state.current).toBe('SUCCESS');
    const env = async () => (await docker.getContainer(`silo-${id}`).inspect()).Config.Env;
    expect(await env()).toContain('SILO_KESTRA_VERSION=1.3');

    const report = await g.admin<{ summary: Record<string, number> }>(
      'GET',
      `/admin/v1/tenants/${id}/migration?to=2.0`,
    );
    expect(report.summary).toEqual({ clean: 0, automatic: 1, manual: 0 });
    const result = await g.admin<{ outcome: string; reason: string | null; rewritten: unknown[] }>(
      'POST',
      `/admin/v1/tenants/${id}/migration`,
      { to: '2.0', apply: true },
    );
    expect(result).toMatchObject({ outcome: 'applied', reason: null });
    expect(result.rewritten).toEqual([{ namespace: 'ops', id: 'automatic', revision: 2 }]);
    expect(await env()).toContain('SILO_KESTRA_VERSION=2.0');
    const page = await api.json<{ results: { id: string }[] }>('/executions/search?size=100');
    expect(page.results.map((e) => e.id)).toContain(old.id);
    const again = (await (await api.call('POST', '/executions/ops/automatic?wait=true')).json()) as {
      state: { current: string };
    };
    expect(again.state.current).toBe('SUCCESS');
  }, 300_000);
});
