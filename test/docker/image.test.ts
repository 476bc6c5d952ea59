import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { demuxLogs, ensureOrchestratorImage } from '@silo/gateway';
import Docker from 'dockerode';
import { expect, it } from 'vitest';
import { describeDocker, dockerUnavailableReason } from '../helpers/docker.js';

const reason = await dockerUnavailableReason();
const run = promisify(execFile);

/** Runs `argv` in a throwaway container of `image` (as its own user) and returns what it printed. */
async function output(docker: Docker, image: string, argv: string[]): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: argv,
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    return demuxLogs(await container.logs({ stdout: true, stderr: true })).trim();
  } finally {
    await container.remove({ force: true });
  }
}

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
    // A shell for shell tasks: busybox, its applets on the PATH.
    expect(info.Config.Labels?.['silo.shell']).toMatch(/^busybox-\d/);
    expect(info.Config.Env).toContainEqual(expect.stringMatching(/^PATH=.*:\/bin(:|$)/));
    expect(await output(docker, image.tag, ['sh', '-c', 'echo "$0" | tr a-z A-Z; ls / | grep -c usr'])).toBe(
      'SH\n1',
    );
  });

  it('a derived image tagged like the built one (README: how an operator adds tools) is used, not rebuilt', async () => {
    // Its own tag: the shared `silo-orchestrator:<version>` of other test runs is left alone.
    const tag = 'silo-orchestrator:0.0.0-derived-test';
    const built = await ensureOrchestratorImage(docker, { path: 'offline', version: '0.0.0-derived-test' });
    const dockerfile = [
      `FROM ${tag}`,
      'USER root',
      `RUN printf '#!/bin/sh\\necho tool-ok\\n' > /usr/local/bin/tool && chmod 755 /usr/local/bin/tool`,
      'USER 10001:10001',
    ].join('\n');
    try {
      const child = run('docker', ['build', '-q', '-t', tag, '-'], { timeout: 120_000 });
      child.child.stdin?.end(dockerfile);
      await child;
      const derivedId = (await docker.getImage(tag).inspect()).Id;
      expect(derivedId).not.toBe(built.id);
      const again = await ensureOrchestratorImage(docker, { path: 'offline', version: '0.0.0-derived-test' });
      expect(again).toMatchObject({ id: derivedId, built: false });
      expect(await output(docker, tag, ['tool'])).toBe('tool-ok');
    } finally {
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => undefined);
      await docker
        .getImage(built.id)
        .remove()
        .catch(() => undefined);
    }
  });
});
