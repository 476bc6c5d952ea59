import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { KvError } from './kv-errors.js';
import { kvTemplateFunction, namespaceLineage, kvFunction as positionalKvFunction } from './kv-function.js';
import { SqliteKvStore } from './sqlite-kv-store.js';

/** Calls the template function the way the renderer does: positional and named arguments. */
const kvFunction =
  (s: SqliteKvStore, ns: string) =>
  (...args: unknown[]) => {
    const last = args.at(-1);
    const named = last !== null && typeof last === 'object' ? (args.pop() as Record<string, unknown>) : {};
    return kvTemplateFunction(s, ns)(args, named, { variables: {}, render: (t) => t, now: () => new Date() });
  };

let db: SqliteDatabase;
let now: Date;
let store: SqliteKvStore;

beforeEach(() => {
  db = openDatabase(':memory:');
  now = new Date('2024-05-01T10:00:00.000Z');
  store = new SqliteKvStore(db, { now: () => now, maxValueBytes: 1024 });
});
afterEach(() => db.close());

function kvCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof KvError ? e.code : `not a KvError: ${String(e)}`;
  }
}

describe('SqliteKvStore', () => {
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
  });

  it('survives a reopen of the same file', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'silo-kv-')), 'silo.db');
    const a = openDatabase(file);
    new SqliteKvStore(a).set('ns', 'k', { deep: [1, 2] });
    a.close();
    const b = openDatabase(file);
    expect(new SqliteKvStore(b).get('ns', 'k')?.value).toEqual({ deep: [1, 2] });
    b.close();
  });
});

describe('kvFunction', () => {
  it('reads the flow namespace, then its parents, when no namespace is given', () => {
    store.set('company', 'shared', 'from-root');
    store.set('company.team', 'shared', 'from-team');
    store.set('company', 'root-only', 'root');
    const kv = kvFunction(store, 'company.team.a');
    expect(kv('shared')).toBe('from-team');
    expect(kv('root-only')).toBe('root');
  });

  it('reads only the given namespace when one is given', () => {
    store.set('company', 'root-only', 'root');
    const kv = kvFunction(store, 'company.team');
    expect(kv('root-only', 'company.team', false)).toBeNull();
    expect(kv('root-only', 'company')).toBe('root');
  });

  it("throws Kestra's message for a missing key by default, null with errorOnMissing=false", () => {
    const kv = kvFunction(store, 'io.kestra.tests');
    expect(() => kv('my-key')).toThrow("The key 'my-key' does not exist in the namespace 'io.kestra.tests'.");
    expect(() => kv('my-key', 'io.kestra.tests', true)).toThrow(KvError);
    expect(kv('my-key', 'io.kestra.tests', false)).toBeNull();
    expect(kv('my-key', null, false)).toBeNull();
    expect(kv('my-key', { errorOnMissing: false })).toBeNull();
    expect(kv('my-key', { namespace: 'io.kestra.tests', errorOnMissing: false })).toBeNull();
    store.set('io.kestra.tests', 'my-key', { field: 'value' });
    expect(kv('my-key')).toEqual({ field: 'value' });
  });

  it('treats an expired key as missing', () => {
    store.set('ns', 'k', 1, { ttlMs: 1000 });
    now = new Date(now.getTime() + 1000);
    expect(() => kvFunction(store, 'ns')('k')).toThrow("The key 'k' does not exist in the namespace 'ns'.");
  });

  it('also works with positional arguments only (kvFunction)', () => {
    store.set('io.kestra', 'k', 'parent');
    expect(positionalKvFunction(store, 'io.kestra.tests')('k')).toBe('parent');
    expect(positionalKvFunction(store, 'io.kestra.tests')('k', 'io.kestra.tests', false)).toBeNull();
  });

  it('names the namespace lineage nearest first', () => {
    expect(namespaceLineage('a.b.c')).toEqual(['a.b.c', 'a.b', 'a']);
    expect(namespaceLineage('solo')).toEqual(['solo']);
  });
});

describe('purge (kv.PurgeKV)', () => {
  const seed = () => {
    store.set('company', 'old', 1, { ttlMs: 1000 });
    store.set('company.team', 'old', 1, { ttlMs: 1000 });
    store.set('company.team', 'fresh', 1);
    store.set('companyx', 'old', 1, { ttlMs: 1000 });
    store.set('company', 'report_1', 1);
    now = new Date(now.getTime() + 2000);
  };

  it('deletes the expired entries of the namespaces and their children only', () => {
    seed();
    const purge = (includeChildNamespaces: boolean) =>
      store.purge({ namespaces: ['company'], includeChildNamespaces, expiredOnly: true });
    expect(purge(false)).toBe(1);
    expect(purge(true)).toBe(1);
    expect(store.keys('company.team')).toEqual(['fresh']);
    expect(purge(true), 'companyx is not a child of company').toBe(0);
  });

  it('deletes live entries too when not expiredOnly, filtered by a key glob', () => {
    seed();
    const all = { namespaces: ['company'], includeChildNamespaces: true, expiredOnly: false };
    expect(store.purge({ ...all, keyPattern: 'report_*' })).toBe(1);
    expect(store.purge(all)).toBe(3);
    expect(store.keys('company.team')).toEqual([]);
  });
});
