import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalStorage, StorageUriError } from '../../../storage/internal-storage.js';
import { NonRetryableTaskError } from '../../runnable-task.js';

/** A `kestra:///` URI as it appears in a rendered command (up to a quote, a space or the line's end). */
const STORAGE_URI = /kestra:\/\/\/[^\s'"`;|&<>()]+/g;

/**
 * Kestra's handling of internal-storage files in a script: every `kestra:///`
 * URI in the rendered text is copied from the internal storage into the
 * working directory and replaced by that local path, so `cat "{{ inputs.file }}"`
 * reads the file. The same URI twice is copied once.
 *
 * @example
 * await localizeStorageUris('cat "kestra:///n/f/executions/e/inputs/f/a.txt"', '/work', dataDir);
 * // 'cat "/work/a.txt"'
 */
export async function localizeStorageUris(
  text: string,
  workingDir: string,
  dataDir: string,
): Promise<string> {
  const uris = [...new Set(text.match(STORAGE_URI) ?? [])];
  if (uris.length === 0) return text;
  const storage = new InternalStorage(dataDir);
  const local = new Map<string, string>();
  for (const [i, uri] of uris.entries()) {
    let data: Buffer;
    try {
      data = storage.read(uri);
    } catch (err) {
      if (err instanceof StorageUriError) throw new NonRetryableTaskError(err.message);
      throw err;
    }
    const base = decodeURIComponent(uri.split('/').at(-1) ?? 'file').replace(/[^\w.-]/g, '_');
    const path = join(workingDir, uris.length > 1 ? `${i}-${base}` : base);
    await writeFile(path, data);
    local.set(uri, path);
  }
  return text.replace(STORAGE_URI, (uri) => local.get(uri) ?? uri);
}
