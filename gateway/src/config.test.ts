import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseSize } from './config.js';

describe('loadGatewayConfig', () => {
  it('applies the DESIGN.md defaults', () => {
    expect(loadGatewayConfig({})).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '.silo',
      runtime: 'auto',
      adminToken: undefined,
      idleTimeoutMs: 300_000,
      startTimeoutMs: 30_000,
      maxRunning: 100,
      holdMax: 1000,
    });
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
