import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FreezerUnusable,
  freeze,
  isFrozen,
  parseCgroups,
  parseMountinfo,
  resolveFreezer,
  thaw,
} from './freezer.js';

const ID = 'd0ee99472cc632483e5b6c07a41ae472224dacca71088b6ccc6139e50c678ce9';
const V1_CGROUP = `9:name=systemd:/docker/${ID}\n6:freezer:/docker/${ID}\n1:cpu:/docker/${ID}\n0::/docker/${ID}\n`;
const mountLine = (root: string, at: string, fsType: string, opts: string) =>
  `40 30 0:36 ${root} ${at} rw,relatime shared:9 - ${fsType} cgroup ${opts}`;

/** A fake host: `<root>/proc/{42/cgroup,self/mountinfo}` and a cgroup tree under `<root>/sys`. */
function host(cgroup: string, mounts: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'silo-freezer-'));
  mkdirSync(join(root, 'proc', '42'), { recursive: true });
  mkdirSync(join(root, 'proc', 'self'), { recursive: true });
  writeFileSync(join(root, 'proc', '42', 'cgroup'), cgroup);
  writeFileSync(join(root, 'proc', 'self', 'mountinfo'), `${mounts.join('\n')}\n`);
  return root;
}

describe('the cgroup freezer of a container', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });
  const make = (cgroup: string, mounts: (root: string) => string[]) => {
    const root = host(cgroup, []);
    writeFileSync(join(root, 'proc', 'self', 'mountinfo'), `${mounts(root).join('\n')}\n`);
    roots.push(root);
    return root;
  };

  it('parses /proc/<pid>/cgroup lines and the cgroup mounts of mountinfo (octal escapes too)', () => {
    expect(parseCgroups(V1_CGROUP)).toContainEqual({ controllers: ['freezer'], path: `/docker/${ID}` });
    expect(parseCgroups(V1_CGROUP)).toContainEqual({ controllers: [], path: `/docker/${ID}` });
    const mounts = parseMountinfo(
      [
        '25 1 8:1 / / rw - ext4 /dev/sda1 rw',
        mountLine('/', '/sys/fs/cgroup/freezer', 'cgroup', 'rw,freezer'),
        mountLine('/', '/a\\040b', 'cgroup2', 'rw'),
      ].join('\n'),
    );
    expect(mounts).toEqual([
      { root: '/', mountPoint: '/sys/fs/cgroup/freezer', fsType: 'cgroup', superOptions: ['rw', 'freezer'] },
      { root: '/', mountPoint: '/a b', fsType: 'cgroup2', superOptions: ['rw'] },
    ]);
  });

  it('cgroup v1 (cgroupfs driver): resolves freezer.state under the freezer mount; freeze and thaw write it', async () => {
    const root = make(V1_CGROUP, (r) => [
      mountLine('/', join(r, 'sys/freezer'), 'cgroup', 'rw,freezer'),
      mountLine('/', join(r, 'sys/unified'), 'cgroup2', 'rw'),
    ]);
    const dir = join(root, 'sys/freezer/docker', ID);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'freezer.state'), 'THAWED\n');
    const freezer = await resolveFreezer(42, ID, join(root, 'proc'));
    expect(freezer).toEqual({ version: 1, dir });
    await freeze(freezer, 50); // a plain file reads back what was written: FROZEN
    expect(readFileSync(join(dir, 'freezer.state'), 'utf8')).toBe('FROZEN');
    expect(await isFrozen(freezer)).toBe(true);
    thaw(freezer);
    expect(readFileSync(join(dir, 'freezer.state'), 'utf8')).toBe('THAWED');
  });

  it('cgroup v2 (systemd driver, a mount rooted below /): cgroup.freeze, frozen from cgroup.events', async () => {
    const scope = `/system.slice/docker-${ID}.scope`;
    const root = make(`0::${scope}\n`, (r) => [
      mountLine('/system.slice', join(r, 'sys/fs'), 'cgroup2', 'rw'),
    ]);
    const dir = join(root, 'sys/fs', `docker-${ID}.scope`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.freeze'), '1\n');
    writeFileSync(join(dir, 'cgroup.events'), 'populated 1\nfrozen 1\n');
    const freezer = await resolveFreezer(42, ID, join(root, 'proc'));
    expect(freezer).toEqual({ version: 2, dir });
    expect(await isFrozen(freezer)).toBe(true);
    thaw(freezer);
    expect(readFileSync(join(dir, 'cgroup.freeze'), 'utf8')).toBe('0');
  });

  it('refuses what it cannot use, saying why: a path without the container id, no freezer, no mount, no pid, no file', async () => {
    const other = make(V1_CGROUP.replaceAll(ID, 'gateway'), (r) => [
      mountLine('/', join(r, 'sys'), 'cgroup', 'rw,freezer'),
    ]);
    await expect(resolveFreezer(42, ID, join(other, 'proc'))).rejects.toThrow(
      /not in the container's cgroup/,
    );
    const hybridNoFreezer = make(`1:cpu:/docker/${ID}\n0::/docker/${ID}\n`, (r) => [
      mountLine('/', join(r, 'sys'), 'cgroup2', 'rw'),
    ]);
    await expect(resolveFreezer(42, ID, join(hybridNoFreezer, 'proc'))).rejects.toThrow(/no freezer cgroup/);
    const unmounted = make(V1_CGROUP, () => []);
    await expect(resolveFreezer(42, ID, join(unmounted, 'proc'))).rejects.toThrow(/not mounted here/);
    await expect(resolveFreezer(43, ID, join(unmounted, 'proc'))).rejects.toThrow(/cannot read .*43\/cgroup/);
    await expect(resolveFreezer(0, ID, join(unmounted, 'proc'))).rejects.toThrow(FreezerUnusable);
    const outside = make(V1_CGROUP, (r) => [mountLine('/kubepods', join(r, 'sys'), 'cgroup', 'rw,freezer')]);
    await expect(resolveFreezer(42, ID, join(outside, 'proc'))).rejects.toThrow(
      /outside this gateway's view/,
    );
    const noFile = make(V1_CGROUP, (r) => [mountLine('/', join(r, 'sys'), 'cgroup', 'rw,freezer')]);
    await expect(resolveFreezer(42, ID, join(noFile, 'proc'))).rejects.toThrow(
      /freezer.state is not writable/,
    );
  });
});
