import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobPayload, JobQueue } from '../ports/job-queue.js';

const payload = (taskId: string): JobPayload => ({
  taskId,
  task: { id: taskId, type: 'io.kestra.plugin.core.log.Log', props: {} } as unknown as JobPayload['task'],
  variables: { x: 1 },
  namespace: 'ns',
  flowId: 'f',
});

/** Builds a fresh, empty queue; `close` releases it. */
export type MakeJobQueue = () => { jobs: JobQueue; close(): void };

/**
 * The behaviour every `JobQueue` must have (STYLE.md rule 6): idempotent
 * enqueue per attempt, claims in order under a lease, owner-guarded
 * completion and renewal, expired leases swept, release and crash recovery.
 *
 * @example
 * jobQueueContract('sqlite', () => { const db = openDatabase(':memory:'); return { jobs: new SqliteJobQueue(db), close: () => db.close() }; });
 */
export function jobQueueContract(name: string, make: MakeJobQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    let jobs: JobQueue;
    let close: () => void;
    beforeEach(() => {
      ({ jobs, close } = make());
    });
    afterEach(() => close());

    it('enqueues once per attempt and claims in order, up to the limit, with the payload', () => {
      jobs.enqueue('e1', 'tr1', 1, payload('a'));
      jobs.enqueue('e1', 'tr1', 1, payload('a'));
      jobs.enqueue('e1', 'tr2', 1, payload('b'));
      jobs.enqueue('e1', 'tr3', 1, payload('c'));
      expect(jobs.count()).toBe(3);
      const claimed = jobs.claim('w1', 2, 1000, 0);
      expect(claimed.map((j) => [j.executionId, j.taskRunId, j.attempt, j.payload.taskId])).toEqual([
        ['e1', 'tr1', 1, 'a'],
        ['e1', 'tr2', 1, 'b'],
      ]);
      expect(claimed[0]?.payload).toEqual(payload('a'));
      expect(jobs.claim('w2', 5, 1000, 0).map((j) => j.taskRunId)).toEqual(['tr3']);
      expect(jobs.claim('w2', 5, 1000, 0)).toEqual([]);
    });

    it('enqueues already claimed under a lease: held, returned once, never claimed again', () => {
      const job = jobs.enqueue('e1', 'tr1', 1, payload('a'), { owner: 'w1', until: 1000 });
      expect(job).toMatchObject({ executionId: 'e1', taskRunId: 'tr1', attempt: 1, payload: payload('a') });
      expect(jobs.enqueue('e1', 'tr1', 1, payload('a'), { owner: 'w1', until: 1000 })).toBeUndefined();
      expect(jobs.claim('w2', 5, 1000, 0)).toEqual([]);
      expect(jobs.takeExpired(999)).toEqual([]);
      expect(jobs.takeExpired(1001).map((j) => j.jobId)).toEqual([job!.id]);
      const again = jobs.enqueue('e1', 'tr2', 1, payload('b'), { owner: 'w1', until: 1000 });
      expect(jobs.complete(again!.id, 'w2')).toBe(false);
      expect(jobs.complete(again!.id, 'w1')).toBe(true);
      expect(jobs.count()).toBe(0);
    });

    it('completes only for the owner that holds the job', () => {
      jobs.enqueue('e1', 'tr1', 1, payload('a'));
      const [job] = jobs.claim('w1', 1, 1000, 0);
      expect(jobs.complete(job!.id, 'w2')).toBe(false);
      expect(jobs.complete(job!.id, 'w1')).toBe(true);
      expect(jobs.complete(job!.id, 'w1')).toBe(false);
      expect(jobs.count()).toBe(0);
    });

    it('renews leases of its owner only; sweeps the expired ones', () => {
      jobs.enqueue('e1', 'tr1', 1, payload('a'));
      jobs.enqueue('e1', 'tr2', 1, payload('b'));
      const [a, b] = jobs.claim('w1', 2, 1000, 0);
      expect(jobs.extendLeases('w2', [a!.id], 5000)).toBe(0);
      expect(jobs.extendLeases('w1', [a!.id], 5000)).toBe(1);
      expect(jobs.extendLeases('w1', [], 5000)).toBe(0);
      expect(jobs.takeExpired(999)).toEqual([]);
      expect(jobs.takeExpired(1001)).toEqual([
        { jobId: b!.id, executionId: 'e1', taskRunId: 'tr2', attempt: 1 },
      ]);
      expect(jobs.complete(b!.id, 'w1')).toBe(false);
      expect(jobs.count()).toBe(1);
    });

    it('drops a queued job (not a held one), releases an owner, and takes every abandoned job', () => {
      jobs.enqueue('e1', 'tr1', 2, payload('a'));
      expect(jobs.dropQueued('tr1')).toBe(2);
      expect(jobs.dropQueued('tr1')).toBeUndefined();
      jobs.enqueue('e1', 'tr2', 1, payload('b'));
      jobs.enqueue('e2', 'tr3', 1, payload('c'));
      jobs.enqueue('e3', 'tr4', 1, payload('d'));
      jobs.claim('w1', 1, 1000, 0);
      jobs.claim('w2', 1, 1000, 0);
      expect(jobs.dropQueued('tr2')).toBeUndefined();
      expect(jobs.release('w1').map((j) => j.taskRunId)).toEqual(['tr2']);
      expect(jobs.takeAbandoned().map((j) => [j.executionId, j.taskRunId])).toEqual([['e2', 'tr3']]);
      expect(jobs.count()).toBe(1);
    });
  });
}
