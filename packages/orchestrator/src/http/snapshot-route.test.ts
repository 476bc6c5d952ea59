import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SNAPSHOT_PATH } from '@silo/contracts';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSnapshotRoute } from './snapshot-route.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('POST /_silo/snapshot', () => {
  it('streams a consistent copy of the live database and deletes its temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
    dirs.push(dir);
    const db = new Database(join(dir, 'silo.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 500; i++) insert.run(`row ${i}`);
    const app = createSnapshotRoute({ dataDir: dir, backup: (file) => db.backup(file) });

    const res = await app.request(SNAPSHOT_PATH, { method: 'POST' });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    const copyFile = join(dir, 'copy.db');
    writeFileSync(copyFile, bytes);
    const copy = new Database(copyFile, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 500 });
    copy.close();
    db.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir).filter((f) => f.startsWith('.silo-snapshot-'))).toEqual([]);
  });

  it('answers an error and leaves no file when the copy fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
    dirs.push(dir);
    const app = createSnapshotRoute({
      dataDir: dir,
      backup: async () => {
        throw new Error('disk full');
      },
    });
    const res = await app.request(SNAPSHOT_PATH, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(readdirSync(dir)).toEqual([]);
  });
});
