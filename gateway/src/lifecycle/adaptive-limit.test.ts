import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './adaptive-limit.js';

/**
 * A machine with `cores` cores where one start needs `workMs` of CPU: with
 * `c` in flight, each takes workMs × max(1, c / cores). Starts/s is flat past
 * c = cores; latency doubles at c = 2 × cores.
 */
const latency = (c: number, cores: number, workMs: number) => workMs * Math.max(1, c / cores);

describe('AdaptiveLimit', () => {
  it('grows while starts queue and stay fast, and settles near the knee of a CPU-bound machine', () => {
    for (const cores of [2, 8]) {
      const limit = new AdaptiveLimit({ initial: 1, max: 64 });
      const seen: number[] = [];
      for (let i = 0; i < 2_000; i++) {
        limit.observe(latency(limit.current, cores, 150), true);
        seen.push(limit.current);
      }
      const settled = seen.slice(-500);
      expect(Math.min(...settled)).toBeGreaterThanOrEqual(Math.floor(cores * 1.5) - 1);
      expect(Math.max(...settled)).toBeLessThanOrEqual(cores * 2 + 1);
    }
  });

  it('does not grow when nothing waits, cuts by a quarter at most once per window, and keeps its bounds', () => {
    const idle = new AdaptiveLimit({ initial: 3 });
    for (let i = 0; i < 100; i++) idle.observe(100, false);
    expect(idle.current).toBe(3);

    const limit = new AdaptiveLimit({ initial: 8, min: 2, max: 10 });
    limit.observe(100, true);
    for (let i = 0; i < 6; i++) limit.observe(1_000, true);
    expect(limit.current).toBe(8); // a window of 8 samples before the first cut
    limit.observe(1_000, true);
    expect(limit.current).toBe(6);
    for (let i = 0; i < 100; i++) limit.observe(5_000, true);
    expect(limit.current).toBe(2);
    const fast = new AdaptiveLimit({ initial: 9, max: 10 });
    for (let i = 0; i < 500; i++) fast.observe(100, true);
    expect(fast.current).toBe(10);
  });

  it('raises its floor only from starts that ran alone', () => {
    const limit = new AdaptiveLimit({ initial: 4 });
    limit.observe(50, true);
    for (let i = 0; i < 400; i++) limit.observe(400, true);
    expect(limit.floorMs).toBe(50);
    expect(limit.current).toBe(1);
    for (let i = 0; i < 60; i++) limit.observe(400, false, true);
    expect(limit.floorMs).toBeGreaterThan(399);
    for (let i = 0; i < 10; i++) limit.observe(400, true);
    expect(limit.current).toBeGreaterThan(1);
  });
});
