import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { type BackupManifest, DATA_PREFIX, MANIFEST_ENTRY, type ManifestFile } from './manifest.js';

/** Files under `root`, depth first, as paths relative to it with `/` separators, sorted (reproducible order). */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join('/'));
    }
  };
  await walk(root);
  return out;
}

/** A stream stage that hashes and counts what passes through. */
export function hashingTap(): { stream: Transform; digest: () => { sha256: string; bytes: number } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, digest: () => ({ sha256: hash.digest('hex'), bytes }) };
}

/**
 * Streams `dataDir` as `data/...` entries of a gzip'd tar into `out`, then
 * `manifest.json` (with each file's size and sha256, learned while streaming).
 * No file is ever held in memory. Resolves to the archive's own size and sha256.
 *
 * @example
 * const { sha256 } = await writeArchive(staging, (files) => ({ ...base, files }), createWriteStream(f));
 */
export async function writeArchive(
  dataDir: string,
  manifestOf: (files: ManifestFile[]) => BackupManifest,
  out: Writable,
): Promise<{ sha256: string; bytes: number; manifest: BackupManifest }> {
  const pack = tar.pack();
  const tap = hashingTap();
  const piped = pipeline(pack, createGzip({ level: 6 }), tap.stream, out);
  const files: ManifestFile[] = [];
  try {
    for (const path of await listFiles(dataDir)) {
      const source = join(dataDir, ...path.split('/'));
      const { size, mode } = await stat(source);
      const hash = createHash('sha256');
      await new Promise<void>((resolve, reject) => {
        const entry = pack.entry({ name: `${DATA_PREFIX}${path}`, size, mode: mode & 0o777 }, (err) =>
          err ? reject(err) : resolve(),
        );
        const input = createReadStream(source);
        input.on('data', (chunk) => hash.update(chunk));
        input.on('error', reject);
        input.pipe(entry);
      });
      files.push({ path: `${DATA_PREFIX}${path}`, size, sha256: hash.digest('hex') });
    }
    const manifest = manifestOf(files);
    pack.entry({ name: MANIFEST_ENTRY, mode: 0o644 }, `${JSON.stringify(manifest, null, 2)}\n`);
    pack.finalize();
    await piped;
    return { ...tap.digest(), manifest };
  } catch (err) {
    pack.destroy(err as Error);
    await piped.catch(() => undefined);
    throw err;
  }
}
