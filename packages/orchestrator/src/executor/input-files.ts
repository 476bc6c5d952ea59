import type { UploadedFile } from '../flow/inputs/index.js';
import { InternalStorage } from '../storage/internal-storage.js';

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
  const storage = new InternalStorage(dataDir);
  return (inputId: string, file: UploadedFile): string =>
    storage.put([...segments, inputId], file.name, file.data);
}

/** Removes what `fileStorer` wrote under `segments` (inputs refused: nothing half-written stays). */
export function removeStored(dataDir: string, segments: readonly string[]): void {
  new InternalStorage(dataDir).remove(segments);
}
