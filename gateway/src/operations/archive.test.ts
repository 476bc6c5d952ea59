import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { readArchive } from './archive-reader.js';
import { writeArchive } from './archive-writer.js';
import type { BackupManifest, ManifestFile } from './manifest.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'silo-archive-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const manifestOf = (files: ManifestFile[]): BackupManifest => ({
  format: 1,
  tenantId: 'acme',
  tenantName: 'acme',
  limits: {},
  createdAt: new Date().toISOString(),
  version: '0.1.0',
  dialect: '1.3',
  runtime: 'process',
  mode: 'offline',
  database: { schemaVersion: 4, executions: 0, integrity: 'ok' },
  files,
  totalBytes: files.reduce((n, f) => n + f.size, 0),
  secretNames: [],
});

/** A gzip'd tar made by hand, for archives `writeArchive` would never write. */
async function craft(
  file: string,
  entries: { name: string; body: string | Buffer; type?: 'file' | 'symlink' }[],
) {
  const pack = tar.pack();
  for (const e of entries)
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: '/etc/passwd' });
    else pack.entry({ name: e.name }, e.body);
  pack.finalize();
  await pipeline(pack, createGzip(), createWriteStream(file));
}

async function archiveOf(): Promise<string> {
  const src = temp();
  mkdirSync(join(src, 'storage', 'ns'), { recursive: true });
  writeFileSync(join(src, 'silo.db'), 'not really sqlite');
  writeFileSync(join(src, 'storage', 'ns', 'a.txt'), 'x'.repeat(100_000));
  const file = join(temp(), 'a.tar.gz');
  await writeArchive(src, manifestOf, createWriteStream(file));
  return file;
}

describe('backup archives', () => {
  it('round-trips files with their checksums, and reports the archive sha256 both ways', async () => {
    const src = temp();
    mkdirSync(join(src, 'storage', 'ns'), { recursive: true });
    writeFileSync(join(src, 'silo.db'), 'db');
    writeFileSync(join(src, 'storage', 'ns', 'a.txt'), 'hello');
    const file = join(temp(), 'a.tar.gz');
    const written = await writeArchive(src, manifestOf, createWriteStream(file));
    expect(written.manifest.files.map((f) => f.path)).toEqual(['data/silo.db', 'data/storage/ns/a.txt']);
    const dest = temp();
    const read = await readArchive(createReadStream(file), dest);
    expect(read.sha256).toBe(written.sha256);
    expect(read.bytes).toBe(written.bytes);
    expect(readFileSync(join(dest, 'storage', 'ns', 'a.txt'), 'utf8')).toBe('hello');
  });

  it('refuses a corrupted archive with a 400 that says what is wrong', async () => {
    const file = await archiveOf();
    const bytes = readFileSync(file);
    const at = Math.floor(bytes.length / 2);
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    const err = await readArchive(Readable.from([bytes]), temp()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
  });

  it('refuses entries outside data/, links, files missing from the manifest, and a missing manifest', async () => {
    const cases: [string, { name: string; body: string; type?: 'file' | 'symlink' }[], RegExp][] = [
      ['escape', [{ name: 'data/../../evil', body: 'x' }], /not a plain path/],
      ['link', [{ name: 'data/link', body: '', type: 'symlink' }], /only files/],
      ['no manifest', [{ name: 'data/silo.db', body: 'x' }], /no manifest\.json/],
      [
        'unlisted',
        [
          { name: 'data/extra', body: 'x' },
          { name: 'manifest.json', body: JSON.stringify(manifestOf([])) },
        ],
        /not listed in the manifest|no data\/silo\.db/,
      ],
      ['newer', [{ name: 'manifest.json', body: JSON.stringify({ format: 99 }) }], /newer than this gateway/],
    ];
    for (const [what, entries, message] of cases) {
      const file = join(temp(), `${what}.tar.gz`);
      await craft(file, entries);
      const err = (await readArchive(createReadStream(file), temp()).catch((e: unknown) => e)) as Error;
      expect(err, what).toBeInstanceOf(BadRequestError);
      expect(err.message, what).toMatch(message);
    }
    const notGzip = await readArchive(Readable.from([Buffer.from('plain text')]), temp()).catch(
      (e: unknown) => e,
    );
    expect((notGzip as Error).message).toMatch(/not a readable gzip/);
  });
});
