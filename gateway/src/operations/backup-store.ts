import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { TENANT_ID_PATTERN } from '@silo/contracts';
import { nanoid } from 'nanoid';
import { z } from 'zod';

/** `20261130T070102Z-x1y2z3`: sorts by time; checked before it names a file. */
export const BACKUP_ID = /^\d{8}T\d{6}Z-[a-z0-9]{6}$/;

export const BackupRecordSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  createdAt: z.string(),
  sizeBytes: z.number().int(),
  /** Orchestrator version of the data. */
  version: z.string(),
  /** Of the archive file. */
  sha256: z.string(),
  durationMs: z.number(),
  /** `guard`: taken by a guarded change (upgrade, dialect migration) as its way back. */
  trigger: z.enum(['manual', 'schedule', 'guard']),
  mode: z.enum(['online', 'offline']),
  executions: z.number().int(),
  /** `PRAGMA integrity_check` of the copy, before it was archived. */
  integrity: z.literal('ok'),
});
export type BackupRecord = z.infer<typeof BackupRecordSchema>;

/** A new backup id at `now`. */
export function newBackupId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${nanoid(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')}`;
}

/**
 * The backup target: a directory (`SILO_BACKUP_DIR`, default
 * `<data dir>/backups`), one folder per tenant holding `<id>.tar.gz` (the
 * archive, the same format as an export) and `<id>.json` (its record). An
 * archive is written as `.partial` and renamed when complete, and its record
 * is written last: a crash never leaves a listed, half-written backup.
 *
 * @example
 * const store = new BackupStore('.silo/backups');
 * await store.save(record, (out) => writeArchive(dir, manifestOf, out));
 */
export class BackupStore {
  constructor(readonly root: string) {}

  #dir(tenantId: string): string {
    if (!TENANT_ID_PATTERN.test(tenantId)) throw new Error(`invalid tenant id "${tenantId}"`);
    return join(this.root, tenantId);
  }

  archivePath(tenantId: string, id: string): string {
    if (!BACKUP_ID.test(id)) throw new Error(`invalid backup id "${id}"`);
    return join(this.#dir(tenantId), `${id}.tar.gz`);
  }

  /** Removes staging folders left by a gateway that stopped mid-operation (at start, before any operation). */
  clearStaging(): void {
    rmSync(join(this.root, '.staging'), { recursive: true, force: true });
  }

  /** A fresh folder for staging copies (under the target, so a rename never crosses devices). */
  async stagingDir(): Promise<string> {
    const dir = join(this.root, '.staging', nanoid(10));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Writes the archive through `write`, then the record that `finish` makes once it is complete. */
  async save<T>(
    tenantId: string,
    id: string,
    write: (out: Writable) => Promise<T>,
    finish: (result: T) => BackupRecord,
  ): Promise<BackupRecord> {
    const dir = this.#dir(tenantId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = this.archivePath(tenantId, id);
    const partial = `${file}.partial`;
    try {
      const result = await write(createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, file);
      const record = finish(result);
      await writeFile(`${join(dir, id)}.json.partial`, JSON.stringify(record, null, 2), { mode: 0o600 });
      await rename(`${join(dir, id)}.json.partial`, `${join(dir, id)}.json`);
      return record;
    } catch (err) {
      await rm(partial, { force: true });
      await rm(file, { force: true });
      throw err;
    }
  }

  /** The tenant's backups, newest first. */
  async list(tenantId: string): Promise<BackupRecord[]> {
    const dir = this.#dir(tenantId);
    const names = await readdir(dir).catch(() => [] as string[]);
    const records: BackupRecord[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || !BACKUP_ID.test(name.slice(0, -5))) continue;
      const parsed = BackupRecordSchema.safeParse(
        JSON.parse(await readFile(join(dir, name), 'utf8').catch(() => 'null')),
      );
      if (parsed.success) records.push(parsed.data);
    }
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async get(tenantId: string, id: string): Promise<BackupRecord | undefined> {
    if (!BACKUP_ID.test(id)) return undefined;
    return (await this.list(tenantId)).find((r) => r.id === id);
  }

  open(tenantId: string, id: string): Readable {
    return createReadStream(this.archivePath(tenantId, id));
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await rm(`${join(this.#dir(tenantId), id)}.json`, { force: true });
    await rm(this.archivePath(tenantId, id), { force: true });
  }

  /** Keeps the newest `keep` scheduled backups of a tenant; returns the ids deleted. Manual ones are kept. */
  async prune(tenantId: string, keep: number): Promise<string[]> {
    const scheduled = (await this.list(tenantId)).filter((r) => r.trigger === 'schedule');
    const gone = scheduled.slice(keep).map((r) => r.id);
    for (const id of gone) await this.delete(tenantId, id);
    return gone;
  }
}
