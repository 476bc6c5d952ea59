import { describe, expect, it } from 'vitest';
import { InstanceUnavailableError } from '../errors.js';
import { judgeDeath } from './breaker.js';
import { InstanceManager } from './instance-manager.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';

const settings = { crashWindowMs: 60_000, crashLoopAfter: 3 };

describe('judgeDeath', () => {
  it.each([
    { before: { quickDeaths: 0, failures: 0 }, uptime: 500, quickDeaths: 1, tripped: false, failures: 0 },
    { before: { quickDeaths: 1, failures: 0 }, uptime: 59_999, quickDeaths: 2, tripped: false, failures: 0 },
    { before: { quickDeaths: 2, failures: 0 }, uptime: 500, quickDeaths: 3, tripped: true, failures: 0 },
    { before: { quickDeaths: 3, failures: 1 }, uptime: 500, quickDeaths: 4, tripped: true, failures: 1 },
    { before: { quickDeaths: 4, failures: 0 }, uptime: 500, quickDeaths: 5, tripped: true, failures: 2 },
    // A death after a healthy run (uptime at least the window) starts the count again.
    { before: { quickDeaths: 2, failures: 0 }, uptime: 60_000, quickDeaths: 1, tripped: false, failures: 0 },
  ])(
    '$before.quickDeaths quick deaths, then one after $uptime ms → $quickDeaths (tripped: $tripped)',
    (row) => {
      expect(judgeDeath(row.before, row.uptime, settings)).toEqual({
        quickDeaths: row.quickDeaths,
        tripped: row.tripped,
        failures: row.failures,
      });
    },
  );
});

describe('Breaker', () => {
  function setup(overrides: { crashWindowMs?: number; crashLoopAfter?: number } = {}) {
    const clock = new ManualClock();
    const kit = lifecycleKit({ now: clock.now, ...overrides });
    return { ...kit, clock, manager: new InstanceManager(kit.options) };
  }

  async function refusal(manager: InstanceManager): Promise<InstanceUnavailableError> {
    const err = await manager.acquire('acme').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InstanceUnavailableError);
    return err as InstanceUnavailableError;
  }

  it('doubles the back-off on each failed start, on the injected clock, and resets it after a good start', async () => {
    const { driver, clock, manager, registry } = setup();
    driver.failStarts = 3;
    for (const backoff of [1_000, 2_000, 4_000]) {
      await expect(manager.acquire('acme')).rejects.toThrow(/fake start failure/);
      expect(await manager.view('acme')).toMatchObject({
        state: 'failing',
        backoffUntil: new Date(clock.ms + backoff).toISOString(),
      });
      expect((await registry.instances.get('acme')).lastError).toMatch(/start failed: fake start failure/);
      // Still in back-off one millisecond before its end: refused without a start.
      clock.advance(backoff - 1);
      const starts = driver.starts.length;
      expect((await refusal(manager)).retryAfterSeconds).toBe(1);
      expect(driver.starts).toHaveLength(starts);
      clock.advance(1);
    }
    (await manager.acquire('acme')).release();
    expect(await manager.view('acme')).toMatchObject({
      state: 'running',
      lastError: null,
      backoffUntil: null,
    });
    // A failure after the good start begins again at 1 s.
    driver.failStarts = 1;
    await manager.stop('acme');
    await expect(manager.acquire('acme')).rejects.toThrow(/fake start failure/);
    expect((await manager.view('acme')).backoffUntil).toBe(new Date(clock.ms + 1_000).toISOString());
  });

  it('tells a crash loop from a death after a healthy run', async () => {
    const { driver, clock, manager } = setup({ crashWindowMs: 10_000, crashLoopAfter: 2 });
    const crashAfter = async (uptimeMs: number) => {
      (await manager.acquire('acme')).release();
      const ref = (await manager.view('acme')).ref as string;
      clock.advance(uptimeMs);
      driver.crash('acme');
      await manager.noticeExit('acme', ref, 'exit code 1');
    };
    // Each death after a healthy run (uptime at least the window) only stops it, and counts as the first.
    await crashAfter(10_000);
    expect((await manager.view('acme')).state).toBe('stopped');
    await crashAfter(10_000);
    expect((await manager.view('acme')).state).toBe('stopped');
    // The next one within the window is the second in a row: the breaker trips.
    await crashAfter(9_999);
    const view = await manager.view('acme');
    expect(view.state).toBe('failing');
    expect(view.lastError).toMatch(/crash loop: .*2 times in a row within 10 s of starting/);
    expect(view.backoffUntil).toBe(new Date(clock.ms + 1_000).toISOString());
    expect(driver.stops.at(-1)).toBe('acme');
    expect((await refusal(manager)).retryAfterSeconds).toBe(1);
  });
});
