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
      allowUnisolated: false,
    });
    expect(loadGatewayConfig({ SILO_ALLOW_UNISOLATED: '1' }).allowUnisolated).toBe(true);
    expect(() => loadGatewayConfig({ SILO_ALLOW_UNISOLATED: 'yes' })).toThrow(/SILO_ALLOW_UNISOLATED/);
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

  it('parses sizes', () => {
    expect(parseSize('1mb')).toBe(1_048_576);
    expect(parseSize('10')).toBe(10);
    expect(() => parseSize('big')).toThrow(/invalid size/);
  });
});
