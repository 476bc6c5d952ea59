import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { StorageQuota } from '../quota/storage-quota.js';

/** Kestra's internal storage scheme: `kestra:///{ns path}/{flow}/executions/{id}/...`. */
export const STORAGE_SCHEME = 'kestra://';

/** What `read()` and the ForEachItem split read at most from one file (bytes). */
export const MAX_READ_BYTES = 16 * 1024 * 1024;

/** A `kestra:///` URI that does not name a file of this tenant's storage folder. */
export class StorageUriError extends Error {
  override readonly name = 'StorageUriError';
  readonly code = 'STORAGE_URI';
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(`Invalid internal storage URI '${uri}': ${reason}`);
  }
}

/**
 * The tenant's internal storage: files under `{dataDir}/storage`, named by
 * `kestra:///` URIs (Kestra's `StorageInterface`, local flavour). One
 * instance serves one tenant, so a URI can only ever reach that tenant's
 * folder: `..`, encoded separators and absolute tricks are refused.
 *
 * @example
 * const storage = new InternalStorage(dataDir);
 * const uri = storage.put(['ns', 'flow', 'executions', id, 'inputs', 'file'], 'a.txt', bytes);
 * storage.readText(uri); // the file's content
 */
export class InternalStorage {
  private readonly root: string;
  private readonly dataDir: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir, 'storage');
    this.dataDir = dataDir;
  }

  /** The file behind a `kestra:///` URI, or `StorageUriError` when it would leave the storage folder. */
  pathOf(uri: string): string {
    if (typeof uri !== 'string' || !uri.startsWith(STORAGE_SCHEME))
      throw new StorageUriError(String(uri), `expected a ${STORAGE_SCHEME}/ URI`);
    let rest = uri.slice(STORAGE_SCHEME.length);
    // `kestra:///a/b` (empty authority) and Kestra's `kestra://a/b` both name `a/b`.
    rest = rest.replace(/^\/+/, '');
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      throw new StorageUriError(uri, 'bad percent-encoding');
    }
    const parts = decoded.split('/');
    if (decoded.includes('\\') || decoded.includes('\0') || parts.some((p) => p === '..' || p === '.'))
      throw new StorageUriError(uri, 'path traversal');
    if (parts.some((p) => p === '')) throw new StorageUriError(uri, 'empty path segment');
    const full = resolve(this.root, ...parts);
    const rel = relative(this.root, full);
    if (rel === '' || rel.startsWith('..') || rel.split(sep)[0] === '..')
      throw new StorageUriError(uri, 'outside the storage folder');
    return full;
  }

  /** Reads a file whole, refusing one larger than `maxBytes` (never reads past it). */
  read(uri: string, maxBytes = MAX_READ_BYTES): Buffer {
    const path = this.pathOf(uri);
    let fd: number;
    try {
      // A symbolic link inside the storage folder must not lead out of it.
      const real = realpathSync(path);
      const rel = relative(realpathSync(this.root), real);
      if (rel === '' || rel.startsWith('..')) throw new StorageUriError(uri, 'outside the storage folder');
      fd = openSync(real, 'r');
    } catch (err) {
      if (err instanceof StorageUriError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new StorageUriError(uri, code === 'ENOENT' ? 'no such file' : `cannot open (${code})`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new StorageUriError(uri, 'not a file');
      if (st.size > maxBytes)
        throw new StorageUriError(uri, `the file is ${st.size} bytes, over the limit of ${maxBytes}`);
      const buf = Buffer.alloc(st.size);
      let off = 0;
      while (off < st.size) {
        const n = readSync(fd, buf, off, st.size - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  /** Reads a file as UTF-8 text. */
  readText(uri: string, maxBytes = MAX_READ_BYTES): string {
    return this.read(uri, maxBytes).toString('utf8');
  }

  /**
   * Writes `data` at `segments/name` and answers its URI. Segments come from
   * ids (namespace parts, flow, execution, task); the name is reduced to its
   * last path part so it cannot leave its folder.
   */
  put(segments: readonly string[], name: string, data: string | Uint8Array): string {
    const file = safeName(name);
    const rel = [...segments, file];
    const uri = `${STORAGE_SCHEME}/${rel.map(encodeSegment).join('/')}`;
    const path = this.pathOf(uri);
    StorageQuota.of(this.dataDir)?.assertRoom(
      typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
      `the internal storage file ${uri}`,
    );
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    return uri;
  }

  /** How many files a folder of the storage holds, at any depth (0 when it does not exist). */
  countFiles(segments: readonly string[]): number {
    const path = this.pathOf(`${STORAGE_SCHEME}/${segments.map(encodeSegment).join('/')}`);
    if (!existsSync(path)) return 0;
    return readdirSync(path, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
  }

  /** Removes a folder of the storage and everything under it (nothing half-written stays). */
  remove(segments: readonly string[]): void {
    if (segments.length === 0) return;
    const path = this.pathOf(`${STORAGE_SCHEME}/${segments.map(encodeSegment).join('/')}`);
    rmSync(path, { recursive: true, force: true });
  }
}

/** A file name that cannot leave its folder: the last path part, never `.`/`..`/empty. */
export function safeName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  return last === '' || last === '.' || last === '..' ? 'file' : last;
}

/** URI-encodes what would change the path's meaning, keeps names readable otherwise (as the FILE inputs' URIs are). */
function encodeSegment(s: string): string {
  return s.replace(/[%/?#\\]/g, (c) => encodeURIComponent(c));
}
