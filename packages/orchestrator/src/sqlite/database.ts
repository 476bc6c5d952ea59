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

/**
 * SQLite's page cache per connection, in KiB. better-sqlite3 builds SQLite
 * with 16 MiB (`SQLITE_DEFAULT_CACHE_SIZE=-16000`), which a busy instance
 * fills as its file grows: a plateau, but 16 MiB of every busy tenant's RSS
 * (bench/memory-soak.mjs). The engine's working set (recent executions, task
 * runs, jobs, their indexes) fits in far less; colder pages come from the
 * OS's file cache, shared by all instances.
 */
export const PAGE_CACHE_KIB = 4096;

function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}

/**
 * Opens (creating if needed) the instance's SQLite file with the settings every
 * connection needs: WAL (readers never block the writer), a busy timeout,
 * foreign keys on, `synchronous = NORMAL` (durable in WAL mode across a process
 * crash; only an OS crash can lose the last transactions), and a page cache
 * of at most {@link PAGE_CACHE_KIB} KiB. Then migrates.
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
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  mark(DB_MARKS.opened);
  migrate(db, logger);
  mark(DB_MARKS.migrated);
  return db;
}
