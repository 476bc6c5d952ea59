import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type DockerGateway,
  removeDataDir,
  removeTenantResources,
  startDockerGateway,
} from '../docker/docker-gateway.js';
import { testImage } from '../docker/orchestrator-image.js';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';
import { figureTable } from './figures.js';
import { killWithExecutionsInFlight } from './kill-kit.js';

/** Issue 19 §1 on the Docker runtime: `docker kill` of the container with 100 executions in flight (`kill-kit.ts`). */
const reason = await dockerUnavailableReason();
const image = reason === undefined ? await testImage() : undefined;
const figures = figureTable('docker kill with 100 executions in flight (Docker runtime)');

describeDocker(reason, 'reliability: docker kill with executions in flight', () => {
  const docker = new Docker();
  const run = randomBytes(4).toString('hex');
  // One tenant id per run: its volume cannot collide with a run that was interrupted before its cleanup.
  const tenant = `crash-${run}`;
  let g: DockerGateway;
  beforeAll(async () => {
    g = await startDockerGateway({ image: image?.tag as string, labels: { 'silo.test-run': run } });
  });
  afterAll(async () => {
    await g?.close({ stopInstances: true });
    if (g) removeDataDir(g.dataDir);
    const left = await docker.listContainers({ all: true, filters: { label: [`silo.test-run=${run}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    // The tenant's network and volume outlive its containers: remove them, so that no later run finds its
    // flows, and no run leaves one of dockerd's ~30 bridge address ranges taken.
    await removeTenantResources(docker, [tenant]);
  });

  it('loses none, ends all, runs no task more often than its recorded attempts', async () => {
    const key = await g.tenant(tenant);
    const result = await killWithExecutionsInFlight({
      url: g.url,
      tenant,
      key,
      admin: g.admin,
      kill: async () => {
        const view = await g.admin<{ instance: { ref: string | null } }>(
          'GET',
          `/admin/v1/tenants/${tenant}`,
        );
        expect(view.instance.ref).toBeTruthy();
        await docker.getContainer(view.instance.ref as string).kill();
      },
    });
    figures.record('docker kill', result);
  }, 300_000);
});
