import { describe, expect, it } from 'vitest';
import { StartGate } from './start-gate.js';

describe('StartGate', () => {
  it('never runs more than its limit at once, in arrival order, even as new tasks arrive', async () => {
    const gate = new StartGate(3);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) =>
      gate.run(async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 2 + (i % 3)));
        order.push(i);
        active--;
        return i;
      });
    const first = Array.from({ length: 10 }, (_, i) => task(i));
    await new Promise((r) => setTimeout(r, 3));
    const late = Array.from({ length: 10 }, (_, i) => task(10 + i));
    expect(await Promise.all([...first, ...late])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(order.indexOf(19)).toBeGreaterThan(order.indexOf(9));
    expect(gate.waiting).toBe(0);
  });

  it('frees its place when a task throws; 0 means no bound', async () => {
    const gate = new StartGate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    const open = new StartGate(0);
    let active = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        open.run(async () => {
          most = Math.max(most, ++active);
          await new Promise((r) => setTimeout(r, 2));
          active--;
        }),
      ),
    );
    expect(most).toBe(50);
  });
});
