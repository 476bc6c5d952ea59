import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { MIGRATIONS } from './migrations/index.js';

/**
 * Applies the migrations newer than `PRAGMA user_version`, each in its own
 * transaction together with the version bump, and logs each one (progress for
 * long upgrades). Refuses a database newer than this code.
 */
export function migrate(db: Database.Database, logger?: Logger): { from: number; to: number } {
  const from = db.pragma('user_version', { simple: true }) as number;
  if (from > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${from} is newer than this orchestrator knows (${MIGRATIONS.length}): upgrade the orchestrator image`,
    );
  }
  for (let version = from + 1; version <= MIGRATIONS.length; version++) {
    const migration = MIGRATIONS[version - 1]!;
    const started = Date.now();
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${version}`);
    })();
    logger?.info(
      { migration: migration.name, version, of: MIGRATIONS.length, ms: Date.now() - started },
      'migration applied',
    );
  }
  return { from, to: MIGRATIONS.length };
}
