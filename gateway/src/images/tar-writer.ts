import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * A minimal streaming tar (POSIX ustar + PAX long names) writer: enough for
 * `docker import` of the offline base and for build contexts, without a
 * dependency. Files are streamed from disk, so a 100 MB `node` binary never
 * sits in memory.
 */

/** One entry of the archive; `path` is relative (no leading `/`), `/`-separated. */
export type TarEntry =
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'file'; path: string; mode?: number; uid?: number; gid?: number; source: string; size: number }
  | { type: 'data'; path: string; mode?: number; uid?: number; gid?: number; data: Buffer }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number };

const BLOCK = 512;
const ZERO = Buffer.alloc(BLOCK * 2);
/** A fixed mtime keeps archives (and so build contexts) reproducible. */
const MTIME = 946684800; // 2000-01-01

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bytes = Buffer.byteLength(body);
  let len = bytes + 1;
  while (String(len).length + bytes !== len) len = String(len).length + bytes;
  return `${len}${body}`;
}

function header(
  name: string,
  opts: { mode: number; uid: number; gid: number; size: number; type: string; linkname?: string },
): Buffer {
  const buf = Buffer.alloc(BLOCK);
  buf.write(name, 0, 100, 'utf8');
  buf.write(octal(opts.mode & 0o7777, 8), 100, 'ascii');
  buf.write(octal(opts.uid, 8), 108, 'ascii');
  buf.write(octal(opts.gid, 8), 116, 'ascii');
  buf.write(octal(opts.size, 12), 124, 'ascii');
  buf.write(octal(MTIME, 12), 136, 'ascii');
  buf.write('        ', 148, 'ascii');
  buf.write(opts.type, 156, 'ascii');
  if (opts.linkname) buf.write(opts.linkname, 157, 100, 'utf8');
  buf.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of buf) sum += byte;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return buf;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Headers for one entry: a PAX header first when the name or link target does not fit ustar's 100 bytes. */
function headersFor(entry: TarEntry, size: number): Buffer[] {
  const isDir = entry.type === 'dir';
  const name = isDir && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  const linkname = entry.type === 'symlink' ? entry.target : undefined;
  const out: Buffer[] = [];
  let records = '';
  if (Buffer.byteLength(name) > 100) records += paxRecord('path', name);
  if (linkname && Buffer.byteLength(linkname) > 100) records += paxRecord('linkpath', linkname);
  if (records) {
    const data = Buffer.from(records, 'utf8');
    out.push(header('PaxHeader', { mode: 0o644, uid: 0, gid: 0, size: data.length, type: 'x' }), data);
    out.push(padding(data.length));
  }
  const type = entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0';
  const defaultMode = entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? defaultMode);
  out.push(
    header(name.slice(0, 100), {
      mode,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      size,
      type,
      ...(linkname ? { linkname: linkname.slice(0, 100) } : {}),
    }),
  );
  return out;
}

async function* chunks(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const entry of entries) {
    const size = entry.type === 'file' ? entry.size : entry.type === 'data' ? entry.data.length : 0;
    yield* headersFor(entry, size);
    if (entry.type === 'data') {
      yield entry.data;
    } else if (entry.type === 'file') {
      let written = 0;
      for await (const chunk of createReadStream(entry.source)) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      if (written !== entry.size) {
        throw new Error(`${entry.source} changed size while archiving (${entry.size} → ${written} bytes)`);
      }
    }
    yield padding(size);
  }
  yield ZERO;
}

/**
 * Streams the entries as a tar archive.
 *
 * @example
 * const tar = tarStream([{ type: 'data', path: 'etc/hostname', data: Buffer.from('x\n') }]);
 * await docker.importImage(tar, { repo: 'x', tag: '1' });
 */
export function tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): Readable {
  return Readable.from(chunks(entries), { objectMode: false });
}
