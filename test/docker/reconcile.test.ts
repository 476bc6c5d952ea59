import { randomBytes } from 'node:crypto';
import { DockerReconciler, ensureOfflineBase } from '@silo/gateway';
import Docker from 'dockerode';
import { afterAll, expect, it, vi } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';

const reason = await dockerUnavailableReason();

describeDocker(reason, 'reconcile on gateway start', () => {
  const docker = new Docker();
  const run = randomBytes(4).toString('hex');
  const scope = `silo.test-run=${run}`;
  afterAll(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [scope] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  /** A stand-in managed container (a sleeping node, cheaper than an instance). */
  async function managed(tenantId: string, start: boolean) {
    const base = await ensureOfflineBase(docker);
    const container = await docker.createContainer({
      Image: base.tag,
      Cmd: ['node', '-e', 'setInterval(() => {}, 1000); process.on("SIGTERM", () => process.exit(0))'],
      Labels: { 'silo.managed': 'true', 'silo.tenant': tenantId, 'silo.test-run': run },
      HostConfig: { NetworkMode: 'none', Init: true },
    });
    if (start) await container.start();
    return container.id;
  }

  it('adopts running known tenants, removes created ones, reports orphans and stops them after the grace', async () => {
    const known = `rc-known-${run}`;
    const stuck = `rc-stuck-${run}`;
    const orphan = `rc-orphan-${run}`;
    const [knownId, stuckId, orphanId] = [
      await managed(known, true),
      await managed(stuck, false),
      await managed(orphan, true),
    ];
    const stopped: string[] = [];
    const reconciler = new DockerReconciler(docker, {
      knownTenants: () => [known, stuck],
      orphanGraceMs: 300,
      stopGraceMs: 2_000,
      labels: [scope],
      onOrphanStopped: (o) => stopped.push(o.tenantId),
    });
    const report = await reconciler.run();
    expect(report.adopted.map((c) => c.containerId)).toEqual([knownId]);
    expect(report.removed.map((c) => c.containerId)).toEqual([stuckId]);
    expect(report.orphans).toMatchObject([{ tenantId: orphan, containerId: orphanId }]);
    expect(report.orphans[0]?.stopAt).toBeInstanceOf(Date);
    await expect(docker.getContainer(stuckId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // Reported at once, still running until the grace period ends; the known one is never touched.
    expect((await docker.getContainer(orphanId).inspect()).State.Running).toBe(true);
    await vi.waitFor(() => expect(stopped).toEqual([orphan]), { timeout: 5_000 });
    expect((await docker.getContainer(orphanId).inspect()).State.Running).toBe(false);
    expect((await docker.getContainer(knownId).inspect()).State.Running).toBe(true);
    reconciler.close();
  });
});
