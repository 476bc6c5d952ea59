import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, DockerDriver, type Gateway, loadGatewayConfig } from '@silo/gateway';
import type Docker from 'dockerode';
import { adminClient, tenantWithKey } from '../helpers/test-gateway.js';

export type DockerGateway = {
  gateway: Gateway;
  url: string;
  dataDir: string;
  /** Calls the admin API; throws on a non-2xx answer. */
  admin: <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;
  /** Creates a tenant (with optional limits) and returns a key of it. */
  tenant: (id: string, limits?: Record<string, number>) => Promise<string>;
  /** Closes the gateway; instances keep running (for adoption) unless `stopInstances`. */
  close: (options?: { stopInstances?: boolean }) => Promise<void>;
};

/**
 * The real gateway (`createGateway`) with the Docker runtime, on a free port
 * of 127.0.0.1, running the image the test run built once (`build: false`:
 * never rebuilt per gateway).
 *
 * @example
 * const g = await startDockerGateway({ image: (await testImage()).tag });
 */
export async function startDockerGateway(options: {
  image: string;
  /** The engine to use. @default new Docker() (DOCKER_HOST or /var/run/docker.sock) */
  docker?: Docker;
  dataDir?: string;
  env?: Record<string, string>;
  drainMs?: number;
  orphanGraceMs?: number;
  /** Labels that scope the driver to this test run (other runs on the engine are not its orphans). */
  labels?: Record<string, string>;
}): Promise<DockerGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'silo-docker-e2e-'));
  const config = loadGatewayConfig({
    SILO_HOST: '127.0.0.1',
    SILO_PORT: '0',
    SILO_DATA_DIR: dataDir,
    SILO_RUNTIME: 'docker',
    SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
    SILO_LOG_LEVEL: process.env.SILO_TEST_LOG ?? 'silent',
    ...options.env,
  });
  const gateway = await createGateway({
    config,
    driver: new DockerDriver({
      ...(options.docker ? { docker: options.docker } : {}),
      image: options.image,
      build: false,
      thaw: { mode: config.dockerThaw },
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.orphanGraceMs !== undefined ? { orphanGraceMs: options.orphanGraceMs } : {}),
    }),
    stopGraceMs: 5_000,
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
  });
  const url = await gateway.listen();
  const admin = adminClient(url, gateway.adminToken);
  return {
    gateway,
    url,
    dataDir,
    admin,
    tenant: (id, limits) => tenantWithKey(admin, id, limits),
    close: (closeOptions = {}) => gateway.close(closeOptions),
  };
}

/** Removes the data folder of a closed gateway. */
export function removeDataDir(dataDir: string): void {
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Removes what the Docker driver made for these tenants in the default scope
 * (container, network, volume), whatever is left of it; never throws.
 */
export async function removeTenantResources(docker: Docker, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await docker
      .getContainer(`silo-${id}`)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getNetwork(`silo-${id}-net`)
      .remove()
      .catch(() => undefined);
    await docker
      .getVolume(`silo-${id}-data`)
      .remove()
      .catch(() => undefined);
  }
}
