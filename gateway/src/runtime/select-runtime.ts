import Docker from 'dockerode';
import type { Logger } from 'pino';
import { ProcessDriver } from './process/process-driver.js';
import type { RuntimeDriver } from './runtime-driver.js';

/** Options of the Docker driver the composition root sets (see `DockerDriverOptions`). */
export type DockerRuntimeOptions = {
  onProgress?: (line: string) => void;
  orphanGraceMs?: number;
  onOrphanStopped?: (tenantId: string, containerId: string) => void;
};

type DockerDriverModule = {
  DockerDriver?: new (options: DockerRuntimeOptions) => RuntimeDriver;
};

/** Why no Docker engine is usable, or undefined when one answers a ping within `timeoutMs`. */
export async function dockerProblem(timeoutMs = 1_500): Promise<string | undefined> {
  const docker = new Docker();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${(err as Error).message.split('\n')[0]})`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Picks the runtime for `SILO_RUNTIME`: `process`, `docker`, or `auto` (docker
 * when an engine answers a ping, else process) and says why, for the log.
 *
 * @example
 * const { driver, reason } = await selectRuntime('auto', { dataDir: '.silo', logger });
 */
export async function selectRuntime(
  runtime: 'process' | 'docker' | 'auto',
  options: {
    dataDir: string;
    logger: Logger;
    processCommand?: readonly string[];
    /** SILO_ALLOW_UNISOLATED: several tenants on a process runtime that cannot sandbox them. @default false */
    allowUnisolated?: boolean;
    /** Reconcile settings of the Docker driver. @default the driver's */
    docker?: Omit<DockerRuntimeOptions, 'onProgress'>;
  },
): Promise<{ driver: RuntimeDriver; reason: string }> {
  const processDriver = async () => {
    const driver = new ProcessDriver({
      dataDir: options.dataDir,
      allowUnisolated: options.allowUnisolated ?? false,
      ...(options.processCommand ? { command: options.processCommand } : {}),
    });
    const isolation = await driver.isolation();
    if (!isolation.ok) {
      options.logger.warn(
        { missing: isolation.missing, allowUnisolated: options.allowUnisolated ?? false },
        `PROCESS RUNTIME WITHOUT ISOLATION: tenants' tasks run as the gateway's user and can read each other's data and the gateway's secrets; missing: ${isolation.missing.join('; ')}. ${
          options.allowUnisolated
            ? 'SILO_ALLOW_UNISOLATED=1: several tenants are allowed anyway.'
            : 'Only one tenant at a time will run (SILO_ALLOW_UNISOLATED=1 to accept more).'
        }`,
      );
    }
    return driver;
  };
  if (runtime === 'process') return { driver: await processDriver(), reason: 'SILO_RUNTIME=process' };
  const problem = await dockerProblem();
  if (problem !== undefined) {
    if (runtime === 'docker') throw new Error(`SILO_RUNTIME=docker but ${problem}`);
    options.logger.warn({ problem }, `SILO_RUNTIME=auto falls back to the process runtime: ${problem}`);
    return {
      driver: await processDriver(),
      reason: `SILO_RUNTIME=auto and ${problem}: using child processes`,
    };
  }
  // Imported by a computed name: the Docker driver is its own component and may be absent from a build.
  const specifier = './docker/docker-driver.js';
  const mod = (await import(specifier).catch(() => ({}))) as DockerDriverModule;
  if (mod.DockerDriver === undefined) {
    if (runtime === 'docker') throw new Error('SILO_RUNTIME=docker but the docker driver is not built');
    options.logger.warn('SILO_RUNTIME=auto falls back to the process runtime: the docker driver is missing');
    return {
      driver: await processDriver(),
      reason: 'SILO_RUNTIME=auto, Docker answers but the docker driver is missing',
    };
  }
  const driver = new mod.DockerDriver({
    ...options.docker,
    onProgress: (line) => options.logger.info({ image: true }, line),
  });
  return { driver, reason: `SILO_RUNTIME=${runtime} and a Docker engine answers` };
}
