import { ensureOrchestratorImage } from '@silo/gateway';
import Docker from 'dockerode';
import { expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';

const reason = await dockerUnavailableReason();

describeDocker(reason, 'the orchestrator image', () => {
  const docker = new Docker();

  it('builds offline (no registry), then is reused by its content hash', async () => {
    const lines: string[] = [];
    const image = await ensureOrchestratorImage(docker, {
      path: 'offline',
      onProgress: (line) => {
        lines.push(line);
        process.stdout.write(`  ${line}\n`);
      },
    });
    expect(image.tag).toMatch(/^silo-orchestrator:\d+\.\d+\.\d+/);
    const again = await ensureOrchestratorImage(docker, { path: 'offline' });
    expect(again).toMatchObject({ id: image.id, built: false, path: 'offline' });
    const info = await docker.getImage(image.tag).inspect();
    expect(info.Config.User).toBe('10001:10001');
    expect(Object.keys(info.Config.Volumes ?? {})).toContain('/data');
    expect(info.Config.Healthcheck?.Test?.[0]).toBe('CMD');
  });
});
