import { describe, expect, it } from 'vitest';
import {
  type ContainerSpecConfig,
  containerSpec,
  DEFAULT_LIMITS,
  networkSpec,
  volumeSpec,
} from './container-spec.js';

const config: ContainerSpecConfig = {
  image: 'silo-orchestrator:1.2.3',
  version: '1.2.3',
  scope: 'default',
  defaultLimits: DEFAULT_LIMITS,
  tmpfsMb: 64,
  bindHost: '127.0.0.1',
};
const token = 'x'.repeat(32);

describe('containerSpec', () => {
  const spec = containerSpec({ tenantId: 'acme', instanceToken: token }, config);
  const host = spec.HostConfig!;

  it('names and labels the container after the tenant', () => {
    expect(spec.name).toBe('silo-acme');
    expect(spec.Labels).toEqual({
      'silo.managed': 'true',
      'silo.tenant': 'acme',
      'silo.version': '1.2.3',
      'silo.scope': 'default',
      'silo.runtime': 'docker',
    });
  });

  it('publishes the instance port on 127.0.0.1 only, at a port the engine picks', () => {
    expect(host.PortBindings).toEqual({ '8081/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
  });

  it('hardens: non-root, no capabilities, no new privileges, read-only root, tmpfs /tmp, init, no restart', () => {
    expect(spec.User).toBe('10001:10001');
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.Tmpfs?.['/tmp']).toMatch(/noexec.*size=64m/);
    expect(host.Init).toBe(true);
    expect(host.Privileged).toBe(false);
    expect(host.RestartPolicy).toEqual({ Name: 'no' });
    expect(host.Binds).toBeUndefined();
  });

  it('mounts the tenant volume on /data and joins the tenant network', () => {
    expect(host.Mounts).toEqual([{ Type: 'volume', Source: 'silo-acme-data', Target: '/data' }]);
    expect(host.NetworkMode).toBe('silo-acme-net');
  });

  it('applies default limits, and the tenant’s own where set', () => {
    expect(host.Memory).toBe(512 * 1024 * 1024);
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.NanoCpus).toBe(1e9);
    expect(host.PidsLimit).toBe(256);
    const own = containerSpec(
      { tenantId: 'acme', instanceToken: token, limits: { memoryMb: 128, cpus: 0.5 } },
      config,
    );
    expect(own.HostConfig).toMatchObject({ Memory: 128 * 1024 * 1024, NanoCpus: 5e8, PidsLimit: 256 });
  });

  it('passes settings in the environment and secrets only through stdin', () => {
    expect(spec.Env).toContain('SILO_TENANT_ID=acme');
    expect(spec.Env).toContain(`SILO_INSTANCE_TOKEN=${token}`);
    expect(spec.Env).toContain('SILO_SECRETS_FROM=none');
    expect(spec.OpenStdin).toBe(false);
    const secret = containerSpec(
      { tenantId: 'acme', instanceToken: token, secrets: { API_KEY: 's3cr3t' } },
      config,
    );
    expect(JSON.stringify(secret)).not.toContain('s3cr3t');
    expect(secret).toMatchObject({ OpenStdin: true, StdinOnce: true });
    expect(secret.Env).toContain('SILO_SECRETS_FROM=stdin');
  });

  it('hands the instance its quotas (storage, concurrent executions) in the environment, none when unset', () => {
    const quotas = containerSpec(
      {
        tenantId: 'acme',
        instanceToken: token,
        limits: { storageMb: 100, maxConcurrentExecutions: 3, requestsPerSecond: 50 },
      },
      config,
    );
    expect(quotas.Env).toContain('SILO_STORAGE_MB=100');
    expect(quotas.Env).toContain('SILO_MAX_CONCURRENT_EXECUTIONS=3');
    // requestsPerSecond is the gateway's own: the instance never sees it.
    expect(quotas.Env?.join()).not.toContain('50');
    expect(spec.Env?.join()).not.toContain('SILO_MAX_CONCURRENT_EXECUTIONS');
  });
});

describe('networkSpec and volumeSpec', () => {
  it('gives each tenant a bridge with inter-container traffic off, and a labelled volume', () => {
    expect(networkSpec('acme', '1')).toMatchObject({
      Name: 'silo-acme-net',
      Driver: 'bridge',
      Options: { 'com.docker.network.bridge.enable_icc': 'false' },
      Labels: { 'silo.managed': 'true', 'silo.tenant': 'acme' },
    });
    expect(volumeSpec('acme', '1')).toMatchObject({
      Name: 'silo-acme-data',
      Labels: { 'silo.tenant': 'acme' },
    });
  });
});
