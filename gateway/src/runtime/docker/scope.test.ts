import { describe, expect, it } from 'vitest';
import { containerSpec, DEFAULT_LIMITS, networkSpec, volumeSpec } from './container-spec.js';
import { checkScope, containerName, networkName, ownedBy, scopeFilters, volumeName } from './scope.js';

describe('SILO_SCOPE names and labels', () => {
  it('keeps the names of an install made before scopes in the default scope', () => {
    expect([containerName('acme'), volumeName('acme'), networkName('acme')]).toEqual([
      'silo-acme',
      'silo-acme-data',
      'silo-acme-net',
    ]);
    expect(containerName('acme', 'default')).toBe('silo-acme');
  });

  it('puts any other scope in every name, with a separator no tenant id or scope contains', () => {
    expect([containerName('acme', 'blue'), volumeName('acme', 'blue'), networkName('acme', 'blue')]).toEqual([
      'silo-blue_acme',
      'silo-blue_acme-data',
      'silo-blue_acme-net',
    ]);
    // Scope "a" + tenant "b-c" and the default scope's tenant "a-b-c" must not meet.
    expect(containerName('b-c', 'a')).not.toBe(containerName('a-b-c'));
    expect(containerName('b-c', 'a')).not.toBe(containerName('c', 'a-b'));
  });

  it('labels container, volume and network with the scope', () => {
    const config = {
      image: 'x:1',
      version: '1',
      scope: 'blue',
      defaultLimits: DEFAULT_LIMITS,
      tmpfsMb: 64,
      bindHost: '127.0.0.1',
    };
    const spec = containerSpec({ tenantId: 'acme', instanceToken: 't'.repeat(32) }, config);
    expect(spec.name).toBe('silo-blue_acme');
    expect(spec.Labels?.['silo.scope']).toBe('blue');
    expect(spec.HostConfig?.NetworkMode).toBe('silo-blue_acme-net');
    expect(spec.HostConfig?.Mounts).toEqual([
      { Type: 'volume', Source: 'silo-blue_acme-data', Target: '/data' },
    ]);
    expect(networkSpec('acme', '1', 'blue')).toMatchObject({
      Name: 'silo-blue_acme-net',
      Labels: { 'silo.scope': 'blue' },
    });
    expect(volumeSpec('acme', '1', 'blue')).toMatchObject({
      Name: 'silo-blue_acme-data',
      Labels: { 'silo.scope': 'blue' },
    });
  });

  it('owns only its scope; a managed container without a scope label is the default scope’s', () => {
    const legacy = { 'silo.managed': 'true', 'silo.tenant': 'acme' };
    const blue = { ...legacy, 'silo.scope': 'blue' };
    expect(ownedBy(legacy, 'default')).toBe(true);
    expect(ownedBy(legacy, 'blue')).toBe(false);
    expect(ownedBy(blue, 'blue')).toBe(true);
    expect(ownedBy(blue, 'default')).toBe(false);
    expect(ownedBy({ 'silo.tenant': 'acme' }, 'default')).toBe(false);
    expect(ownedBy({ ...blue, run: '1' }, 'blue', { run: '1' })).toBe(true);
    expect(ownedBy(blue, 'blue', { run: '1' })).toBe(false);
    expect(scopeFilters('default')).toEqual([]);
    expect(scopeFilters('blue', { run: '1' })).toEqual(['silo.scope=blue', 'run=1']);
  });

  it('refuses a scope that cannot be part of a Docker name, naming the setting', () => {
    expect(checkScope('ci-42')).toBe('ci-42');
    for (const bad of ['', 'Blue', 'a_b', '-a', 'a-', 'x'.repeat(33), 'a.b']) {
      expect(() => checkScope(bad)).toThrow(/SILO_SCOPE/);
    }
  });
});
