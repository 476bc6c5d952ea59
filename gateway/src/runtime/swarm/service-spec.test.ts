import type { ContainerTaskSpec } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { type ContainerSpecConfig, DEFAULT_LIMITS } from '../docker/container-spec.js';
import { SECRETS_FILE, secretName, serviceSpec, swarmNetworkSpec } from './service-spec.js';

const config: ContainerSpecConfig = {
  image: 'silo-orchestrator:1.2.3',
  version: '1.2.3',
  scope: 'blue',
  defaultLimits: DEFAULT_LIMITS,
  tmpfsMb: 64,
  bindHost: '127.0.0.1',
};
const token = 'x'.repeat(32);
const base = {
  config,
  command: ['node', '/app/entry.mjs'],
  nodeId: 'node-1',
  stopGraceMs: 10_000,
  replicas: 1 as const,
  forceUpdate: 3,
};

describe('serviceSpec', () => {
  const spec = serviceSpec({ ...base, request: { tenantId: 'acme', instanceToken: token } });
  const task = spec.TaskTemplate as ContainerTaskSpec;
  const container = task.ContainerSpec!;

  it('names and labels the service and its containers as the Docker runtime does, plus the runtime and node', () => {
    expect(spec.Name).toBe('silo-blue_acme');
    expect(container.Labels).toEqual({
      'silo.managed': 'true',
      'silo.tenant': 'acme',
      'silo.version': '1.2.3',
      'silo.scope': 'blue',
      'silo.runtime': 'swarm',
    });
    expect(spec.Labels).toMatchObject({ 'silo.node': 'node-1', 'silo.runtime': 'swarm' });
  });

  it('hardens the task: user 10001, no capabilities, read-only root, limits, no restart by the engine', () => {
    expect(container.User).toBe('10001:10001');
    expect(container.CapabilityDrop).toEqual(['ALL']);
    expect(container.ReadOnly).toBe(true);
    expect(container.Init).toBe(true);
    expect(task.Resources?.Limits).toEqual({ NanoCPUs: 1e9, MemoryBytes: 512 * 1024 * 1024, Pids: 256 });
    expect(task.RestartPolicy).toEqual({ Condition: 'none' });
    expect(container.StopGracePeriod).toBe(10_000 * 1e6);
    // Only the volume and /tmp: never the engine's socket nor a host folder.
    expect(container.Mounts?.map((m) => [m.Type, m.Target])).toEqual([
      ['volume', '/data'],
      ['tmpfs', '/tmp'],
    ]);
    expect(container.Mounts?.[0]?.Source).toBe('silo-blue_acme-data');
  });

  it('pins the service to the node of its volume, publishes nothing, and runs replicas 0 or 1', () => {
    expect(task.Placement?.Constraints).toEqual(['node.id==node-1']);
    expect(task.Networks).toEqual([{ Target: 'silo-blue_acme-net' }]);
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(task.ForceUpdate).toBe(3);
    expect(
      serviceSpec({ ...base, replicas: 0, request: { tenantId: 'acme', instanceToken: token } }).Mode,
    ).toEqual({
      Replicated: { Replicas: 0 },
    });
  });

  it('puts the token in the environment and no secret anywhere without secrets', () => {
    expect(container.Env).toContain(`SILO_INSTANCE_TOKEN=${token}`);
    expect(container.Env).toContain('SILO_SECRETS_FROM=none');
    expect(container.Secrets).toEqual([]);
    expect(container.Command).toBeUndefined();
  });

  it('with a secret: mounts it readable by the instance user only and feeds the file to stdin', () => {
    const withSecret = serviceSpec({
      ...base,
      request: { tenantId: 'acme', instanceToken: token, secrets: { K: 'v' } },
      secret: { id: 'sec-id', name: secretName('acme', 'blue', 'n1') },
    });
    const c = (withSecret.TaskTemplate as ContainerTaskSpec).ContainerSpec!;
    expect(c.Secrets).toEqual([
      {
        SecretID: 'sec-id',
        SecretName: 'silo-blue_acme-secrets-n1',
        File: { Name: 'silo-secrets', UID: '10001', GID: '10001', Mode: 0o400 },
      },
    ]);
    expect(c.Command).toEqual([
      '/bin/sh',
      '-c',
      `exec "$0" "$@" < ${SECRETS_FILE}`,
      'node',
      '/app/entry.mjs',
    ]);
    expect(c.Env).toContain('SILO_SECRETS_FROM=stdin');
    expect(JSON.stringify(withSecret)).not.toContain('"v"');
  });

  it('uses the tenant limits where set', () => {
    const limited = serviceSpec({
      ...base,
      request: { tenantId: 'acme', instanceToken: token, limits: { memoryMb: 128, cpus: 0.25 } },
    });
    expect((limited.TaskTemplate as ContainerTaskSpec).Resources?.Limits).toEqual({
      NanoCPUs: 0.25e9,
      MemoryBytes: 128 * 1024 * 1024,
      Pids: 256,
    });
  });
});

describe('swarmNetworkSpec', () => {
  it('is a node-local bridge usable by services, inter-container traffic off', () => {
    const net = swarmNetworkSpec('acme', '1.2.3', 'default');
    expect(net).toMatchObject({
      Name: 'silo-acme-net',
      Driver: 'bridge',
      Scope: 'swarm',
      Options: { 'com.docker.network.bridge.enable_icc': 'false' },
    });
  });
});
