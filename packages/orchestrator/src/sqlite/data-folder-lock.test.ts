import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataFolderLockedError, lockDataFolder } from './data-folder-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'silo-lock-'));
  dirs.push(d);
  return d;
};

describe('lockDataFolder', () => {
  it('refuses a second holder in the same process until the first releases', () => {
    const dir = fresh();
    const first = lockDataFolder(dir);
    expect(() => lockDataFolder(dir)).toThrow(DataFolderLockedError);
    first.release();
    lockDataFolder(dir).release();
  });

  it('refuses another process while held, and the lock dies with its holder', () => {
    const dir = fresh();
    const lock = lockDataFolder(dir);
    // A second process tries the same SQLite lock: busy at once.
    const probe = `const D=require('better-sqlite3');const db=new D(${JSON.stringify(lock.file)},{timeout:0});db.pragma('locking_mode = EXCLUSIVE');try{db.exec('BEGIN EXCLUSIVE; COMMIT');process.exit(0)}catch(e){process.exit(e.code==='SQLITE_BUSY'?7:1)}`;
    const held = spawnSync(process.execPath, ['-e', probe], { cwd: __dirname, timeout: 10_000 });
    expect(held.status).toBe(7);
    lock.release();
    const free = spawnSync(process.execPath, ['-e', probe], { cwd: __dirname, timeout: 10_000 });
    expect(free.status).toBe(0);
  });
});
