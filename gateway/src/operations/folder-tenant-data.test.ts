import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderTenantData } from './folder-tenant-data.js';

describe('FolderTenantData', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the data folder with a copy that is owner-only (0700), whatever the staging folder was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'silo-folder-data-'));
    dirs.push(root);
    const staging = join(root, 'staging');
    mkdirSync(staging, { mode: 0o755 });
    writeFileSync(join(staging, 'silo.db'), 'restored');
    const data = new FolderTenantData((id) => join(root, 'tenants', id));
    await data.replace('acme', staging);
    const folder = join(root, 'tenants', 'acme', 'data');
    expect(readFileSync(join(folder, 'silo.db'), 'utf8')).toBe('restored');
    expect((statSync(folder).mode & 0o777).toString(8)).toBe('700');
    expect(statSync(join(root, 'tenants', 'acme')).mode & 0o077).toBe(0);
  });
});
