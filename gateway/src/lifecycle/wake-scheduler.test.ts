import { afterEach, describe, expect, it } from 'vitest';
import { InstanceManager } from './instance-manager.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';
import { WakeScheduler, wakeLeadOf } from './wake-scheduler.js';

describe('WakeScheduler', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  function setup() {
    const clock = new ManualClock();
    const kit = lifecycleKit({ now: clock.now });
    const manager = new InstanceManager(kit.options);
    const wakes = new WakeScheduler({ ...kit.options, manager, leadMs: 500, now: clock.now });
    closers.push(() => wakes.close());
    return { ...kit, clock, manager, wakes };
  }

  it('starts a stopped instance its own lead before the stored wake time, on the injected clock', async () => {
    const { driver, registry, clock, manager, wakes } = setup();
    const lead = wakeLeadOf('acme', 500);
    await registry.wakeTimers.set('acme', new Date(clock.ms + 2_000).toISOString(), 'schedule');
    clock.advance(2_000 - lead - 1);
    await wakes.fire();
    expect(driver.starts).toHaveLength(0);
    clock.advance(1);
    await wakes.fire();
    await expect.poll(() => manager.state('acme'), { timeout: 10_000 }).toBe('running');
    expect(driver.starts).toHaveLength(1);
    expect(await registry.wakeTimers.get('acme')).toBeUndefined();
  });

  it('leaves a running instance to its own timers', async () => {
    const { driver, registry, clock, manager, wakes } = setup();
    (await manager.acquire('beta')).release();
    await registry.wakeTimers.set('beta', new Date(clock.ms).toISOString(), 'pause');
    await wakes.fire();
    expect(driver.starts).toHaveLength(1);
    expect(await registry.wakeTimers.get('beta')).toBeUndefined();
  });

  it('fires a timer once when two gateways share the registry (each takes it before starting)', async () => {
    const first = setup();
    const second = new InstanceManager(first.options);
    const otherWakes = new WakeScheduler({
      ...first.options,
      manager: second,
      leadMs: 500,
      now: first.clock.now,
    });
    closers.push(() => otherWakes.close());
    await first.registry.wakeTimers.set('gamma', new Date(first.clock.ms).toISOString(), 'sleep');
    await Promise.all([first.wakes.fire(), otherWakes.fire()]);
    await expect.poll(() => first.driver.starts.length, { timeout: 10_000 }).toBe(1);
    expect(await first.registry.wakeTimers.get('gamma')).toBeUndefined();
  });

  it('spreads tenants due at the same instant over [lead, 2 × lead), each at its own fixed lead', () => {
    const leads = Array.from({ length: 200 }, (_, i) => wakeLeadOf(`tenant-${i}`, 2_000));
    expect(Math.min(...leads)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...leads)).toBeLessThan(4_000);
    // 200 tenants due at :00 start in 20 windows of 100 ms: none holds more than a quarter of them.
    const windows = new Map<number, number>();
    for (const lead of leads)
      windows.set(Math.floor(lead / 100), (windows.get(Math.floor(lead / 100)) ?? 0) + 1);
    expect(windows.size).toBeGreaterThanOrEqual(15);
    expect(Math.max(...windows.values())).toBeLessThan(50);
    expect(wakeLeadOf('tenant-7', 2_000)).toBe(leads[7]);
  });
});
