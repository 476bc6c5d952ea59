import { describe, expect, it } from 'vitest';
import { resolveLifecycleOptions } from './lifecycle-options.js';
import { waitReady } from './readiness.js';
import { lifecycleKit } from './testing/lifecycle-kit.js';

const endpoint = { url: 'http://127.0.0.1:1', host: '127.0.0.1', port: 1 };

function setup(overrides: { startTimeoutMs?: number; readyAttemptMs?: number } = {}) {
  const kit = lifecycleKit({ readyPollMs: 1, ...overrides });
  return { ...kit, settings: resolveLifecycleOptions(kit.options) };
}

describe('waitReady', () => {
  it('returns as soon as the probe says ready', async () => {
    const { driver, probe, settings } = setup();
    // A running instance (else the liveness check between polls rightly gives up early).
    await driver.start({ tenantId: 'acme', instanceToken: 't', limits: {}, secrets: {}, logLevel: 'info' });
    probe.readyAfter = Date.now() + 30;
    const t0 = Date.now();
    await waitReady(settings, 'acme', endpoint, 't', settings.now() + 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    // Far below the deadline (bounds are loose: the test machine may be loaded).
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('gives up early, with the exit code, when the instance exited while starting', async () => {
    const { probe, settings } = setup();
    probe.readyAfter = Number.POSITIVE_INFINITY;
    // The fake driver runs nothing for acme: inspect says stopped, exit code 1.
    await expect(waitReady(settings, 'acme', endpoint, 't', settings.now() + 5_000)).rejects.toThrow(
      'instance exited before it was ready (exit code 1)',
    );
  });

  it('fails at the deadline when a running instance never gets ready', async () => {
    const { driver, probe, settings } = setup({ startTimeoutMs: 80 });
    await driver.start({ tenantId: 'acme', instanceToken: 't', limits: {}, secrets: {}, logLevel: 'info' });
    probe.readyAfter = Number.POSITIVE_INFINITY;
    const t0 = Date.now();
    await expect(waitReady(settings, 'acme', endpoint, 't', settings.now() + 80)).rejects.toThrow(
      'not ready within 80 ms (SILO_START_TIMEOUT)',
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('bounds an attempt whose probe never settles by readyAttemptMs', async () => {
    const { probe, settings } = setup({ readyAttemptMs: 50 });
    let calls = 0;
    probe.ready = () => (++calls === 1 ? new Promise<boolean>(() => undefined) : Promise.resolve(true));
    const t0 = Date.now();
    // Unbounded, the hung attempt would last until the deadline (10 s).
    await waitReady(settings, 'acme', endpoint, 't', settings.now() + 10_000);
    expect(calls).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
