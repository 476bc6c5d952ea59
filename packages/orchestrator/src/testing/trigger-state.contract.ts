import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TriggerState, TriggerStateRepository } from '../ports/trigger-state.js';

const key = { namespace: 'company.team', flowId: 'hello', triggerId: 'daily' };
const state = (over: Partial<TriggerState> = {}): TriggerState => ({
  ...key,
  fingerprint: 'cron:0 * * * *',
  lastFireAt: null,
  nextFireAt: '2025-01-01T10:00:00.000Z',
  disabled: false,
  updatedAt: '2025-01-01T09:30:00.000Z',
  ...over,
});

/** Builds a fresh, empty repository; `close` releases it. */
export type MakeTriggerState = () => { repository: TriggerStateRepository; close(): void };

/**
 * The behaviour every `TriggerStateRepository` must have: state saved and
 * replaced per trigger, and each fire recorded exactly once with the
 * execution it started (a failing `create` records nothing).
 *
 * @example
 * triggerStateContract('sqlite', () => { const db = openDatabase(':memory:'); return { repository: new SqliteTriggerStateRepository(db), close: () => db.close() }; });
 */
export function triggerStateContract(name: string, make: MakeTriggerState): void {
  describe(`TriggerStateRepository contract: ${name}`, () => {
    let repository: TriggerStateRepository;
    let close: () => void;
    beforeEach(() => {
      ({ repository, close } = make());
    });
    afterEach(() => close());

    it('saves, replaces and lists trigger states', () => {
      expect(repository.get(key)).toBeUndefined();
      repository.save(state());
      repository.save(state({ lastFireAt: '2025-01-01T10:00:00.000Z', disabled: true }));
      repository.save(state({ triggerId: 'another' }));
      expect(repository.get(key)).toEqual(state({ lastFireAt: '2025-01-01T10:00:00.000Z', disabled: true }));
      expect(repository.list().map((s) => s.triggerId)).toEqual(['another', 'daily']);
    });

    it('records a fire exactly once and remembers its execution', () => {
      let calls = 0;
      const create = () => `exec-${++calls}`;
      const fireAt = '2025-01-01T10:00:00.000Z';
      expect(repository.recordFire(key, fireAt, create, fireAt)).toEqual({
        executionId: 'exec-1',
        created: true,
      });
      expect(repository.recordFire(key, fireAt, create, fireAt)).toEqual({
        executionId: 'exec-1',
        created: false,
      });
      expect(calls).toBe(1);
      expect(repository.findFire(key, fireAt)).toBe('exec-1');
      expect(repository.findFire(key, '2025-01-01T11:00:00.000Z')).toBeUndefined();
    });

    it('records nothing when creating the execution fails, so the fire is retried', () => {
      const fireAt = '2025-01-01T10:00:00.000Z';
      expect(() =>
        repository.recordFire(
          key,
          fireAt,
          () => {
            throw new Error('database is locked');
          },
          fireAt,
        ),
      ).toThrow('database is locked');
      expect(repository.findFire(key, fireAt)).toBeUndefined();
      expect(repository.recordFire(key, fireAt, () => 'exec-2', fireAt).created).toBe(true);
    });
  });
}
