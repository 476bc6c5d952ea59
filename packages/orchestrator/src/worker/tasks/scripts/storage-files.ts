import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { glob } from 'tinyglobby';
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

/** The most files one task's `outputFiles` may keep. */
const MAX_OUTPUT_FILES = 1000;

/**
 * Kestra's `outputFiles`: the files of the working directory that match the
 * globs (`out/**`, `*.csv`), each stored in the internal storage under the
 * task run; answers `{ relative path: kestra:/// URI }`.
 *
 * @example
 * await storeOutputFiles(['out/*.txt'], workingDir, dataDir, ['company', 'team', 'f', 'executions', id, 'tasks', 't', trId]);
 * // { 'out/a.txt': 'kestra:///company/team/f/executions/<id>/tasks/t/<trId>/out/a.txt' }
 */
export async function storeOutputFiles(
  globs: readonly string[],
  workingDir: string,
  dataDir: string,
  segments: readonly string[],
): Promise<Record<string, string>> {
  const files = await glob([...globs], {
    cwd: workingDir,
    onlyFiles: true,
    dot: true,
    followSymbolicLinks: false,
  });
  if (files.length > MAX_OUTPUT_FILES)
    throw new NonRetryableTaskError(
      `outputFiles matched ${files.length} files, over the limit of ${MAX_OUTPUT_FILES}`,
    );
  const storage = new InternalStorage(dataDir);
  const out: Record<string, string> = {};
  for (const rel of files.sort()) {
    const parts = rel.split('/');
    const name = parts.pop() ?? rel;
    out[rel] = storage.put([...segments, ...parts], name, await readFile(join(workingDir, rel)));
  }
  return out;
}
