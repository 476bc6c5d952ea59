import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
