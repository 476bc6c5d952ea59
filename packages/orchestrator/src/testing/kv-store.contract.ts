import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KvError } from '../kv/kv-errors.js';
import type { Clock } from '../ports/clock.js';
import type { KvStore } from '../ports/kv-store.js';

function kvCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof KvError ? e.code : `not a KvError: ${String(e)}`;
  }
}

/** Builds a fresh, empty store on the given clock and value limit; `close` releases it. */
export type MakeKvStore = (o: { clock: Clock; maxValueBytes: number }) => { store: KvStore; close(): void };

/**
 * The behaviour every `KvStore` must have (Kestra's KV semantics: inferred
 * types, revisions, TTL, Kestra's messages); run against each implementation.
 *
 * @example
 * kvStoreContract('sqlite', (o) => { const db = openDatabase(':memory:'); return { store: new SqliteKvStore(db, o), close: () => db.close() }; });
 */
export function kvStoreContract(name: string, make: MakeKvStore): void {
  describe(`KvStore contract: ${name}`, () => {
    let now: Date;
    let store: KvStore;
    let close: () => void;
    beforeEach(() => {
      now = new Date('2024-05-01T10:00:00.000Z');
      ({ store, close } = make({ clock: { now: () => now }, maxValueBytes: 1024 }));
    });
    afterEach(() => close());

    it('stores values with their inferred type and reads them back', () => {
      store.set('io.kestra.tests', 'obj', { field: 'value' });
      store.set('io.kestra.tests', 'num', 42);
      store.set('io.kestra.tests', 'str', 'hello');
      store.set('io.kestra.tests', 'dur', 'PT5M');
      store.set('io.kestra.tests', 'bool', false);
      expect(store.get('io.kestra.tests', 'obj')).toEqual({
        value: { field: 'value' },
        type: 'JSON',
        expiresAt: null,
      });
      expect(store.get('io.kestra.tests', 'num')?.type).toBe('NUMBER');
      expect(store.get('io.kestra.tests', 'str')?.type).toBe('STRING');
      expect(store.get('io.kestra.tests', 'dur')?.type).toBe('DURATION');
      expect(store.get('io.kestra.tests', 'bool')).toMatchObject({ value: false, type: 'BOOLEAN' });
      expect(store.get('io.kestra.tests', 'missing')).toBeUndefined();
    });

    it('keeps the created date and bumps the revision on overwrite', () => {
      const first = store.set('ns', 'k', 1, { description: 'counter' });
      now = new Date('2024-05-01T11:00:00.000Z');
      const second = store.set('ns', 'k', 2);
      expect(first.revision).toBe(1);
      expect(second).toMatchObject({
        revision: 2,
        createdAt: '2024-05-01T10:00:00.000Z',
        updatedAt: '2024-05-01T11:00:00.000Z',
        description: null,
      });
    });

    it('refuses to overwrite when overwrite is false, with Kestra message', () => {
      store.set('ns', 'k', 1);
      expect(() => store.set('ns', 'k', 2, { overwrite: false })).toThrow(
        "Cannot set value for key 'k'. Key already exists and `overwrite` is set to `false`.",
      );
      expect(store.get('ns', 'k')?.value).toBe(1);
      store.set('ns', 'fresh', 2, { overwrite: false });
      expect(store.get('ns', 'fresh')?.value).toBe(2);
    });

    it.each([
      ['', 'KV_INVALID_KEY'],
      ['.hidden', 'KV_INVALID_KEY'],
      ['with space', 'KV_INVALID_KEY'],
      ['a/b', 'KV_INVALID_KEY'],
      ['x'.repeat(256), 'KV_INVALID_KEY'],
      ['ok_key-1.v2', undefined],
    ])('validates key %j', (key, code) => {
      expect(kvCode(() => store.set('ns', key, 1))).toBe(code);
    });

    it('rejects a value over the size limit with a clear error, and an invalid namespace or type', () => {
      const err = (() => {
        try {
          store.set('ns', 'big', 'x'.repeat(2000));
        } catch (e) {
          return e as KvError;
        }
      })();
      expect(err?.code).toBe('KV_VALUE_TOO_LARGE');
      expect(err?.message).toBe(
        "The value of key 'big' in namespace 'ns' is 2002 bytes, over the limit of 1024 bytes",
      );
      expect(kvCode(() => store.set('Bad NS', 'k', 1))).toBe('KV_INVALID_NAMESPACE');
      expect(kvCode(() => store.set('ns', 'k', 1, { type: 'XML' }))).toBe('KV_INVALID_VALUE');
      expect(kvCode(() => store.set('ns', 'k', 1, { ttlMs: 0 }))).toBe('KV_INVALID_VALUE');
    });

    it('expires a key after its TTL: reads, lists and deletes treat it as missing', () => {
      store.set('ns', 'short', 'v', { ttlMs: 60_000 });
      store.set('ns', 'long', 'v');
      expect(store.get('ns', 'short')?.expiresAt).toBe('2024-05-01T10:01:00.000Z');
      now = new Date('2024-05-01T10:00:59.999Z');
      expect(store.keys('ns')).toEqual(['long', 'short']);
      now = new Date('2024-05-01T10:01:00.000Z');
      expect(store.keys('ns')).toEqual(['long']);
      expect(store.delete('ns', 'short')).toBe(false);
      store.set('ns', 'short2', 'v', { ttlMs: 1 });
      now = new Date('2024-05-01T11:00:00.000Z');
      expect(store.get('ns', 'short2')).toBeUndefined();
      store.set('ns', 'again', 'v', { ttlMs: 1, overwrite: false });
      now = new Date('2024-05-01T12:00:00.000Z');
      expect(store.set('ns', 'again', 'v2', { overwrite: false }).revision).toBe(1);
      store.set('ns', 'gone', 'v', { ttlMs: 1 });
      now = new Date('2024-05-01T13:00:00.000Z');
      expect(store.purgeExpired()).toBe(1);
    });

    it('deletes and lists keys by prefix, namespace by namespace', () => {
      store.set('ns', 'my_var1', 1);
      store.set('ns', 'my_var2', 2);
      store.set('ns', 'other', 3);
      store.set('ns.child', 'my_var3', 4);
      expect(store.keys('ns', 'my_var')).toEqual(['my_var1', 'my_var2']);
      expect(store.keys('ns')).toEqual(['my_var1', 'my_var2', 'other']);
      expect(store.delete('ns', 'other')).toBe(true);
      expect(store.delete('ns', 'other')).toBe(false);
      expect(store.list('ns.child').map((e) => e.key)).toEqual(['my_var3']);
      store.set('a.first', 'k', 1, { ttlMs: 1 });
      now = new Date(now.getTime() + 10);
      expect(store.namespaces()).toEqual(['ns', 'ns.child']);
    });
  });
}
