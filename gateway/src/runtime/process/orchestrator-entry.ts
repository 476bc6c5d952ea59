import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `packages/` from `gateway/{src,dist}/runtime/process/` (same depth in both). */
const PACKAGES = fileURLToPath(new URL('../../../../packages/', import.meta.url));

/** The compiled entry (`tsc -b`), one file per module. */
export const ORCHESTRATOR_MAIN = join(PACKAGES, 'orchestrator', 'dist', 'main.js');
/** The same entry bundled into one file (`npm run build`: packages/orchestrator/scripts/bundle.mjs). */
export const ORCHESTRATOR_BUNDLE = join(PACKAGES, 'orchestrator', 'dist', 'bundle', 'main.js');

/** Newest modification time (ms) of the `.js` files under `dir`, skipping `skip`; 0 if none. */
function newestJs(dir: string, skip?: string): number {
  let newest = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (path === skip) continue;
    if (name.endsWith('.js')) newest = Math.max(newest, statSync(path).mtimeMs);
    else if (!name.includes('.')) newest = Math.max(newest, newestJs(path, skip));
  }
  return newest;
}

/**
 * The file an instance runs: the one-file bundle when it exists and is at
 * least as new as every compiled module it was made from (the orchestrator's
 * and contracts' `dist/`), else the compiled `dist/main.js`. A bundle left
 * from an older build is never started after a plain `tsc -b`. The bundle
 * boots faster: Node loads one file instead of a few hundred.
 *
 * @example
 * spawn(process.execPath, [orchestratorEntry()], { env });
 */
export function orchestratorEntry(): string {
  let bundled: number;
  try {
    bundled = statSync(ORCHESTRATOR_BUNDLE).mtimeMs;
  } catch {
    return ORCHESTRATOR_MAIN;
  }
  const bundleDir = join(PACKAGES, 'orchestrator', 'dist', 'bundle');
  const compiled = Math.max(
    newestJs(join(PACKAGES, 'orchestrator', 'dist'), bundleDir),
    newestJs(join(PACKAGES, 'contracts', 'dist')),
  );
  return bundled >= compiled ? ORCHESTRATOR_BUNDLE : ORCHESTRATOR_MAIN;
}
