import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SNAPSHOT_PATH } from '@silo/contracts';
import Database from 'better-sqlite3';
import { UpstreamFailedError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import { instanceRequest, readText } from './instance-request.js';
import { skipFor, type TenantData } from './tenant-data.js';

/** What a consistent copy of a tenant's data folder found in its database. */
export type StagedCopy = {
  mode: 'online' | 'offline';
  schemaVersion: number;
  executions: number;
};

/** The copy of the tenant's database failed `PRAGMA integrity_check` (502 naming the report): nothing is kept or replaced. */
export const integrityError = (tenantId: string, report: string) =>
  new UpstreamFailedError(tenantId, {
    cause: new Error(`integrity check failed on the copy of its database: ${report}`),
  });

const ONLINE = new Set(['starting', 'running', 'paused', 'draining']);

/**
 * Copies a tenant's whole state into the local folder `dest`, consistent at
 * one instant, without stopping a running instance and without starting a
 * stopped one:
 * - running: the database from the instance's online snapshot
 *   (`POST /_silo/snapshot`), taken under a lease so the idle reaper leaves
 *   it alone; then the files. Files are written before the rows that name
 *   them are committed, so every file the snapshot refers to is there
 *   (a newer one is harmless);
 * - stopped: the folder or volume as it is (database and WAL together); if
 *   the instance started meanwhile, the copy is taken again online.
 * Then, on the copy: WAL folded in, `PRAGMA integrity_check`, counts.
 *
 * @example
 * const staged = await stageCopy('acme', dir, { manager, data });
 */
export async function stageCopy(
  tenantId: string,
  dest: string,
  deps: { manager: InstanceManager; data: TenantData },
): Promise<StagedCopy> {
  const { manager, data } = deps;
  let mode: StagedCopy['mode'] = ONLINE.has((await manager.view(tenantId)).state) ? 'online' : 'offline';
  if (mode === 'offline') {
    const before = await manager.view(tenantId);
    await data.copyOut(tenantId, dest, skipFor('offline'));
    const after = await manager.view(tenantId);
    if (after.state !== 'stopped' && after.state !== 'failing') mode = 'online';
    else if (after.coldStarts !== before.coldStarts) mode = 'online';
    if (mode === 'online') await rm(dest, { recursive: true, force: true });
  }
  if (mode === 'online') {
    const lease = await manager.acquire(tenantId);
    try {
      // Bounds the copy and its transfer; 10,000 executions take seconds (bench/backup.mjs).
      const res = await instanceRequest(lease.endpoint, lease.token, 'POST', SNAPSHOT_PATH, 30 * 60_000);
      if (res.statusCode !== 200)
        throw new Error(`the instance refused the snapshot: ${res.statusCode} ${await readText(res)}`);
      await mkdir(dest, { recursive: true });
      await pipeline(res, createWriteStream(join(dest, 'silo.db')));
      await data.copyOut(tenantId, dest, skipFor('online'));
    } finally {
      lease.release();
    }
  }
  return { mode, ...settle(tenantId, dest) };
}

/** Folds the WAL into the copy (one self-contained file), checks it, counts executions. */
function settle(tenantId: string, dir: string): Omit<StagedCopy, 'mode'> {
  const file = join(dir, 'silo.db');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    const report = db.pragma('integrity_check', { simple: true }) as string;
    if (report !== 'ok') throw integrityError(tenantId, report);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const hasExecutions = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'executions'")
      .get();
    const executions = hasExecutions
      ? (db.prepare('SELECT count(*) AS n FROM executions').get() as { n: number }).n
      : 0;
    return { schemaVersion, executions };
  } finally {
    db.close();
  }
}

/** Checks a restored or imported copy before it replaces anyone's data. */
export function checkCopy(tenantId: string, dir: string): Omit<StagedCopy, 'mode'> {
  return settle(tenantId, dir);
}
