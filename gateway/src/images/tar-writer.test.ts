import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tarStream } from './tar-writer.js';

const run = promisify(execFile);
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tarStream', () => {
  it('writes an archive that GNU tar extracts: folders, files, data, symlinks, long names', async () => {
    dir = await mkdtemp(join(tmpdir(), 'silo-tar-'));
    const source = join(dir, 'source.bin');
    await writeFile(source, Buffer.alloc(1000, 7));
    const long = `a/${'deep-folder-name/'.repeat(8)}file.txt`;
    const archive = join(dir, 'out.tar');
    await pipeline(
      tarStream([
        { type: 'dir', path: 'a', mode: 0o1777 },
        { type: 'file', path: 'a/bin', source, size: 1000, mode: 0o755 },
        { type: 'data', path: long, data: Buffer.from('hello\n') },
        { type: 'symlink', path: 'a/link', target: 'bin' },
      ]),
      createWriteStream(archive),
    );
    const out = join(dir, 'out');
    await run('mkdir', [out]);
    await run('tar', ['-xf', archive, '-C', out]);
    expect((await readFile(join(out, 'a/bin'))).equals(Buffer.alloc(1000, 7))).toBe(true);
    expect((await stat(join(out, 'a/bin'))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(out, long), 'utf8')).toBe('hello\n');
    expect(await readlink(join(out, 'a/link'))).toBe('bin');
  });
});
