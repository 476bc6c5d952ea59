import { afterEach, describe, expect, it } from 'vitest';
import { InstanceManager } from './instance-manager.js';
import { lifecycleKit, ManualClock } from './testing/lifecycle-kit.js';
import { WakeScheduler } from './wake-scheduler.js';

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

  it('starts a stopped instance its lead before the stored wake time, on the injected clock', async () => {
    const { driver, registry, clock, manager, wakes } = setup();
    registry.updateInstanceInfo('acme', {
      nextWakeAt: new Date(clock.ms + 1_000).toISOString(),
      nextWakeReason: 'schedule',
    });
    clock.advance(499);
    wakes.fire();
    expect(driver.starts).toHaveLength(0);
    clock.advance(1);
    wakes.fire();
    await expect.poll(() => manager.view('acme').state, { timeout: 10_000 }).toBe('running');
    expect(driver.starts).toHaveLength(1);
    expect(registry.instanceInfo('acme')).toMatchObject({ nextWakeAt: null, nextWakeReason: null });
  });

  it('leaves a running instance to its own timers', async () => {
    const { driver, registry, clock, manager, wakes } = setup();
    (await manager.acquire('beta')).release();
    registry.updateInstanceInfo('beta', {
      nextWakeAt: new Date(clock.ms).toISOString(),
      nextWakeReason: 'pause',
    });
    wakes.fire();
    expect(driver.starts).toHaveLength(1);
    expect(registry.instanceInfo('beta').nextWakeAt).toBeNull();
  });
});
