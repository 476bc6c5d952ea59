import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kvStoreContract } from '../testing/kv-store.contract.js';
import { openDatabase } from './database.js';
import { SqliteKvStore } from './sqlite-kv-store.js';

kvStoreContract('sqlite', (o) => {
  const db = openDatabase(':memory:');
  return { store: new SqliteKvStore(db, o), close: () => db.close() };
});

describe('SqliteKvStore', () => {
  it('survives a reopen of the same file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'silo-kv-')), 'silo.db');
    const a = openDatabase(file);
    new SqliteKvStore(a).set('ns', 'k', { deep: [1, 2] });
    a.close();
    const b = openDatabase(file);
    expect(new SqliteKvStore(b).get('ns', 'k')?.value).toEqual({ deep: [1, 2] });
    b.close();
  });
});

describe('purge (kv.PurgeKV)', () => {
  const setup = () => {
    let now = new Date('2030-01-01T00:00:00.000Z');
    const store = new SqliteKvStore(openDatabase(':memory:'), { clock: { now: () => now } });
    store.set('company', 'old', 1, { ttlMs: 1000 });
    store.set('company.team', 'old', 1, { ttlMs: 1000 });
    store.set('company.team', 'fresh', 1);
    store.set('companyx', 'old', 1, { ttlMs: 1000 });
    store.set('company', 'report_1', 1);
    now = new Date(now.getTime() + 2000);
    return store;
  };

  it('deletes the expired entries of the namespaces and their children only', () => {
    const store = setup();
    const purge = (includeChildNamespaces: boolean) =>
      store.purge({ namespaces: ['company'], includeChildNamespaces, expiredOnly: true });
    expect(purge(false)).toBe(1);
    expect(purge(true)).toBe(1);
    expect(store.keys('company.team')).toEqual(['fresh']);
    expect(purge(true), 'companyx is not a child of company').toBe(0);
  });

  it('deletes live entries too when not expiredOnly, filtered by a key glob', () => {
    const store = setup();
    const all = { namespaces: ['company'], includeChildNamespaces: true, expiredOnly: false };
    expect(store.purge({ ...all, keyPattern: 'report_*' })).toBe(1);
    expect(store.purge(all)).toBe(3);
    expect(store.keys('company.team')).toEqual([]);
  });
});
