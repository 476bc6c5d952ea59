import { chmod, cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { NoTenantDataError, type TenantData } from './tenant-data.js';

/**
 * The process runtime's tenant data: the folder `<dataDir>/tenants/<id>/data`,
 * read directly (the instance keeps running, or stays stopped).
 *
 * @example
 * const data = new FolderTenantData((id) => driver.tenantDir(id));
 */
export class FolderTenantData implements TenantData {
  constructor(private readonly tenantDir: (tenantId: string) => string) {}

  async copyOut(tenantId: string, dest: string, skip: (path: string) => boolean): Promise<void> {
    const source = join(this.tenantDir(tenantId), 'data');
    if (!(await stat(source).catch(() => undefined))?.isDirectory()) throw new NoTenantDataError(tenantId);
    await mkdir(dest, { recursive: true });
    await cp(source, dest, {
      recursive: true,
      filter: (from) => {
        const path = relative(source, from).split(sep).join('/');
        return path === '' || !skip(path);
      },
    });
  }

  /** Copies `src` beside the data folder first, then swaps the two by rename: never a half-replaced folder. */
  async replace(tenantId: string, src: string): Promise<void> {
    const dir = this.tenantDir(tenantId);
    const data = join(dir, 'data');
    const incoming = join(dir, 'data.restoring');
    const old = join(dir, 'data.replaced');
    await rm(incoming, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await cp(src, incoming, { recursive: true });
    await chmod(incoming, 0o700); // cp gives it the staging folder's mode; the data folder is owner-only

    await rename(data, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(incoming, data);
    await rm(old, { recursive: true, force: true });
  }
}
