import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedDataVersionTag } from 'node:v8';

/** The repo root, from `gateway/{src,dist}/runtime/process/` (same depth in both). */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * What a sandboxed instance needs of the repo, bound read-only: the
 * orchestrator and contracts packages (dist, package.json) and node_modules
 * (better-sqlite3 and its native addon). Nothing else of the repo, so a data
 * folder kept inside it (`.silo`) stays out of sight.
 */
export const APP_PATHS: readonly string[] = [
  join(ROOT, 'packages', 'orchestrator'),
  join(ROOT, 'packages', 'contracts'),
  join(ROOT, 'node_modules'),
];

/** The compiled entry (`tsc -b`), one file per module. */
export const ORCHESTRATOR_MAIN = join(ROOT, 'packages', 'orchestrator', 'dist', 'main.js');
/** The same entry bundled into one file (`npm run build`: packages/orchestrator/scripts/bundle.mjs). */
export const ORCHESTRATOR_BUNDLE = join(ROOT, 'packages', 'orchestrator', 'dist', 'bundle', 'main.js');

/**
 * The file an instance runs: the one-file bundle when it exists and none of
 * the compiled workspace files it was made from (its `inputs.json`, written
 * by the bundle script) is newer, else the compiled `dist/main.js`. So a
 * bundle left from an older build is never started after a plain `tsc -b`
 * that changed what it contains. The bundle boots faster: Node loads one file
 * instead of a few hundred.
 *
 * @example
 * spawn(process.execPath, [orchestratorEntry()], { env });
 */
export function orchestratorEntry(root: string = ROOT): string {
  const main = join(root, 'packages', 'orchestrator', 'dist', 'main.js');
  const bundle = join(root, 'packages', 'orchestrator', 'dist', 'bundle', 'main.js');
  try {
    const bundled = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(
      readFileSync(join(root, 'packages', 'orchestrator', 'dist', 'bundle', 'inputs.json'), 'utf8'),
    ) as string[];
    for (const input of inputs) if (statSync(join(root, input)).mtimeMs > bundled) return main;
    return bundle;
  } catch {
    // No bundle, no list, or a file of the list is gone (renamed since): the compiled entry.
    return main;
  }
}

/** The bundle's startup snapshot (packages/orchestrator/scripts/snapshot.mjs), with `blob.json` beside it. */
export const ORCHESTRATOR_BLOB = join(ROOT, 'packages', 'orchestrator', 'dist', 'bundle', 'instance.blob');

/**
 * The command that starts an instance: `node --snapshot-blob instance.blob`
 * (every module already evaluated: the fastest boot) when the bundle is the
 * entry (`orchestratorEntry`) and its blob was built by this very node
 * binary (`blob.json`: version, arch, platform, V8 cache tag, the binary's
 * path, size and mtime), else `node <entry>`. The check matters: Node 20
 * aborts on a blob of another binary instead of falling back.
 *
 * @example
 * const [program, ...args] = orchestratorCommand();
 */
export function orchestratorCommand(root: string = ROOT): string[] {
  const entry = orchestratorEntry(root);
  const dir = join(root, 'packages', 'orchestrator', 'dist', 'bundle');
  if (entry !== join(dir, 'main.js')) return [process.execPath, entry];
  try {
    const blob = join(dir, 'instance.blob');
    const stamp = JSON.parse(readFileSync(join(dir, 'blob.json'), 'utf8')) as Record<string, unknown>;
    const exe = statSync(process.execPath);
    const same =
      stamp.node === process.version &&
      stamp.arch === process.arch &&
      stamp.platform === process.platform &&
      stamp.v8CacheTag === cachedDataVersionTag() &&
      stamp.execPath === realpathSync(process.execPath) &&
      stamp.execSize === exe.size &&
      stamp.execMtimeMs === exe.mtimeMs;
    if (same && statSync(blob).mtimeMs >= statSync(entry).mtimeMs)
      return [process.execPath, '--snapshot-blob', blob];
  } catch {
    // No blob (not built, or its build failed): the bundle with its code cache.
  }
  return [process.execPath, entry];
}

/** The orchestrator package's version (the current build's version name), or `unknown` where it is not shipped. */
export function currentBuildVersion(root: string = ROOT): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'packages', 'orchestrator', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
