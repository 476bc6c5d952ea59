import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectRuntime } from './select-runtime.js';

describe('selectRuntime', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses SILO_RUNTIME=swarm without an engine, saying so', async () => {
    // An engine socket that cannot exist: nothing answers.
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/silo-test/docker.sock');
    await expect(selectRuntime('swarm', { dataDir: '.', logger: pino({ level: 'silent' }) })).rejects.toThrow(
      /^SILO_RUNTIME=swarm but no Docker engine answers/,
    );
  });

  it('never falls back to child processes for swarm, as auto does', async () => {
    vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/silo-test/docker.sock');
    const auto = await selectRuntime('auto', { dataDir: '.', logger: pino({ level: 'silent' }) });
    expect(auto.driver.name).toBe('process');
    expect(auto.reason).toMatch(/SILO_RUNTIME=auto and no Docker engine answers/);
  });
});
