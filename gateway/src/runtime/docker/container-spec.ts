import type { ContainerCreateOptions, NetworkCreateOptions, VolumeCreateOptions } from 'dockerode';
import { SILO_USER } from '../../images/offline-base.js';
import type { StartRequest, TenantLimits } from '../runtime-driver.js';

/**
 * Pure: what Docker is asked to create for one tenant (DESIGN.md, "Runtime
 * drivers"). Every hardening choice lives here, in one place, tested without
 * an engine (`container-spec.test.ts`) and read back from a real one
 * (`test/docker/hardening.test.ts`).
 */

/** Labels on everything Silo creates; `reconcile` and `events` find containers by them. */
export const LABELS = {
  managed: 'silo.managed',
  tenant: 'silo.tenant',
  version: 'silo.version',
} as const;

/** The port the instance listens on inside its container (published on 127.0.0.1 at a random host port). */
export const CONTAINER_PORT = 8081;

export type ContainerSpecConfig = {
  /** Image to run, e.g. `silo-orchestrator:0.1.0`. */
  image: string;
  /** Value of the `silo.version` label. */
  version: string;
  /** Limits for a tenant that sets none (each field separately). */
  defaultLimits: Required<TenantLimits>;
  /** Size of the tmpfs on `/tmp`, MiB. */
  tmpfsMb: number;
  /** Host interface the instance port is published on. Only loopback keeps instances off the network. */
  bindHost: string;
};

/**
 * @default image `silo-orchestrator:<version>` (set by the driver), 512 MiB,
 * 1 CPU, 256 pids, 64 MiB `/tmp`, published on 127.0.0.1.
 */
export const DEFAULT_LIMITS = { memoryMb: 512, cpus: 1, pids: 256 } satisfies Required<TenantLimits>;
export const DEFAULT_TMPFS_MB = 64;

export const containerName = (tenantId: string) => `silo-${tenantId}`;
export const volumeName = (tenantId: string) => `silo-${tenantId}-data`;
export const networkName = (tenantId: string) => `silo-${tenantId}-net`;

function labels(tenantId: string, version: string): Record<string, string> {
  return { [LABELS.managed]: 'true', [LABELS.tenant]: tenantId, [LABELS.version]: version };
}

/** Effective limits: the tenant's where set, else the defaults. */
export function effectiveLimits(limits: TenantLimits | undefined, defaults: Required<TenantLimits>) {
  return {
    memoryMb: limits?.memoryMb ?? defaults.memoryMb,
    cpus: limits?.cpus ?? defaults.cpus,
    pids: limits?.pids ?? defaults.pids,
  };
}

/** One bridge network per tenant, inter-container traffic off. */
export function networkSpec(tenantId: string, version: string): NetworkCreateOptions {
  return {
    Name: networkName(tenantId),
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: labels(tenantId, version),
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
  };
}

export function volumeSpec(tenantId: string, version: string): VolumeCreateOptions {
  return { Name: volumeName(tenantId), Driver: 'local', Labels: labels(tenantId, version) };
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
  const limits = effectiveLimits(request.limits, config.defaultLimits);
  const withSecrets = request.secrets !== undefined;
  const port = `${CONTAINER_PORT}/tcp`;
  const memory = Math.round(limits.memoryMb * 1024 * 1024);
  return {
    name: containerName(tenantId),
    Image: config.image,
    Hostname: tenantId,
    User: `${SILO_USER.uid}:${SILO_USER.gid}`,
    Env: [
      `SILO_TENANT_ID=${tenantId}`,
      `SILO_PORT=${CONTAINER_PORT}`,
      'SILO_HOST=0.0.0.0',
      'SILO_DATA_DIR=/data',
      `SILO_INSTANCE_TOKEN=${request.instanceToken}`,
      `SILO_LOG_LEVEL=${request.logLevel ?? 'info'}`,
      `SILO_SECRETS_FROM=${withSecrets ? 'stdin' : 'none'}`,
    ],
    Labels: labels(tenantId, config.version),
    ExposedPorts: { [port]: {} },
    // stdin only to hand over secrets: attached, written, closed (`StdinOnce`).
    OpenStdin: withSecrets,
    StdinOnce: withSecrets,
    AttachStdin: withSecrets,
    Tty: false,
    HostConfig: {
      // Random host port on loopback only; read back after start.
      PortBindings: { [port]: [{ HostIp: config.bindHost, HostPort: '' }] },
      NetworkMode: networkName(tenantId),
      Mounts: [{ Type: 'volume', Source: volumeName(tenantId), Target: '/data' }],
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
