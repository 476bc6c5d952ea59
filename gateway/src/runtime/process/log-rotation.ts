import { copyFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

export type LogRotationOptions = {
  /** `<dataDir>/tenants`: every `<id>/instance.log` in it is watched. */
  root: string;
  /** A log over this size is rotated. @default 10 MiB */
  maxBytes?: number;
  /** Rotated files kept (`instance.log.1` … `.N`, the oldest dropped). @default 3 */
  keep?: number;
  /** Time between two checks of every tenant's log. @default 30000 */
  checkMs?: number;
};

/**
 * Bounds the per-tenant `instance.log` of the process runtime (issue 19: it
 * grew without bound): a log over `maxBytes` is rotated to `instance.log.1`,
 * the older ones shifted, `keep` of them kept. The instance keeps writing to
 * the file it was given (an O_APPEND descriptor that survives gateway
 * restarts), so the live file is copied then truncated, as logrotate's
 * `copytruncate`: a line written between the copy and the truncation is
 * lost, nothing else. A tenant's logs stay under about
 * `(keep + 1) × maxBytes` plus what it writes in `checkMs`.
 *
 * @example
 * const rotation = new LogRotation({ root: 'data/tenants' }); // checks every 30 s
 * await rotation.rotateIfOver('data/tenants/acme/instance.log'); // at a start
 * rotation.close();
 */
export class LogRotation {
  readonly #root: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #timer: NodeJS.Timeout;
  #checking = false;

  constructor(options: LogRotationOptions) {
    this.#root = options.root;
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#keep = Math.max(1, options.keep ?? 3);
    this.#timer = setInterval(() => void this.checkAll(), options.checkMs ?? 30_000);
    this.#timer.unref();
  }

  /** Rotates every tenant's log that is over the limit; one pass at a time. */
  async checkAll(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const tenants = await readdir(this.#root).catch(() => [] as string[]);
      for (const id of tenants) await this.rotateIfOver(join(this.#root, id, 'instance.log'));
    } finally {
      this.#checking = false;
    }
  }

  /** Rotates `path` when it is over `maxBytes`; says whether it did. Never throws (a log is not worth a failed start). */
  async rotateIfOver(path: string): Promise<boolean> {
    try {
      const { size } = await stat(path);
      if (size <= this.#maxBytes) return false;
      await rm(`${path}.${this.#keep}`, { force: true });
      for (let n = this.#keep - 1; n >= 1; n--) {
        await rename(`${path}.${n}`, `${path}.${n + 1}`).catch(() => undefined);
      }
      await copyFile(path, `${path}.1`);
      await truncate(path, 0);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
