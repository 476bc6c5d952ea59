import { z } from 'zod';

/** A version name: usable as a folder name and as a Docker tag (`0.2.0`, `0.2.0-rc.1`). */
export const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;

export const VersionNameSchema = z
  .string({ message: 'version: a version name is required' })
  .regex(VERSION_NAME, 'a version name: a letter or digit, then letters, digits, ".", "_", "-" (64 at most)');

/**
 * Orders version names as people read them: numeric parts as numbers
 * (`0.10.0` after `0.9.1`), a pre-release (`1.0.0-rc.1`) before its release.
 *
 * @example
 * ['0.10.0', '0.9.1', '1.0.0-rc.1', '1.0.0'].sort(compareVersions); // ['0.9.1', '0.10.0', '1.0.0-rc.1', '1.0.0']
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = splitOnce(a, '-');
  const [coreB = '', preB] = splitOnce(b, '-');
  const byCore = compareParts(coreA, coreB);
  if (byCore !== 0) return byCore;
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  return compareParts(preA, preB);
}

/** The newest of some version names (undefined for none). */
export function newestVersion(names: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const name of names) if (best === undefined || compareVersions(name, best) > 0) best = name;
  return best;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const at = s.indexOf(sep);
  return at < 0 ? [s, undefined] : [s.slice(0, at), s.slice(at + 1)];
}

function compareParts(a: string, b: string): number {
  const pa = a.split(/[._]/);
  const pb = b.split(/[._]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    const c =
      nx !== undefined && ny !== undefined
        ? nx - ny
        : nx !== undefined
          ? -1
          : ny !== undefined
            ? 1
            : x < y
              ? -1
              : x > y
                ? 1
                : 0;
    if (c !== 0) return Math.sign(c);
  }
  return 0;
}
