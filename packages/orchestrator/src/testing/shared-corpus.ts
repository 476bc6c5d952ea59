import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `shared/` folder beside the repository (Kestra's conformance corpus and
 * API spec live there and are never copied in). Found by walking up from this
 * file, so it works from `src/` and from `dist/`; fails with a clear message
 * when it is not there.
 *
 * @example
 * const flows = sharedPath('conformance', 'kestra-flows');
 */
export function sharedPath(...segments: string[]): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'shared', ...segments);
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  throw new Error(
    `shared corpus not found: looked for shared/${segments.join('/')} in the folders above ${fileURLToPath(import.meta.url)}; ` +
      'the conformance corpus must be checked out next to the repository (../shared)',
  );
}

/**
 * Every `.yaml`/`.yml` file under a folder, recursively, as paths relative to it.
 *
 * @example
 * listYamlFiles(sharedPath('conformance', 'kestra-flows')); // ['allow-failure.yaml', ..., 'newer/after-execution.yaml']
 */
export function listYamlFiles(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, sub)).sort()) {
    const rel = sub === '' ? name : `${sub}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) out.push(...listYamlFiles(root, rel));
    else if (/\.ya?ml$/.test(name)) out.push(rel);
  }
  return out;
}
