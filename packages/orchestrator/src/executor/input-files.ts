import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UploadedFile } from '../flow/inputs/index.js';

/**
 * A `storeFile` for `resolveInputs`: writes the file under the tenant's
 * `storage/` folder at `segments/{inputId}/{file name}` and answers its
 * `kestra:///` URI (Kestra's layout: `kestra:///{ns path}/{flow}/executions/{id}/inputs/{input}/{name}`).
 * The file name is reduced to its last path part, so it cannot leave its folder.
 *
 * @example
 * fileStorer(dataDir, ['company', 'team', 'hello', 'executions', id, 'inputs'])('doc', file);
 */
export function fileStorer(dataDir: string, segments: readonly string[]) {
  return (inputId: string, file: UploadedFile): string => {
    const name = safeName(file.name);
    const rel = [...segments, inputId, name];
    const dir = join(dataDir, 'storage', ...rel.slice(0, -1));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), file.data);
    return `kestra:///${rel.join('/')}`;
  };
}

/** Removes what `fileStorer` wrote under `segments` (inputs refused: nothing half-written stays). */
export function removeStored(dataDir: string, segments: readonly string[]): void {
  rmSync(join(dataDir, 'storage', ...segments), { recursive: true, force: true });
}

/** A file name that cannot leave its folder: the last path part, never `.`/`..`/empty. */
function safeName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  return last === '' || last === '.' || last === '..' ? 'file' : last;
}
