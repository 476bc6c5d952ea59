import { lstatSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { DomainError } from '../errors.js';

const MB = 1024 * 1024;
/** How long a measured usage is trusted (writes in between are added to it). */
const MEASURE_TTL_MS = 1_000;
/**
 * Room SQLite keeps past the quota for the engine's own bookkeeping
 * (execution states, the job queue): user data is refused by the checks
 * first, so that the engine never meets SQLITE_FULL in the middle of a
 * transaction it must commit.
 */
const SQLITE_RESERVE_BYTES = 16 * MB;

/** A write that would take the tenant past its storage quota (`storageMb`). 507. */
export class StorageQuotaError extends DomainError {
  override readonly name = 'StorageQuotaError';
  readonly code = 'INSUFFICIENT_STORAGE';
  constructor(limitMb: number, what: string, usedBytes: number) {
    super(
      `Insufficient Storage: the tenant's storage quota of ${limitMb} MB (storageMb) is reached: ${what} refused (${(usedBytes / MB).toFixed(1)} MB used)`,
      [{ message: `storage quota of ${limitMb} MB reached`, path: 'storageMb' }],
    );
  }
}

const installed = new Map<string, StorageQuota>();

/**
 * The tenant's storage quota (`SILO_STORAGE_MB`, the gateway's `storageMb`),
 * enforced inside the instance, in every runtime alike: the usage is the size
 * of the data folder on disk (SQLite and its WAL, internal storage, task
 * working folders), measured at most once a second. Writes of user data
 * (KV values, internal storage files, uploads, task logs) are checked before
 * they happen; shell tasks run under `ulimit -f` of the room left; SQLite
 * is capped by `max_page_count` a little past the quota as the last
 * backstop. One quota per data folder, found by `StorageQuota.of(dataDir)`.
 *
 * @example
 * const quota = StorageQuota.install(dataDir, 1024);
 * StorageQuota.of(dataDir)?.assertRoom(bytes, 'a KV value');
 */
export class StorageQuota {
  readonly limitBytes: number;
  readonly #dir: string;
  #measured = { at: 0, bytes: 0 };

  private constructor(
    dir: string,
    readonly limitMb: number,
  ) {
    this.#dir = dir;
    this.limitBytes = limitMb * MB;
  }

  /** Installs the quota of a data folder (replacing one installed before). */
  static install(dataDir: string, limitMb: number): StorageQuota {
    const quota = new StorageQuota(resolve(dataDir), limitMb);
    installed.set(resolve(dataDir), quota);
    return quota;
  }

  static uninstall(dataDir: string): void {
    installed.delete(resolve(dataDir));
  }

  /** The quota of the data folder, if one is installed. */
  static of(dataDir: string): StorageQuota | undefined {
    return installed.get(resolve(dataDir));
  }

  /** Bytes the data folder takes on disk now (cached for a second). */
  usedBytes(): number {
    const now = Date.now();
    if (now - this.#measured.at > MEASURE_TTL_MS) this.#measured = { at: now, bytes: diskUsage(this.#dir) };
    return this.#measured.bytes;
  }

  /** Bytes left under the quota (0 when over). */
  remainingBytes(): number {
    return Math.max(0, this.limitBytes - this.usedBytes());
  }

  /** Throws `StorageQuotaError` when `bytes` more would pass the quota; else counts them as used. */
  assertRoom(bytes: number, what: string): void {
    this.check(bytes, what);
    this.#measured.bytes += bytes;
  }

  /** Throws `StorageQuotaError` when `bytes` not yet on disk (e.g. logs held in memory) would pass the quota. */
  check(bytes: number, what: string): void {
    const used = this.usedBytes();
    if (used + bytes > this.limitBytes) throw new StorageQuotaError(this.limitMb, what, used);
  }

  /** Forgets the cached usage (after a task freed or filled its working folder). */
  remeasure(): void {
    this.#measured = { at: 0, bytes: 0 };
  }

  /** The quota error for `what`, when the folder is already at or past the quota. */
  exceeded(what: string): StorageQuotaError | undefined {
    const used = this.usedBytes();
    return used >= this.limitBytes ? new StorageQuotaError(this.limitMb, what, used) : undefined;
  }

  /** Caps the SQLite file at the quota plus a reserve for the engine's own state (`max_page_count`). */
  capSqlite(db: Database.Database): void {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = Math.ceil((this.limitBytes + SQLITE_RESERVE_BYTES) / pageSize);
    db.pragma(`max_page_count = ${pages}`);
  }
}

/**
 * The log lines of one task attempt (held in memory until committed with its
 * result) counted against the quota: once they would pass it, further lines
 * are dropped and `error` says why (the worker fails the attempt with it).
 *
 * @example
 * const budget = new LogBudget(StorageQuota.of(dataDir));
 * if (budget.admit(line)) logs.push(line);
 */
export class LogBudget {
  readonly #quota: StorageQuota | undefined;
  #bytes = 0;
  error: StorageQuotaError | undefined;

  constructor(quota: StorageQuota | undefined) {
    this.#quota = quota;
  }

  /** Whether the line may be kept; false once the quota is reached (then `error` is set). */
  admit(message: string): boolean {
    if (this.error !== undefined) return false;
    if (this.#quota === undefined) return true;
    this.#bytes += Buffer.byteLength(message) + 128;
    try {
      this.#quota.check(this.#bytes, 'a task log line');
      return true;
    } catch (err) {
      this.error = err as StorageQuotaError;
      return false;
    }
  }
}

/** Bytes allocated on disk under `dir` (like `du -s`), not following symlinks; bounded to 100,000 entries. */
function diskUsage(dir: string): number {
  let total = 0;
  let seen = 0;
  const stack = [dir];
  while (stack.length > 0 && seen < 100_000) {
    const current = stack.pop() as string;
    let entries: string[];
    try {
      entries = readdirSync(current);
    } catch {
      continue;
    }
    for (const name of entries) {
      seen++;
      const path = join(current, name);
      try {
        const st = lstatSync(path);
        total += st.blocks > 0 ? st.blocks * 512 : st.size;
        if (st.isDirectory()) stack.push(path);
      } catch {
        // Gone between readdir and lstat (a task's working folder removed).
      }
    }
  }
  return total;
}
