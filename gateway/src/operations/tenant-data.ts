/**
 * Access to a tenant's data folder from outside its instance (port; one
 * implementation per runtime: `FolderTenantData` for the process driver,
 * `VolumeTenantData` for Docker). Never starts the instance.
 */
export interface TenantData {
  /**
   * Copies the tenant's data folder into the local folder `dest`, leaving out
   * the relative paths (`/`-separated) that `skip` refuses. Streams to disk.
   * Throws `NoTenantDataError` when the tenant has no data yet.
   */
  copyOut(tenantId: string, dest: string, skip: (path: string) => boolean): Promise<void>;
  /** Replaces the tenant's whole data folder with the content of the local folder `src`. The instance must be stopped. */
  replace(tenantId: string, src: string): Promise<void>;
}

/** The tenant was never started: there is no folder or volume to read. */
export class NoTenantDataError extends Error {
  override readonly name = 'NoTenantDataError';
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} has no data yet (its instance never ran): nothing to back up`);
  }
}

/** Database side files and scratch space: never part of a backup. */
const SCRATCH = /^(?:silo\.db-(?:wal|shm|journal)$|\.silo-snapshot-|workdirs(?:\/|$)|tmp(?:\/|$))/;

/**
 * What a backup leaves out. While the instance runs, the database comes from
 * its online snapshot, so the live `silo.db` is left out too; when it is
 * stopped, `silo.db` and its WAL are copied and checkpointed in the copy.
 */
export function skipFor(mode: 'online' | 'offline'): (path: string) => boolean {
  if (mode === 'online') return (path) => path === 'silo.db' || SCRATCH.test(path);
  return (path) => /^\.silo-snapshot-|^workdirs(?:\/|$)|^tmp(?:\/|$)/.test(path);
}
