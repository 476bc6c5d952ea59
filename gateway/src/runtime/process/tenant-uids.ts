import { chmod, chown, lchown, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TENANT_ID_PATTERN } from '@silo/contracts';

/**
 * The uids tenants' instances run as, and the one group they all run in
 * (`gid`): the gateway's folders above each tenant's data are traversable by
 * that group only (0710), so bwrap (running as the tenant) can reach the
 * folders it binds while other users of the host still cannot enter.
 * @default first 2000000, count 1000000 (above the usual subuid ranges), gid 1999999
 */
export type UidRange = { first: number; count: number; gid: number };
export const DEFAULT_UID_RANGE: UidRange = { first: 2_000_000, count: 1_000_000, gid: 1_999_999 };

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

  /** The group every sandboxed instance runs in. */
  get gid(): number {
    return this.#range.gid;
  }

  inRange(uid: number): boolean {
    return uid >= this.#range.first && uid < this.#range.first + this.#range.count;
  }

  /**
   * Makes the tenant's folders for a sandboxed run and returns its uid:
   * `tenants/<id>/` the gateway's, traverse-only for the sandbox group (0710;
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
    await mkdir(dir, { recursive: true, mode: 0o710 });
    // bwrap walks the bind paths as the tenant: traverse-only for the sandbox group above data/.
    for (const folder of [dirname(this.#root), this.#root, dir]) await groupSearch(folder, this.#range.gid);
    await searchableAbove(dirname(this.#root));
    const data = join(dir, 'data');
    const run = join(dir, 'run');
    await mkdir(data, { recursive: true, mode: 0o700 });
    await mkdir(run, { recursive: true, mode: 0o700 });
    const owner = (await stat(data)).uid;
    const uid = this.inRange(owner) ? owner : await this.#free(tenantId);
    if (owner !== uid) await chownTree(data, uid, this.#range.gid);
    await chown(run, uid, this.#range.gid);
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

/** Gives a folder of the gateway's to the sandbox group with x only for it (0700 → 0710; others untouched). */
async function groupSearch(folder: string, gid: number): Promise<void> {
  const { mode, uid, gid: group } = await stat(folder);
  if (group !== gid) await chown(folder, uid, gid);
  const wanted = (mode & 0o7707) | 0o010;
  if ((mode & 0o7777) !== wanted) await chmod(folder, wanted);
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
async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await lchown(child, uid, gid);
  }
}
