import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { SqliteKvStore } from '../sqlite/sqlite-kv-store.js';
import { KvError } from './kv-errors.js';
import { kvTemplateFunction, namespaceLineage, kvFunction as positionalKvFunction } from './kv-function.js';

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
  store = new SqliteKvStore(db, { clock: { now: () => now }, maxValueBytes: 1024 });
});
afterEach(() => db.close());

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
