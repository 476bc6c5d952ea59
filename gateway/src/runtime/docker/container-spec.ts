import type { ContainerCreateOptions, NetworkCreateOptions, VolumeCreateOptions } from 'dockerode';
import { SILO_USER } from '../../images/offline-base.js';
import type { ResourceLimits, StartRequest, TenantLimits } from '../runtime-driver.js';
import { containerName, LABELS, networkName, scopedLabels, volumeName } from './scope.js';

/**
 * Pure: what Docker is asked to create for one tenant (DESIGN.md, "Runtime
 * drivers"). Every hardening choice lives here, in one place, tested without
 * an engine (`container-spec.test.ts`) and read back from a real one
 * (`test/docker/hardening.test.ts`).
 */

/** The port the instance listens on inside its container (published on 127.0.0.1 at a random host port). */
export const CONTAINER_PORT = 8081;

export type ContainerSpecConfig = {
  /** Image to run, e.g. `silo-orchestrator:0.1.0`. */
  image: string;
  /** Value of the `silo.version` label. */
  version: string;
  /** `SILO_SCOPE`: part of every name and the `silo.scope` label (`scope.ts`). */
  scope: string;
  /** Limits for a tenant that sets none (each field separately). */
  defaultLimits: Required<ResourceLimits>;
  /** Size of the tmpfs on `/tmp`, MiB. */
  tmpfsMb: number;
  /** Host interface the instance port is published on. Only loopback keeps instances off the network. */
  bindHost: string;
};

/**
 * @default image `silo-orchestrator:<version>` (set by the driver), 512 MiB,
 * 1 CPU, 256 pids, 64 MiB `/tmp`, published on 127.0.0.1.
 */
export const DEFAULT_LIMITS = { memoryMb: 512, cpus: 1, pids: 256 } satisfies Required<ResourceLimits>;
export const DEFAULT_TMPFS_MB = 64;

/** Effective limits: the tenant's where set, else the defaults. */
export function effectiveLimits(limits: TenantLimits | undefined, defaults: Required<ResourceLimits>) {
  return {
    memoryMb: limits?.memoryMb ?? defaults.memoryMb,
    cpus: limits?.cpus ?? defaults.cpus,
    pids: limits?.pids ?? defaults.pids,
  };
}

/** One bridge network per tenant, inter-container traffic off. */
export function networkSpec(tenantId: string, version: string, scope?: string): NetworkCreateOptions {
  return {
    Name: networkName(tenantId, scope),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { ...scopedLabels(tenantId, version, scope), [LABELS.runtime]: 'docker' },
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
  };
}

export function volumeSpec(tenantId: string, version: string, scope?: string): VolumeCreateOptions {
  return {
    Name: volumeName(tenantId, scope),
    Driver: 'local',
    Labels: { ...scopedLabels(tenantId, version, scope), [LABELS.runtime]: 'docker' },
  };
}

/** The instance's environment inside a container or a swarm task (listening on `CONTAINER_PORT`, data on `/data`). */
export function instanceEnv(request: StartRequest, secretsFrom: 'stdin' | 'none'): string[] {
  return [
    `SILO_TENANT_ID=${request.tenantId}`,
    `SILO_PORT=${CONTAINER_PORT}`,
    'SILO_HOST=0.0.0.0',
    'SILO_DATA_DIR=/data',
    `SILO_INSTANCE_TOKEN=${request.instanceToken}`,
    `SILO_LOG_LEVEL=${request.logLevel ?? 'info'}`,
    `SILO_SECRETS_FROM=${secretsFrom}`,
    ...(request.limits?.storageMb !== undefined ? [`SILO_STORAGE_MB=${request.limits.storageMb}`] : []),
    ...(request.limits?.maxConcurrentExecutions !== undefined
      ? [`SILO_MAX_CONCURRENT_EXECUTIONS=${request.limits.maxConcurrentExecutions}`]
      : []),
    ...(request.kestraVersion !== undefined ? [`SILO_KESTRA_VERSION=${request.kestraVersion}`] : []),
  ];
}

/**
 * The container of one start. A new container per start: the instance token
 * (an environment variable) changes every time. Secrets are not here: with
 * `secrets`, stdin is opened once and the driver writes them as JSON.
 *
 * @example
 * const spec = containerSpec({ tenantId: 'acme', instanceToken: t }, config);
 * await docker.createContainer(spec);
 */
export function containerSpec(request: StartRequest, config: ContainerSpecConfig): ContainerCreateOptions {
  const { tenantId } = request;
  const { scope } = config;
  const limits = effectiveLimits(request.limits, config.defaultLimits);
  const withSecrets = request.secrets !== undefined;
  const port = `${CONTAINER_PORT}/tcp`;
  const memory = Math.round(limits.memoryMb * 1024 * 1024);
  return {
    name: containerName(tenantId, scope),
    Image: config.image,
    Hostname: tenantId,
    User: `${SILO_USER.uid}:${SILO_USER.gid}`,
    Env: instanceEnv(request, withSecrets ? 'stdin' : 'none'),
    Labels: { ...scopedLabels(tenantId, config.version, scope), [LABELS.runtime]: 'docker' },
    ExposedPorts: { [port]: {} },
    // stdin only to hand over secrets: attached, written, closed (`StdinOnce`).
    OpenStdin: withSecrets,
    StdinOnce: withSecrets,
    AttachStdin: withSecrets,
    Tty: false,
    HostConfig: {
      // Random host port on loopback only; read back after start.
      PortBindings: { [port]: [{ HostIp: config.bindHost, HostPort: '' }] },
      NetworkMode: networkName(tenantId, scope),
      Mounts: [{ Type: 'volume', Source: volumeName(tenantId, scope), Target: '/data' }],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${config.tmpfsMb}m` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      Init: true,
      // The gateway decides restarts (back-off, crash-loop breaker), not the engine.
      RestartPolicy: { Name: 'no' },
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pids,
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } },
    },
  };
}
