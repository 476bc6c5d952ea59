import Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ThawerOptions } from './docker/thawer.js';
import { ProcessDriver } from './process/process-driver.js';
import type { RuntimeDriver } from './runtime-driver.js';

/** Options of the Docker driver the composition root sets (see `DockerDriverOptions`). */
export type DockerRuntimeOptions = {
  onProgress?: (line: string) => void;
  /** `SILO_SCOPE` (`docker/scope.ts`). */
  scope?: string;
  /** Bound on the instance answering `/healthz` once its container runs (the gateway passes SILO_START_TIMEOUT). */
  aliveTimeoutMs?: number;
  orphanGraceMs?: number;
  /** `SILO_DOCKER_THAW` and where its fallback is logged (`docker/thawer.ts`). */
  thaw?: ThawerOptions;
  onOrphanStopped?: (tenantId: string, containerId: string) => void;
};

type DockerDriverModule = {
  DockerDriver?: new (options: DockerRuntimeOptions) => RuntimeDriver;
};
type SwarmDriverModule = {
  SwarmDriver?: new (options: DockerRuntimeOptions) => RuntimeDriver;
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
 * Picks the runtime for `SILO_RUNTIME`: `process`, `docker`, `swarm` (the
 * engine must be a swarm manager), or `auto` (docker when an engine answers a
 * ping, else process; never swarm) and says why, for the log.
 *
 * @example
 * const { driver, reason } = await selectRuntime('auto', { dataDir: '.silo', logger });
 */
export async function selectRuntime(
  runtime: 'process' | 'docker' | 'swarm' | 'auto',
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
  if (runtime === 'swarm') return swarmRuntime(problem, options);
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
  const { logger } = options;
  const driver = new mod.DockerDriver({
    ...options.docker,
    thaw: {
      ...options.docker?.thaw,
      onFallback: (why) => logger.warn({ why }, "docker resume: the engine's unpause (no fast thaw)"),
      onReconcileError: (container, err) =>
        logger.warn({ err, container }, 'docker unpause reconcile failed'),
      onReconciled: (container, frozenMs) =>
        logger.debug({ container, frozenMs: Math.round(frozenMs) }, 'docker unpause reconciled'),
    },
    onProgress: (line) => logger.info({ image: true }, line),
  });
  return { driver, reason: `SILO_RUNTIME=${runtime} and a Docker engine answers` };
}

/** The Swarm driver, or a message naming what is missing: an engine, a swarm, a manager. */
async function swarmRuntime(
  problem: string | undefined,
  options: { logger: Logger; docker?: Omit<DockerRuntimeOptions, 'onProgress'> },
): Promise<{ driver: RuntimeDriver; reason: string }> {
  if (problem !== undefined) throw new Error(`SILO_RUNTIME=swarm but ${problem}`);
  const swarm = (
    (await new Docker().info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } }
  ).Swarm;
  if (swarm?.LocalNodeState !== 'active' || swarm.ControlAvailable !== true) {
    throw new Error(
      `SILO_RUNTIME=swarm but this engine is ${swarm?.LocalNodeState === 'active' ? 'a swarm worker, not a manager' : `not in a swarm (state ${swarm?.LocalNodeState ?? 'unknown'})`}: run the gateway against a manager (docker swarm init, README "Swarm")`,
    );
  }
  const specifier = './swarm/swarm-driver.js';
  const mod = (await import(specifier).catch(() => ({}))) as SwarmDriverModule;
  if (mod.SwarmDriver === undefined) throw new Error('SILO_RUNTIME=swarm but the swarm driver is not built');
  const driver = new mod.SwarmDriver({
    ...options.docker,
    onProgress: (line) => options.logger.info({ image: true }, line),
  });
  return { driver, reason: 'SILO_RUNTIME=swarm and this engine is a swarm manager' };
}
