import { ensureOfflineBase, SILO_USER } from '@silo/gateway';
import Docker from 'dockerode';
import { expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';

const reason = await dockerUnavailableReason();

describeDocker(reason, 'the Docker engine runs a container from a base image built offline', () => {
  const docker = new Docker();

  it('answers', async () => {
    const version = await docker.version();
    expect(version.ApiVersion).toMatch(/^\d+\.\d+$/);
  });

  it('builds the base from this host’s node, then runs node in it as a non-root user', async () => {
    const base = await ensureOfflineBase(docker, {
      onProgress: (line) => process.stdout.write(`  ${line}\n`),
    });
    expect(base.tag).toBe(`silo-node-base:${process.versions.node}`);

    const again = await ensureOfflineBase(docker);
    expect(again).toMatchObject({ id: base.id, built: false });

    const container = await docker.createContainer({
      Image: base.tag,
      Cmd: ['node', '-e', 'console.log(JSON.stringify({ v: process.version, uid: process.getuid() }))'],
      Labels: { 'silo.test': 'engine' },
      HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true },
    });
    try {
      await container.start();
      const { StatusCode } = await container.wait();
      const output = (await container.logs({ stdout: true, stderr: true, follow: false })).toString('utf8');
      expect(StatusCode, output).toBe(0);
      expect(output).toContain(JSON.stringify({ v: process.version, uid: SILO_USER.uid }));
    } finally {
      await container.remove({ force: true });
    }
  });
});
