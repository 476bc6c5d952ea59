import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrate } from './migrate.js';

export type SqliteDatabase = Database.Database;

/**
 * Performance marks of the last `openDatabase` (`main.ts` reports them in its
 * `boot phases` log line). Each replaces the previous mark of its name, so
 * the timeline does not grow with every database a test opens.
 */
export const DB_MARKS = {
  open: 'silo:db-open',
  opened: 'silo:db-opened',
  migrated: 'silo:db-migrated',
} as const;

function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}

/**
 * Opens (creating if needed) the instance's SQLite file with the settings every
 * connection needs: WAL (readers never block the writer), a busy timeout,
 * foreign keys on, `synchronous = NORMAL` (durable in WAL mode across a process
 * crash; only an OS crash can lose the last transactions). Then migrates.
 *
 * @example
 * const db = openDatabase('/data/silo.db', logger);
 */
export function openDatabase(file: string, logger?: Logger): SqliteDatabase {
  mark(DB_MARKS.open);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  mark(DB_MARKS.opened);
  migrate(db, logger);
  mark(DB_MARKS.migrated);
  return db;
}
