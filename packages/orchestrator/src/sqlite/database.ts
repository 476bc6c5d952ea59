import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrate } from './migrate.js';

export type SqliteDatabase = Database.Database;

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
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  migrate(db, logger);
  return db;
}
