import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../servers/baseline-server.mjs', import.meta.url));
export const BASELINE_IMAGE = 'silo-bench-baseline:latest';

/**
 * Makes sure the orchestrator image exists (built by the gateway's own image
 * builder, offline when nothing can be pulled), then builds the baseline image:
 * the do-nothing server on the very base the orchestrator image uses.
 */
export async function prepareDockerImages(dir, log) {
  const Docker = (await import('dockerode')).default;
  const { ensureOrchestratorImage } = await import('@silo/gateway');
  const docker = new Docker();
  // The work tree is shared: a concurrent build can change dist/ while it is archived. Retry then.
  let image;
  for (let attempt = 1; ; attempt++) {
    try {
      image = await ensureOrchestratorImage(docker, { onProgress: (line) => log(`  image: ${line}`) });
      break;
    } catch (err) {
      if (attempt >= 3 || !/changed size|changed while/i.test(err.message)) throw err;
      log(`  image: ${err.message.split('\n')[0]}; retrying (${attempt}/3)`);
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }
  const info = await docker.getImage(image.tag).inspect();
  const base = image.path === 'offline' ? `silo-node-base:${process.versions.node}` : 'node:20-bookworm-slim';
  await docker
    .getImage(base)
    .inspect()
    .catch(() => {
      throw new Error(`the orchestrator image's base ${base} is not present`);
    });
  mkdirSync(dir, { recursive: true });
  copyFileSync(SERVER, join(dir, 'baseline-server.mjs'));
  writeFileSync(
    join(dir, 'Dockerfile'),
    `FROM ${base}
COPY baseline-server.mjs /app/baseline-server.mjs
ENV SILO_HOST=0.0.0.0 SILO_PORT=8081
USER 10001:10001
EXPOSE 8081
LABEL silo.version=bench
CMD ["node", "/app/baseline-server.mjs"]
`,
  );
  execFileSync('docker', ['build', '-q', '-t', BASELINE_IMAGE, dir], {
    timeout: 180_000,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  return {
    orchestrator: image.tag,
    orchestratorSize: info.Size,
    base,
    baseline: BASELINE_IMAGE,
    built: image.built,
    path: image.path,
  };
}

/** The main pid of a tenant's container (docker inspect), or undefined. */
export function containerPid(tenantId) {
  try {
    const pid = Number(
      execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', `silo-${tenantId}`], {
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim(),
    );
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
