import { execFile } from 'node:child_process';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TarEntry } from './tar-writer.js';

const run = promisify(execFile);

/**
 * The shell of the offline base image: Debian's `busybox-static` (one static
 * binary, no library to copy, about 2 MB) at `/bin/busybox`, with a link per
 * applet where `busybox --list-full` says it lives (`/bin/sh`, `/bin/ls`,
 * `/usr/bin/awk`, … about 270), as `busybox --install` would make them. So
 * Kestra's default `io.kestra.plugin.scripts.shell.Commands` (interpreter
 * `/bin/sh -c`) and the usual utilities work in the Docker runtime without a
 * package manager or a registry. Why busybox and not the host's dash and
 * coreutils: one file, static, the same on every host, and its applets are
 * the POSIX set scripts expect; README.md ("Docker") lists them.
 */

/** Where Debian's `busybox-static` (and most distributions' busybox) installs the binary. */
export const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/sbin/busybox'] as const;

/** The first busybox of `candidates` that exists here, or `undefined`. */
export function findBusybox(candidates: readonly string[] = BUSYBOX_CANDIDATES): string | undefined {
  return candidates.find((path) => existsSync(path));
}

/** Parses `busybox --list-full` into image paths of its applets (without `bin/busybox` itself). */
export function parseAppletList(output: string): string[] {
  const seen = new Set<string>();
  for (const raw of output.split('\n')) {
    const path = raw.trim().replace(/^\/+/, '');
    if (!/^(usr\/)?s?bin\/[A-Za-z0-9_.[-]+$/.test(path) || path === 'bin/busybox') continue;
    seen.add(path);
  }
  return [...seen].sort();
}

/** A busybox to ship: the binary, its version line, and its applets' paths. */
export type BusyboxPlan = { source: string; version: string; applets: string[] };

/**
 * Asks `busybox` for its version and applets.
 *
 * @example
 * const plan = await planBusybox('/bin/busybox');
 * plan.applets.includes('bin/sh'); // true
 */
export async function planBusybox(path: string): Promise<BusyboxPlan> {
  const source = realpathSync(path);
  const { stdout } = await run(source, ['--list-full'], { timeout: 10_000 });
  const applets = parseAppletList(stdout);
  if (!applets.includes('bin/sh')) throw new Error(`${path} has no sh applet: not a usable busybox`);
  // `busybox` alone prints its banner and exits 0 (Debian) or 1 (some builds): read either.
  const banner = await run(source, [], { timeout: 10_000 }).catch((err: { stdout?: string }) => err);
  const version = /BusyBox v(\S+)/.exec(String(banner.stdout ?? ''))?.[1] ?? 'unknown';
  return { source, version, applets };
}

/** The tar entries of a busybox plan: `/bin/busybox` (0755) and one symbolic link per applet. */
export function busyboxEntries(plan: BusyboxPlan): TarEntry[] {
  const size = statSync(plan.source).size;
  return [
    { type: 'file', path: 'bin/busybox', source: plan.source, size, mode: 0o755 },
    ...plan.applets.map((path): TarEntry => ({ type: 'symlink', path, target: '/bin/busybox' })),
  ];
}
