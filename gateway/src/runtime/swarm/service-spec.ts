import type { NetworkCreateOptions, ServiceSpec } from 'dockerode';
import { SILO_USER } from '../../images/offline-base.js';
import {
  CONTAINER_PORT,
  type ContainerSpecConfig,
  effectiveLimits,
  instanceEnv,
} from '../docker/container-spec.js';
import { containerName, LABELS, networkName, scopedLabels, volumeName } from '../docker/scope.js';
import type { StartRequest } from '../runtime-driver.js';

/**
 * Pure: what Swarm is asked to create for one tenant, the swarm twin of
 * `docker/container-spec.ts` (same names, labels, user, limits, read-only
 * root, no socket). What the engine's API 1.41 (Docker 20.10) cannot say for
 * a service, and what is done instead, is listed in README ("Swarm").
 */

/** Label on services, their containers, networks and secrets: which runtime made them. */
export const RUNTIME_LABEL = LABELS.runtime;
/** Label of a service: the node id its data volume lives on (the placement constraint's value). */
export const NODE_LABEL = 'silo.node';
/** Where a start's secrets are mounted (a tmpfs the engine fills from the swarm secret). */
export const SECRETS_FILE = '/run/secrets/silo-secrets';

export type ServiceSpecInput = {
  request: StartRequest;
  config: ContainerSpecConfig;
  /** The image's own command (entrypoint + cmd): wrapped when secrets come from a file. */
  command: readonly string[];
  /** Swarm node id the service is pinned to (its volume lives there). */
  nodeId: string;
  /** The swarm secret of this start (`secretName`), when there are secrets. */
  secret?: { id: string; name: string };
  /** Extra labels (tests tag their run). */
  labels?: Record<string, string>;
  /** Grace between SIGTERM and SIGKILL when the engine stops the task itself. */
  stopGraceMs: number;
  /** Replicas: 1 to run, 0 to stop. */
  replicas: 0 | 1;
  /** Bumped on every start so that a start always makes a fresh task. */
  forceUpdate: number;
};

/** Labels of everything this runtime creates for a tenant. */
export function swarmLabels(
  tenantId: string,
  version: string,
  scope: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...scopedLabels(tenantId, version, scope), [RUNTIME_LABEL]: 'swarm', ...extra };
}

/** Name of the swarm secret of one start: `silo-<id>-secrets-<nonce>` (`silo-<scope>_<id>…` in a scope). */
export const secretName = (tenantId: string, scope: string, nonce: string) =>
  `${containerName(tenantId, scope)}-secrets-${nonce}`;

/**
 * One node-local bridge network per tenant, made usable by services
 * (`Scope: swarm`), inter-container traffic off: the gateway on the same node
 * reaches the task's address on it; nothing is published on any interface.
 */
export function swarmNetworkSpec(
  tenantId: string,
  version: string,
  scope: string,
  extra: Record<string, string> = {},
): NetworkCreateOptions {
  return {
    Name: networkName(tenantId, scope),
    Driver: 'bridge',
    Scope: 'swarm',
    CheckDuplicate: true,
    Labels: swarmLabels(tenantId, version, scope, extra),
    Options: { 'com.docker.network.bridge.enable_icc': 'false' },
  };
}

/**
 * The tenant's service. One per tenant, kept across stops (replicas 0) so
 * that its placement and volume stay; each start updates it with the new
 * instance token (and secret), which makes a new task.
 *
 * @example
 * await docker.createService(serviceSpec({ request, config, command, nodeId, stopGraceMs: 10_000, replicas: 1, forceUpdate: 1 }));
 */
export function serviceSpec(input: ServiceSpecInput): ServiceSpec {
  const { request, config } = input;
  const { tenantId } = request;
  const { scope } = config;
  const limits = effectiveLimits(request.limits, config.defaultLimits);
  const labels = swarmLabels(tenantId, config.version, scope, input.labels);
  const { uid, gid } = SILO_USER;
  return {
    Name: containerName(tenantId, scope),
    Labels: { ...labels, [NODE_LABEL]: input.nodeId },
    TaskTemplate: {
      ContainerSpec: {
        Image: config.image,
        Labels: labels,
        // The instance reads secrets on stdin (`SILO_SECRETS_FROM=stdin`): a shell hands it the mounted file.
        ...(input.secret
          ? { Command: ['/bin/sh', '-c', `exec "$0" "$@" < ${SECRETS_FILE}`, ...input.command] }
          : {}),
        Hostname: tenantId,
        User: `${uid}:${gid}`,
        Env: instanceEnv(request, input.secret ? 'stdin' : 'none'),
        ReadOnly: true,
        Init: true,
        CapabilityDrop: ['ALL'],
        // The gateway's lifecycle judges health and restarts, not the engine (as with `RestartPolicy: no`).
        HealthCheck: { Test: ['NONE'] },
        StopSignal: 'SIGTERM',
        StopGracePeriod: Math.round(input.stopGraceMs * 1e6),
        Mounts: [
          {
            Type: 'volume',
            Source: volumeName(tenantId, scope),
            Target: '/data',
            VolumeOptions: {
              NoCopy: false,
              Labels: swarmLabels(tenantId, config.version, scope, input.labels),
              DriverConfig: { Name: 'local', Options: {} },
            },
          },
          {
            Type: 'tmpfs',
            Source: '',
            Target: '/tmp',
            TmpfsOptions: { SizeBytes: config.tmpfsMb * 1024 * 1024, Mode: 0o1777 },
          },
        ],
        Secrets: input.secret
          ? [
              {
                SecretID: input.secret.id,
                SecretName: input.secret.name,
                File: { Name: 'silo-secrets', UID: String(uid), GID: String(gid), Mode: 0o400 },
              },
            ]
          : [],
      },
      Resources: {
        Limits: {
          NanoCPUs: Math.round(limits.cpus * 1e9),
          MemoryBytes: Math.round(limits.memoryMb * 1024 * 1024),
          Pids: limits.pids,
        },
      },
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: [`node.id==${input.nodeId}`] },
      Networks: [{ Target: networkName(tenantId, scope) }],
      LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '3' } },
      ForceUpdate: input.forceUpdate,
    },
    Mode: { Replicated: { Replicas: input.replicas } },
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'continue' },
    // No published port, no virtual IP: the task's own address on its node-local network.
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** The port the instance listens on inside its task (the same as the Docker runtime's). */
export const TASK_PORT = CONTAINER_PORT;
