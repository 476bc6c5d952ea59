import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { BadRequestError, ConflictError, NotFoundError, PayloadTooLargeError } from '../errors.js';

/** Largest namespace file, in bytes. */
export const MAX_NAMESPACE_FILE_BYTES = 50 * 1024 * 1024;

/** Kestra's `FileAttributes` (times in ms since the epoch). */
export type FileAttributes = {
  fileName: string;
  lastModifiedTime: number;
  creationTime: number;
  type: 'File' | 'Directory';
  size: number;
  metadata: Record<string, string>;
};

const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * The namespace files of a tenant, under `{dataDir}/files/{namespace}/`
 * (what Kestra keeps at `kestra:///{namespace path}/_files/`). Every path is
 * a `/`-separated path inside the namespace; `..`, NUL, backslashes and
 * symbolic links on the way are refused, so nothing outside the folder is
 * ever read or written. Files are at most `MAX_NAMESPACE_FILE_BYTES`.
 *
 * @example
 * const files = new NamespaceFiles(dataDir);
 * files.write('company.team', '/scripts/hello.py', bytes);
 * files.list('company.team', '/scripts'); // [{ fileName: 'hello.py', type: 'File', ... }]
 */
export class NamespaceFiles {
  constructor(private readonly dataDir: string) {}

  /** The folder of one namespace's files (its parents are not created). */
  root(namespace: string): string {
    if (!NAMESPACE.test(namespace) || namespace.length > 150)
      throw new BadRequestError(`Bad Request: invalid namespace '${namespace}'`, [
        { message: 'must match ^[a-z0-9][a-z0-9._-]*$', path: 'namespace' },
      ]);
    return join(this.dataDir, 'files', namespace);
  }

  /** The segments of a path inside the namespace; a bad one is a 400 naming `field`. */
  segments(path: string | undefined, field = 'path'): string[] {
    const bad = (why: string): never => {
      throw new BadRequestError(`Bad Request: ${field} ${why}`, [{ message: why, path: field }]);
    };
    if (path === undefined) return bad('is required');
    if (path.includes('\0') || path.includes('\\')) bad('must not contain NUL or backslashes');
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.some((p) => p === '..')) bad('must not contain ..');
    if (parts.join('/').length > 1024) bad('is longer than 1024 characters');
    return parts;
  }

  /** The absolute file path, after checking that no existing part of it is a symbolic link. */
  private resolve(namespace: string, parts: string[]): string {
    let at = this.root(namespace);
    for (const p of parts) {
      at = join(at, p);
      const st = lstatSync(at, { throwIfNoEntry: false });
      if (st?.isSymbolicLink())
        throw new BadRequestError('Bad Request: path goes through a symbolic link', [
          { message: 'goes through a symbolic link', path: 'path' },
        ]);
    }
    return at;
  }

  private existing(namespace: string, path: string | undefined) {
    const parts = this.segments(path);
    const full = this.resolve(namespace, parts);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) throw new NotFoundError('namespace file', `${namespace}:/${parts.join('/')}`);
    return { parts, full, st };
  }

  read(namespace: string, path: string | undefined): Buffer {
    const { full, st, parts } = this.existing(namespace, path);
    if (st.isDirectory())
      throw new BadRequestError(`Bad Request: /${parts.join('/')} is a directory`, [
        { message: 'is a directory', path: 'path' },
      ]);
    return readFileSync(full);
  }

  write(namespace: string, path: string | undefined, data: Uint8Array): void {
    const parts = this.segments(path);
    if (parts.length === 0) notRoot('path');
    if (data.byteLength > MAX_NAMESPACE_FILE_BYTES)
      throw new PayloadTooLargeError(
        `Payload Too Large: the file is ${data.byteLength} bytes, more than ${MAX_NAMESPACE_FILE_BYTES}`,
        [{ message: `more than ${MAX_NAMESPACE_FILE_BYTES} bytes`, path: 'fileContent' }],
      );
    const full = this.resolve(namespace, parts);
    if (statSync(full, { throwIfNoEntry: false })?.isDirectory())
      throw new ConflictError(`Conflict: /${parts.join('/')} is a directory`);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, data);
  }

  mkdir(namespace: string, path: string | undefined): void {
    mkdirSync(this.resolve(namespace, this.segments(path)), { recursive: true });
  }

  /** The entries of a directory (the namespace's root when `path` is absent or `/`); an absent root is empty. */
  list(namespace: string, path: string | undefined): FileAttributes[] {
    const parts = this.segments(path ?? '/');
    const full = this.resolve(namespace, parts);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) {
      if (parts.length === 0) return [];
      throw new NotFoundError('namespace directory', `${namespace}:/${parts.join('/')}`);
    }
    if (!st.isDirectory())
      throw new BadRequestError(`Bad Request: /${parts.join('/')} is not a directory`, [
        { message: 'is not a directory', path: 'path' },
      ]);
    return readdirSync(full)
      .sort()
      .flatMap((name) => {
        const s = lstatSync(join(full, name));
        return s.isSymbolicLink() ? [] : [attributes(name, s)];
      });
  }

  stats(namespace: string, path: string | undefined): FileAttributes {
    const { parts, st } = this.existing(namespace, path);
    return attributes(parts.at(-1) ?? '/', st);
  }

  /** Deletes a file or a directory with everything in it. */
  delete(namespace: string, path: string | undefined): void {
    const { parts, full } = this.existing(namespace, path);
    if (parts.length === 0) notRoot('path');
    rmSync(full, { recursive: true, force: true });
  }

  /** Moves a file or a directory; the target must not exist. */
  move(namespace: string, from: string | undefined, to: string | undefined): void {
    const source = this.existing(namespace, from);
    const toParts = this.segments(to, 'to');
    if (source.parts.length === 0) notRoot('from');
    if (toParts.length === 0) notRoot('to');
    const target = this.resolve(namespace, toParts);
    if (statSync(target, { throwIfNoEntry: false }))
      throw new ConflictError(`Conflict: /${toParts.join('/')} already exists`);
    if (toParts.join('/').startsWith(`${source.parts.join('/')}/`))
      throw new BadRequestError('Bad Request: cannot move a directory into itself', [
        { message: 'is inside from', path: 'to' },
      ]);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(source.full, target);
  }
}

function notRoot(field: string): never {
  throw new BadRequestError(`Bad Request: ${field} must name a file or directory, not the namespace root`, [
    { message: 'must not be the root', path: field },
  ]);
}

function attributes(fileName: string, st: import('node:fs').Stats): FileAttributes {
  const dir = st.isDirectory();
  return {
    fileName,
    lastModifiedTime: Math.round(st.mtimeMs),
    creationTime: Math.round(st.birthtimeMs || st.ctimeMs),
    type: dir ? 'Directory' : 'File',
    size: dir ? 0 : st.size,
    metadata: {},
  };
}
