import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SNAPSHOT_PATH } from '@silo/contracts';
import { Hono } from 'hono';

export type SnapshotRouteDeps = {
  /** The instance's data folder: the copy is written there (the root filesystem of a container is read-only). */
  dataDir: string;
  /** Copies the live database into `file` (better-sqlite3's online backup API). */
  backup: (file: string) => Promise<unknown>;
};

/** Prefix of the temporary copies; the gateway's backups leave such files out. */
export const SNAPSHOT_FILE_PREFIX = '.silo-snapshot-';

/**
 * `POST /_silo/snapshot` (behind the instance token): a consistent copy of
 * the SQLite file while the instance keeps working. SQLite's online backup
 * API runs in steps without blocking the event loop; writes made meanwhile by
 * the instance's own connection are carried into the copy, so it is the
 * state at one instant (https://sqlite.org/backup.html). The copy is streamed
 * back and deleted once sent.
 *
 * @example
 * app.route('/', createSnapshotRoute({ dataDir, backup: (file) => db.backup(file) }));
 */
export function createSnapshotRoute(deps: SnapshotRouteDeps): Hono {
  const app = new Hono();
  app.post(SNAPSHOT_PATH, async () => {
    const file = join(deps.dataDir, `${SNAPSHOT_FILE_PREFIX}${randomUUID()}.db`);
    try {
      await deps.backup(file);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    const { size } = await stat(file);
    const stream = createReadStream(file);
    stream.once('close', () => void rm(file, { force: true }));
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
      headers: { 'content-type': 'application/vnd.sqlite3', 'content-length': String(size) },
    });
  });
  return app;
}
