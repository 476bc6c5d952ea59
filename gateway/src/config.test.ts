import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { GatewayEnvSchema, loadGatewayConfig, parseSize, SETTINGS } from './config.js';

describe('loadGatewayConfig', () => {
  it('applies the DESIGN.md defaults', () => {
    expect(loadGatewayConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '.silo',
      runtime: 'auto',
      scope: 'default',
      dockerThaw: 'auto',
      adminToken: undefined,
      idleTimeoutMs: 300_000,
      pauseAfterMs: 30_000,
      startTimeoutMs: 30_000,
      wakeLeadMs: 2_000,
      maxRunning: 100,
      startConcurrency: 'auto',
      holdMax: 1000,
      storageMb: 1024,
      bodyLimitBytes: 100 * 1024 ** 2,
      logLevel: 'info',
      demo: true,
      stopInstancesOnExit: false,
      metricsToken: undefined,
      metricsPerTenant: false,
      backupDir: undefined,
      backupEvery: undefined,
      backupKeep: 7,
      allowUnisolated: false,
      registry: undefined,
      gatewayId: `${hostname()}:8080`,
    });
    expect(loadGatewayConfig({ SILO_ALLOW_UNISOLATED: '1' }).allowUnisolated).toBe(true);
    expect(loadGatewayConfig({ SILO_PAUSE_AFTER: 'off' }).pauseAfterMs).toBe(0);
    expect(loadGatewayConfig({ SILO_PAUSE_AFTER: '250ms' }).pauseAfterMs).toBe(250);
    expect(() => loadGatewayConfig({ SILO_PAUSE_AFTER: 'soon' })).toThrow(/SILO_PAUSE_AFTER/);
    expect(() => loadGatewayConfig({ SILO_START_CONCURRENCY: 'many' })).toThrow(/SILO_START_CONCURRENCY/);
    expect(loadGatewayConfig({ SILO_START_CONCURRENCY: '8' }).startConcurrency).toBe(8);
    expect(loadGatewayConfig({ SILO_DOCKER_THAW: 'api' }).dockerThaw).toBe('api');
    expect(() => loadGatewayConfig({ SILO_DOCKER_THAW: 'fast' })).toThrow(/SILO_DOCKER_THAW/);
    expect(() => loadGatewayConfig({ SILO_ALLOW_UNISOLATED: 'maybe' })).toThrow(/SILO_ALLOW_UNISOLATED/);
  });

  it('reads durations and lets flags override the environment', () => {
    const config = loadGatewayConfig(
      { SILO_IDLE_TIMEOUT: '250ms', SILO_PORT: '9000' },
      { SILO_PORT: '9001', SILO_START_TIMEOUT: '1h' },
    );
    expect(config).toMatchObject({ idleTimeoutMs: 250, port: 9001, startTimeoutMs: 3_600_000 });
  });

  it('names every wrong variable', () => {
    expect(() => loadGatewayConfig({ SILO_RUNTIME: 'k8s', SILO_IDLE_TIMEOUT: 'soon' })).toThrow(
      /SILO_RUNTIME[\s\S]*SILO_IDLE_TIMEOUT|SILO_IDLE_TIMEOUT[\s\S]*SILO_RUNTIME/,
    );
    expect(() => loadGatewayConfig({ SILO_IDLE_TIMEOUT: '0s' })).toThrow(
      /SILO_IDLE_TIMEOUT: must be greater than 0/,
    );
    expect(() => loadGatewayConfig({ SILO_METRICS_TOKEN: 'short' })).toThrow(
      /SILO_METRICS_TOKEN: must be at least 16 characters/,
    );
  });

  it('reads SILO_DEMO and the other on/off settings', () => {
    expect(loadGatewayConfig({ SILO_DEMO: '0' }).demo).toBe(false);
    expect(loadGatewayConfig({ SILO_DEMO: 'false' }).demo).toBe(false);
    expect(loadGatewayConfig({ SILO_DEMO: '1' }).demo).toBe(true);
    expect(loadGatewayConfig({ SILO_DEMO: '1' }, { SILO_DEMO: '0' }).demo).toBe(false);
    expect(loadGatewayConfig({ SILO_METRICS_PER_TENANT: 'YES' }).metricsPerTenant).toBe(true);
    expect(() => loadGatewayConfig({ SILO_DEMO: 'maybe' })).toThrow(/SILO_DEMO: must be 1 or 0/);
  });

  it('derives the schema from the one table of settings', () => {
    const names = Object.values(SETTINGS).map((s) => s.env);
    expect(Object.keys(GatewayEnvSchema.shape).sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('accepts SILO_RUNTIME=swarm', () => {
    expect(loadGatewayConfig({ SILO_RUNTIME: 'swarm' }).runtime).toBe('swarm');
  });

  it('reads SILO_SCOPE (default: default) and refuses one that cannot be part of a Docker name', () => {
    expect(loadGatewayConfig({}).scope).toBe('default');
    expect(loadGatewayConfig({ SILO_SCOPE: 'blue' }).scope).toBe('blue');
    expect(() => loadGatewayConfig({ SILO_SCOPE: 'Blue_1' })).toThrow(/SILO_SCOPE/);
  });

  it('reads SILO_REGISTRY (a postgres:// URL, default SQLite) and SILO_GATEWAY_ID (default host:port)', () => {
    expect(loadGatewayConfig({ SILO_PORT: '9000' })).toMatchObject({
      registry: undefined,
      gatewayId: /:9000$/,
    });
    const fleet = loadGatewayConfig({
      SILO_REGISTRY: 'postgres://silo@db:5432/silo',
      SILO_GATEWAY_ID: 'gw-1',
    });
    expect(fleet).toMatchObject({ registry: 'postgres://silo@db:5432/silo', gatewayId: 'gw-1' });
    expect(() => loadGatewayConfig({ SILO_REGISTRY: 'mysql://db' })).toThrow(
      /SILO_REGISTRY: a postgres:\/\/ URL/,
    );
    expect(() => loadGatewayConfig({ SILO_GATEWAY_ID: 'two words' })).toThrow(/SILO_GATEWAY_ID/);
  });

  it('parses sizes', () => {
    expect(parseSize('1mb')).toBe(1_048_576);
    expect(parseSize('10')).toBe(10);
    expect(() => parseSize('big')).toThrow(/invalid size/);
  });
});
