import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { glob } from 'tinyglobby';
import { InternalStorage, StorageUriError } from '../../../storage/internal-storage.js';
import { NamespaceFiles } from '../../../storage/namespace-files.js';
import { NonRetryableTaskError, type RunContext } from '../../runnable-task.js';

/** The most files one task's `inputFiles` or `namespaceFiles` may write. */
const MAX_FILES = 1000;

/** A relative path inside the working directory, or a clear refusal naming the property. */
function inside(workingDir: string, rel: string, property: string): string {
  const path = resolve(workingDir, rel);
  const back = relative(workingDir, path);
  if (rel === '' || isAbsolute(rel) || back === '' || back.startsWith(`..${sep}`) || back === '..')
    throw new NonRetryableTaskError(`${property}: '${rel}' is not a path inside the working directory`);
  return path;
}

/**
 * Kestra's `inputFiles`: a map (or a template rendering to a JSON map) of
 * relative path → content. A content that is a `kestra://` URI is the file
 * of the internal storage; any other is rendered text written as it is.
 *
 * @example
 * await writeInputFiles(ctx, { 'data/in.csv': '{{ outputs.dl.uri }}', 'main.sh': 'echo hi' }, workingDir);
 */
export async function writeInputFiles(ctx: RunContext, raw: unknown, workingDir: string): Promise<void> {
  let files = raw;
  if (typeof raw === 'string') {
    const text = ctx.render(raw);
    try {
      files = JSON.parse(text) as unknown;
    } catch {
      throw new NonRetryableTaskError(
        `inputFiles must render to a JSON map of path to content, got '${text}'`,
      );
    }
  }
  if (files === null || typeof files !== 'object' || Array.isArray(files))
    throw new NonRetryableTaskError('inputFiles must be a map of path to content');
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.length > MAX_FILES)
    throw new NonRetryableTaskError(`inputFiles has ${entries.length} files, over the limit of ${MAX_FILES}`);
  const storage = new InternalStorage(ctx.dataDir);
  for (const [name, value] of entries) {
    const path = inside(workingDir, ctx.render(name), 'inputFiles');
    const content = typeof value === 'string' ? ctx.render(value) : JSON.stringify(ctx.renderValue(value));
    await mkdir(dirname(path), { recursive: true });
    if (content.startsWith('kestra://')) {
      try {
        await writeFile(path, storage.read(content));
      } catch (err) {
        if (err instanceof StorageUriError)
          throw new NonRetryableTaskError(`inputFiles.${name}: ${err.message}`);
        throw err;
      }
    } else await writeFile(path, content);
  }
}

/**
 * Kestra's `namespaceFiles`: when `enabled` (default true), the files of the
 * flow's namespace (or of `namespaces`) that match `include` and none of
 * `exclude` (globs, default all) are copied into the working directory —
 * into one folder per namespace with `folderPerNamespace`.
 */
export async function copyNamespaceFiles(ctx: RunContext, raw: unknown, workingDir: string): Promise<void> {
  const spec = ctx.renderValue(raw) as {
    enabled?: unknown;
    include?: unknown;
    exclude?: unknown;
    namespaces?: unknown;
    folderPerNamespace?: unknown;
  };
  if (spec.enabled === false || spec.enabled === 'false') return;
  const list = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    throw new NonRetryableTaskError(`namespaceFiles.${name} must be a list of strings`);
  };
  const include = list(spec.include, 'include') ?? ['**'];
  const exclude = list(spec.exclude, 'exclude') ?? [];
  const namespaces = list(spec.namespaces, 'namespaces') ?? [ctx.namespace];
  const perNamespace = spec.folderPerNamespace === true || spec.folderPerNamespace === 'true';
  const files = new NamespaceFiles(ctx.dataDir);
  let count = 0;
  for (const ns of namespaces) {
    const root = files.root(ns);
    const found = await glob(include, {
      cwd: root,
      ignore: exclude,
      onlyFiles: true,
      dot: true,
      followSymbolicLinks: false,
    }).catch(() => [] as string[]);
    count += found.length;
    if (count > MAX_FILES) throw new NonRetryableTaskError(`namespaceFiles matched over ${MAX_FILES} files`);
    for (const rel of found.sort()) {
      const path = inside(workingDir, perNamespace ? join(ns, rel) : rel, 'namespaceFiles');
      await mkdir(dirname(path), { recursive: true });
      await copyFile(join(root, rel), path);
    }
  }
}
