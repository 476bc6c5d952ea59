import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/** The environment variable that marks an instance as started by the driver over one tenants folder. */
export const DRIVER_ID_ENV = 'SILO_DRIVER_ID';

/** A short, path-free id of a driver's tenants folder (an instance's environment shows no host path). */
export function driverId(tenantsRoot: string): string {
  return createHash('sha256').update(tenantsRoot).digest('hex').slice(0, 16);
}

/** A live instance process found in /proc, as its own environment describes it. */
export type FoundInstance = {
  /** The instance itself (inside a sandbox: its pid as the host sees it). */
  pid: number;
  tenantId: string;
  instanceToken: string | undefined;
  env: Record<string, string>;
};

/**
 * Every live instance process (argv contains `entry`, not bwrap itself)
 * whose environment carries this driver's id: those recorded in
 * `instance.json` and those that are not (a gateway killed between spawn
 * and writing the record). Linux only; elsewhere nothing is found. Reads
 * `/proc/<pid>/environ`, which only the process's own uid or root may.
 *
 * @example
 * const live = await scanInstances(driverId(root), entry);
 */
export async function scanInstances(id: string, entry: string): Promise<FoundInstance[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
  const found: FoundInstance[] = [];
  for (const name of pids) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    const argv = await readFile(`/proc/${pid}/cmdline`, 'utf8').then(
      (t) => t.split('\0'),
      () => [] as string[],
    );
    if (!argv.includes(entry) || basename(argv[0] ?? '') === 'bwrap') continue;
    const env = await readEnviron(pid);
    if (env === undefined || env[DRIVER_ID_ENV] !== id || env.SILO_TENANT_ID === undefined) continue;
    if (!(await running(pid))) continue;
    found.push({ pid, tenantId: env.SILO_TENANT_ID, instanceToken: env.SILO_INSTANCE_TOKEN, env });
  }
  return found;
}

async function readEnviron(pid: number): Promise<Record<string, string> | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/environ`, 'utf8');
    const env: Record<string, string> = {};
    for (const pair of text.split('\0')) {
      const at = pair.indexOf('=');
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}

async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * The instance inside a sandbox: bwrap (the spawned child) → bwrap's reaper
 * (pid 1 of the namespace) → the instance. Polls `/proc/<pid>/task/<pid>/children`
 * until that grandchild exists, while `alive()` and at most `timeoutMs`.
 */
export async function sandboxedChild(
  bwrapPid: number,
  alive: () => boolean,
  timeoutMs = 5_000,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    const reaper = (await children(bwrapPid))[0];
    const instance = reaper === undefined ? undefined : (await children(reaper))[0];
    if (instance !== undefined) return instance;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

async function children(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}
