import { describe, expect, it } from 'vitest';
import { isFinal, isRunning, latestTask, pickNode, type SwarmTask, tokenOf } from './task-status.js';

const task = (id: string, createdAt: string, state: string, version = 1): SwarmTask => ({
  ID: id,
  CreatedAt: createdAt,
  DesiredState: state === 'running' ? 'running' : 'shutdown',
  Version: { Index: version },
  Status: { State: state },
  Spec: { ContainerSpec: { Env: ['A=1', `SILO_INSTANCE_TOKEN=tok-${id}`] } },
});

describe('task readings', () => {
  it('takes the task created last, not the one with the newest version', () => {
    const old = task('old', '2026-11-30T06:54:26.1Z', 'shutdown', 40);
    const fresh = task('new', '2026-11-30T06:54:27.25Z', 'running', 30);
    expect(latestTask([fresh, old])?.ID).toBe('new');
    expect(latestTask([])).toBeUndefined();
  });

  it('tells running, final and the token apart', () => {
    expect(isRunning(task('a', '', 'running'))).toBe(true);
    expect(isRunning(task('a', '', 'starting'))).toBe(false);
    expect(isFinal(task('a', '', 'failed'))).toBe(true);
    expect(isFinal(task('a', '', 'pending'))).toBe(false);
    expect(tokenOf(task('a', '', 'running'))).toBe('tok-a');
  });
});

describe('pickNode', () => {
  const node = (id: string, state = 'ready', availability = 'active') => ({
    ID: id,
    Status: { State: state },
    Spec: { Availability: availability },
  });

  it('places a new tenant on the ready, active node with the fewest tenants', () => {
    expect(pickNode([node('a'), node('b'), node('c', 'down')], { a: 3, b: 1 })).toBe('b');
    expect(pickNode([node('a'), node('b', 'ready', 'drain')], { a: 5 })).toBe('a');
  });

  it('prefers the gateway node on a tie, and finds none when no node is usable', () => {
    expect(pickNode([node('a'), node('b')], {}, 'b')).toBe('b');
    expect(pickNode([node('a'), node('b')], {})).toBe('a');
    expect(pickNode([node('a', 'down')], {})).toBeUndefined();
  });
});
