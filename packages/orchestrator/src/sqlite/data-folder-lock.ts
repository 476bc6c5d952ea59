import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Another live instance holds the data folder: this one must not open it (issue 19, twin instances). */
export class DataFolderLockedError extends Error {
  override readonly name = 'DataFolderLockedError';
  readonly code = 'DATA_FOLDER_LOCKED';
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(
      `another instance holds the data folder (lock ${file} is taken): refusing to start a second orchestrator on the same SQLite data`,
      options,
    );
  }
}

/** A held data-folder lock; `release()` closes it (the kernel also drops it when the process dies). */
export type DataFolderLock = { file: string; release(): void };

/**
 * Takes the exclusive lock of an instance's data folder, or throws
 * `DataFolderLockedError` at once when another process (or another
 * connection of this one) holds it.
 *
 * Why SQLite and not a lock file library: `PRAGMA locking_mode = EXCLUSIVE`
 * plus one write transaction makes SQLite keep its POSIX (fcntl) EXCLUSIVE
 * lock on `instance.lock` until the connection closes. The kernel drops it
 * when the holder dies, even by SIGKILL, so there is no staleness guess
 * (proper-lockfile's mtime heuristic could hand a lock held by a stalled but
 * live process to a second one); better-sqlite3 is already here; SQLite's own
 * per-inode lock table makes a second connection in the same process fail too.
 * The lock is a separate file, not `silo.db`, so backups may still read the
 * database while the instance runs.
 *
 * @example
 * const lock = lockDataFolder(config.dataDir); // before anything opens silo.db
 * ...; lock.release();
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'instance.lock');
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The file holds no data worth a journal or an fsync: only its lock matters, and SQLite takes
    // that lock the same way without them (the fsyncs were ~10 ms of a cold start).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(
      `BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER, since TEXT); DELETE FROM holder;
       INSERT INTO holder VALUES (${process.pid}, '${new Date().toISOString()}'); COMMIT`,
    );
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY')
      throw new DataFolderLockedError(file, { cause: err });
    throw err;
  }
  return { file, release: () => db.close() };
}
