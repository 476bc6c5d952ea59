import { readFileSync, writeFileSync } from 'node:fs';
import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A container's cgroup freezer, read and written directly: what `runc
 * pause`/`runc resume` do, without dockerd → containerd → shim → runc (a Go
 * binary's fork and exec, 40 ms on a quiet machine, 100–300 ms on a loaded
 * one). cgroup v1: `freezer.state` (FROZEN/THAWED); cgroup v2:
 * `cgroup.freeze` (1/0), `frozen 1` in `cgroup.events` once done.
 *
 * The directory is resolved from `/proc/<container init pid>/cgroup` and the
 * gateway's own `/proc/self/mountinfo`, never guessed, so the cgroupfs and
 * systemd drivers and a `--cgroup-parent` all work; the path must name the
 * container id (a different pid namespace — a gateway in a container, a
 * remote engine — shows another process there, or none).
 */
export type Freezer = {
  version: 1 | 2;
  /** The container's freezer cgroup directory on this host. */
  dir: string;
};

/** One line of `/proc/<pid>/cgroup`: `hierarchy-id:controllers:path`. */
type CgroupLine = { controllers: string[]; path: string };
/** One cgroup mount of `/proc/self/mountinfo`: its root inside the hierarchy and where it is mounted. */
type CgroupMount = { root: string; mountPoint: string; fsType: string; superOptions: string[] };

/** Error whose message says why the freezer cannot be used (the gateway logs it once). */
export class FreezerUnusable extends Error {}

/**
 * The freezer of the container `containerId` whose init is `pid` (both from
 * `docker inspect`), or a `FreezerUnusable` saying why not. `procRoot`: where
 * `/proc` is (tests point it elsewhere).
 */
export async function resolveFreezer(pid: number, containerId: string, procRoot = '/proc'): Promise<Freezer> {
  if (!Number.isInteger(pid) || pid <= 0) throw new FreezerUnusable(`the container has no init pid (${pid})`);
  const [cgroupText, mountText] = await Promise.all([
    readText(join(procRoot, String(pid), 'cgroup')),
    readText(join(procRoot, 'self', 'mountinfo')),
  ]);
  const lines = parseCgroups(cgroupText);
  const mounts = parseMountinfo(mountText);
  const v1 = lines.find((l) => l.controllers.includes('freezer'));
  const v2 = lines.find((l) => l.controllers.length === 0);
  let freezer: Freezer;
  if (v1 !== undefined) {
    const mount = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('freezer'));
    freezer = { version: 1, dir: hostPath(mount, v1.path, 'the cgroup v1 freezer') };
  } else if (v2 !== undefined && lines.every((l) => l.controllers.length === 0)) {
    // Pure cgroup v2 only: on a hybrid host without a v1 freezer, runc has no freezer to pause with.
    const mount = mounts.find((m) => m.fsType === 'cgroup2');
    freezer = { version: 2, dir: hostPath(mount, v2.path, 'the cgroup v2 hierarchy') };
  } else {
    throw new FreezerUnusable(`no freezer cgroup in ${join(procRoot, String(pid), 'cgroup')}`);
  }
  if (!freezer.dir.includes(containerId)) {
    throw new FreezerUnusable(
      `pid ${pid} here is not in the container's cgroup (${freezer.dir}): the engine's pids are not this gateway's (a gateway in a container, or a remote engine)`,
    );
  }
  const file = stateFile(freezer);
  try {
    await access(file, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new FreezerUnusable(
      `${file} is not writable by the gateway (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  return freezer;
}

/** Whether the container's cgroup is frozen (v1: FROZEN; FREEZING is not yet). */
export async function isFrozen(freezer: Freezer): Promise<boolean> {
  if (freezer.version === 1) return (await readText(stateFile(freezer))).trim() === 'FROZEN';
  return /^frozen 1$/m.test(await readText(join(freezer.dir, 'cgroup.events')));
}

/**
 * Thaws the cgroup; throws unless it reads back thawed (v1: `freezer.state`
 * is THAWED once the write returns; v2: `cgroup.freeze` reads 0 — the kernel
 * wakes the tasks, `frozen` in `cgroup.events` follows). Synchronous on
 * purpose: it is on a request's path, and on a loaded machine the thread
 * pool's two hops cost more than the write itself (about 2 ms of kernel time).
 */
export function thaw(freezer: Freezer): void {
  const file = stateFile(freezer);
  writeFileSync(file, freezer.version === 1 ? 'THAWED' : '0');
  const state = readFileSync(file, 'utf8').trim();
  if (state !== (freezer.version === 1 ? 'THAWED' : '0'))
    throw new Error(`${freezer.dir} is still frozen after the thaw (${state})`);
}

/**
 * Freezes the cgroup and waits until the kernel says it is frozen (a task in
 * an uninterruptible sleep delays it), polling every millisecond for at most
 * `timeoutMs`; thaws it again and throws when it does not get there.
 */
export async function freeze(freezer: Freezer, timeoutMs = 1_000): Promise<void> {
  await writeFile(stateFile(freezer), freezer.version === 1 ? 'FROZEN' : '1');
  const deadline = performance.now() + timeoutMs;
  for (let i = 0; i < 10_000 && performance.now() < deadline; i++) {
    if (await isFrozen(freezer)) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  try {
    thaw(freezer);
  } catch {
    // gone meanwhile, or it stays frozen: the caller hears the error below
  }
  throw new Error(`${freezer.dir} did not freeze within ${timeoutMs} ms`);
}

function stateFile(freezer: Freezer): string {
  return join(freezer.dir, freezer.version === 1 ? 'freezer.state' : 'cgroup.freeze');
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new FreezerUnusable(`cannot read ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
}

/** `4:freezer:/docker/<id>` → { controllers: ['freezer'], path }; `0::/…` (v2) has no controllers. */
export function parseCgroups(text: string): CgroupLine[] {
  const out: CgroupLine[] = [];
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    out.push({ controllers: controllers === '' ? [] : controllers.split(','), path: line.slice(second + 1) });
  }
  return out;
}

/** The cgroup mounts of a mountinfo text (`id parent maj:min root mountpoint opts [optional…] - fstype source superopts`). */
export function parseMountinfo(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    const fsType = fields[dash + 1] as string;
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    out.push({
      root: unescapeOctal(fields[3] as string),
      mountPoint: unescapeOctal(fields[4] as string),
      fsType,
      superOptions: (fields[dash + 3] as string).split(','),
    });
  }
  return out;
}

/** Where the cgroup `path` of a hierarchy is on this host: under its mount point, relative to the mount's root. */
function hostPath(mount: CgroupMount | undefined, path: string, what: string): string {
  if (mount === undefined) throw new FreezerUnusable(`${what} is not mounted here`);
  const root = mount.root === '/' ? '' : mount.root;
  if (root !== '' && path !== root && !path.startsWith(`${root}/`))
    throw new FreezerUnusable(
      `the container's cgroup ${path} is outside this gateway's view of ${what} (${mount.root})`,
    );
  return join(mount.mountPoint, path.slice(root.length));
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
