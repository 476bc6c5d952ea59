import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it, vi } from 'vitest';
import { type DockerEventMap, DockerEvents } from './events.js';

/** A stand-in engine whose event streams the test writes to and breaks. */
function fakeEngine() {
  const streams: PassThrough[] = [];
  const calls: unknown[] = [];
  let failNext = 0;
  const docker = {
    getEvents: async (opts: unknown) => {
      calls.push(opts);
      if (failNext > 0) {
        failNext--;
        throw new Error('connect ECONNREFUSED /var/run/docker.sock');
      }
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  } as unknown as Docker;
  return { docker, streams, calls, failNextConnects: (n: number) => (failNext = n) };
}

const die = (id: string, tenant: string, exitCode: number, time: number) =>
  `${JSON.stringify({ Type: 'container', Action: 'die', time, timeNano: time * 1e9, Actor: { ID: id, Attributes: { 'silo.tenant': tenant, exitCode: String(exitCode) } } })}\n`;

describe('DockerEvents', () => {
  it('emits instance:died with the exit code, and whether the driver expected it', async () => {
    const engine = fakeEngine();
    const events = new DockerEvents(engine.docker, { expected: (id) => id === 'stopped-by-us' });
    const died: DockerEventMap['instance:died'][] = [];
    events.on('instance:died', (e) => died.push(e));
    await events.start();
    engine.streams[0]!.write(die('c1', 'acme', 137, 100));
    engine.streams[0]!.write(die('stopped-by-us', 'beta', 0, 101));
    await vi.waitFor(() => expect(died).toHaveLength(2));
    expect(died[0]).toMatchObject({ tenantId: 'acme', containerId: 'c1', exitCode: 137, expected: false });
    expect(died[1]).toMatchObject({ tenantId: 'beta', expected: true });
    expect(engine.calls[0]).toMatchObject({ filters: { label: ['silo.managed=true'] } });
    await events.close();
  });

  it('reconnects with back-off after the engine goes away, resumes since the last event, drops repeats', async () => {
    vi.useFakeTimers();
    try {
      const engine = fakeEngine();
      const events = new DockerEvents(engine.docker, { initialBackoffMs: 100, maxBackoffMs: 1000 });
      const log: string[] = [];
      events.on('instance:died', (e) => log.push(`died ${e.containerId}`));
      events.on('engine:disconnected', (e) => log.push(`down, retry in ${e.retryInMs}`));
      events.on('engine:reconnected', () => log.push('back'));
      await events.start();
      engine.streams[0]!.write(die('c1', 'acme', 1, 200));
      engine.failNextConnects(1);
      engine.streams[0]!.end();
      await vi.advanceTimersByTimeAsync(100); // first retry fails
      await vi.advanceTimersByTimeAsync(200); // second retry succeeds
      expect(engine.streams).toHaveLength(2);
      expect(engine.calls[2]).toMatchObject({ since: 200 });
      engine.streams[1]!.write(die('c1', 'acme', 1, 200)); // replayed by `since`
      engine.streams[1]!.write(die('c2', 'acme', 1, 201));
      await vi.advanceTimersByTimeAsync(1);
      expect(log).toEqual(['died c1', 'down, retry in 100', 'down, retry in 200', 'back', 'died c2']);
      await events.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
