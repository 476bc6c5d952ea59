import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { BadRequestError } from '../errors.js';
import { hashingTap } from './archive-writer.js';
import {
  ARCHIVE_FORMAT,
  type BackupManifest,
  BackupManifestSchema,
  DATA_PREFIX,
  DATABASE_ENTRY,
  MANIFEST_ENTRY,
} from './manifest.js';

/** The largest manifest accepted (it lists every file; 64 MiB is millions of files). */
const MANIFEST_MAX = 64 * 1024 * 1024;
/** `data/` then relative segments of plain characters; no `..`, no absolute path, no backslash. */
const SAFE_PATH = /^data\/(?:[A-Za-z0-9._@+=,~ -]+\/)*[A-Za-z0-9._@+=,~ -]+$/;

const bad = (message: string) => new BadRequestError(`archive: ${message}`, [{ path: 'body', message }]);

/**
 * Unpacks an archive made by `writeArchive` into `dest` (as `dest/silo.db`,
 * `dest/storage/...`), streaming every entry to disk while hashing it, then
 * checks every file against the manifest: same set, same sizes, same sha256.
 * A wrong archive is a 400 naming what is wrong; nothing is held in memory
 * but the manifest. Resolves to the manifest and the archive's own sha256.
 *
 * @example
 * const { manifest } = await readArchive(createReadStream(file), stagingDir);
 */
export async function readArchive(
  input: Readable,
  dest: string,
): Promise<{ manifest: BackupManifest; sha256: string; bytes: number }> {
  const extract = tar.extract();
  const tap = hashingTap();
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestText: string | undefined;
  const unpack = (async () => {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file') throw bad(`entry ${name} is a ${type}: only files are accepted`);
      if (name === MANIFEST_ENTRY) {
        const chunks: Buffer[] = [];
        let length = 0;
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          length += chunk.length;
          if (length > MANIFEST_MAX) throw bad('manifest.json is too large');
          chunks.push(chunk);
        }
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      if (!SAFE_PATH.test(name) || name.split('/').some((s) => s === '..' || s === '.'))
        throw bad(`entry name "${name}" is not a plain path under ${DATA_PREFIX}`);
      if (seen.has(name)) throw bad(`entry ${name} appears twice`);
      const target = join(dest, ...name.slice(DATA_PREFIX.length).split('/'));
      await mkdir(dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let bytes = 0;
      entry.on('data', (chunk) => {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      });
      await pipeline(entry, createWriteStream(target, { mode: 0o600 }));
      if (size !== undefined && bytes !== size) throw bad(`entry ${name} is truncated`);
      seen.set(name, { size: bytes, sha256: hash.digest('hex') });
    }
  })();
  try {
    await Promise.all([pipeline(input, tap.stream, createGunzip(), extract), unpack]);
  } catch (err) {
    extract.destroy();
    if (err instanceof BadRequestError) throw err;
    throw bad(`not a readable gzip'd tar archive (${(err as Error).message})`);
  }
  return { manifest: checkManifest(manifestText, seen), ...tap.digest() };
}

function checkManifest(
  text: string | undefined,
  seen: Map<string, { size: number; sha256: string }>,
): BackupManifest {
  if (text === undefined) throw bad(`no ${MANIFEST_ENTRY}: not a Silo backup or export`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad(`${MANIFEST_ENTRY} is not valid JSON`);
  }
  const format = (json as { format?: unknown })?.format;
  if (typeof format === 'number' && format > ARCHIVE_FORMAT)
    throw bad(`format ${format} is newer than this gateway reads (${ARCHIVE_FORMAT}): upgrade the gateway`);
  const parsed = BackupManifestSchema.safeParse(json);
  if (!parsed.success)
    throw bad(
      `${MANIFEST_ENTRY}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const manifest = parsed.data;
  for (const file of manifest.files) {
    const got = seen.get(file.path);
    if (got === undefined) throw bad(`${file.path} is listed in the manifest but missing`);
    if (got.size !== file.size || got.sha256 !== file.sha256)
      throw bad(`${file.path} does not match its checksum in the manifest (corrupted)`);
    seen.delete(file.path);
  }
  const extra = [...seen.keys()];
  if (extra.length > 0) throw bad(`${extra[0]} is not listed in the manifest`);
  if (!manifest.files.some((f) => f.path === DATABASE_ENTRY)) throw bad(`no ${DATABASE_ENTRY}`);
  return manifest;
}
