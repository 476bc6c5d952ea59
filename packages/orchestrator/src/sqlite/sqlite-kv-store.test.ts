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
