import { chmod, chown, lchown, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TENANT_ID_PATTERN } from '@silo/contracts';

/** The uids tenants' instances run as. @default first 2000000, count 1000000 (above the usual subuid ranges) */
export type UidRange = { first: number; count: number };
export const DEFAULT_UID_RANGE: UidRange = { first: 2_000_000, count: 1_000_000 };

/**
 * One OS uid (and gid of the same number) per tenant, for the sandboxed
 * process runtime. The record of which tenant has which uid is the owner of
 * its own `tenants/<id>/data` folder: self-contained (no registry table, so
 * nothing to keep in step with the registry's migrations), and it cannot
 * disagree with the files, since the owner is what the kernel checks. A new
 * tenant gets the lowest uid of the range that no other tenant folder owns;
 * a purged tenant's uid is free again (its files are gone with it).
 * Allocations are serialized within the gateway.
 *
 * @example
 * const uids = new TenantUids(join(dataDir, 'tenants'));
 * const uid = await uids.prepare('acme'); // data/ and run/ owned by uid, mode 0700
 */
export class TenantUids {
  readonly #root: string;
  readonly #range: UidRange;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(root: string, range: UidRange = DEFAULT_UID_RANGE) {
    this.#root = root;
    this.#range = range;
  }

  /** The first uid of the range (the sandbox trial runs as it). */
  get firstUid(): number {
    return this.#range.first;
  }

  inRange(uid: number): boolean {
    return uid >= this.#range.first && uid < this.#range.first + this.#range.count;
  }

  /**
   * Makes the tenant's folders for a sandboxed run and returns its uid:
   * `tenants/<id>/` the gateway's, traverse-only for others (0711;
   * `instance.json` and the log in it are 0600), `data/` and `run/` owned by the tenant's uid, 0700. Data of
   * a tenant that ran unsandboxed before (owned by the gateway) is handed over.
   */
  prepare(tenantId: string): Promise<number> {
    const next = this.#queue.then(() => this.#prepare(tenantId));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #prepare(tenantId: string): Promise<number> {
    const dir = join(this.#root, tenantId);
    await mkdir(dir, { recursive: true, mode: 0o711 });
    // bwrap walks the bind paths as the tenant uid: traverse-only (no listing, no reading) above data/.
    for (const folder of [dirname(this.#root), this.#root, dir]) await addSearch(folder);
    await searchableAbove(dirname(this.#root));
    const data = join(dir, 'data');
    const run = join(dir, 'run');
    await mkdir(data, { recursive: true, mode: 0o700 });
    await mkdir(run, { recursive: true, mode: 0o700 });
    const owner = (await stat(data)).uid;
    const uid = this.inRange(owner) ? owner : await this.#free(tenantId);
    if (owner !== uid) await chownTree(data, uid);
    await chown(run, uid, uid);
    await chmod(data, 0o700);
    await chmod(run, 0o700);
    return uid;
  }

  async #free(tenantId: string): Promise<number> {
    const used = new Set<number>();
    const names = await readdir(this.#root).catch(() => [] as string[]);
    for (const name of names) {
      if (name === tenantId || !TENANT_ID_PATTERN.test(name)) continue;
      const owner = await stat(join(this.#root, name, 'data')).then(
        (s) => s.uid,
        () => undefined,
      );
      if (owner !== undefined && this.inRange(owner)) used.add(owner);
    }
    for (let uid = this.#range.first; uid < this.#range.first + this.#range.count; uid++) {
      if (!used.has(uid)) return uid;
    }
    throw new Error(`no free uid left in ${this.#range.first}..${this.#range.first + this.#range.count - 1}`);
  }
}

/** Adds x for others to a folder of the gateway's (keeps r and w as they are: 0700 → 0711). */
async function addSearch(folder: string): Promise<void> {
  const { mode } = await stat(folder);
  if ((mode & 0o001) === 0) await chmod(folder, (mode & 0o7777) | 0o001);
}

/** Every folder above the gateway's data folder must let others through, or bwrap cannot bind. */
async function searchableAbove(folder: string): Promise<void> {
  for (let at = dirname(folder); ; at = dirname(at)) {
    const { mode } = await stat(at);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `the sandbox cannot reach the data folder: ${at} does not let other users through (chmod o+x ${at}, or move SILO_DATA_DIR)`,
      );
    }
    if (at === dirname(at)) return;
  }
}

/** chown -R without following symlinks (a tenant's own symlink must not hand it a gateway file). */
async function chownTree(path: string, uid: number): Promise<void> {
  await lchown(path, uid, uid);
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid);
    else await lchown(child, uid, uid);
  }
}
