import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogRotation } from './log-rotation.js';

describe('LogRotation', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  const tenantsRoot = () => {
    const root = mkdtempSync(join(tmpdir(), 'silo-logrot-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'acme'));
    return root;
  };

  it('rotates a log over its size at a start, keeping N files and dropping the oldest', async () => {
    const root = tenantsRoot();
    const log = join(root, 'acme', 'instance.log');
    const rotation = new LogRotation({ root, maxBytes: 100, keep: 2, checkMs: 60_000 });
    cleanups.push(() => rotation.close());
    for (const run of ['a', 'b', 'c']) {
      writeFileSync(log, run.repeat(150));
      expect(await rotation.rotateIfOver(log)).toBe(true);
    }
    writeFileSync(log, 'small');
    expect(await rotation.rotateIfOver(log)).toBe(false);
    expect(readFileSync(log, 'utf8')).toBe('small');
    expect(readFileSync(`${log}.1`, 'utf8')).toBe('c'.repeat(150));
    expect(readFileSync(`${log}.2`, 'utf8')).toBe('b'.repeat(150));
    expect(existsSync(`${log}.3`)).toBe(false);
  });

  it('bounds the log of a running process that keeps writing to its O_APPEND descriptor', async () => {
    const root = tenantsRoot();
    const log = join(root, 'acme', 'instance.log');
    const rotation = new LogRotation({ root, maxBytes: 20_000, keep: 2, checkMs: 50 });
    cleanups.push(() => rotation.close());
    // As the process driver does: the child gets an append-mode descriptor of instance.log.
    const fd = openSync(log, 'a', 0o600);
    const line = 'x'.repeat(99);
    // 800 lines of 100 bytes, 2 ms apart (~1.6 s): 80 kB, four times the limit.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `let i=0;const t=setInterval(()=>{console.log('${line}'.slice(0,94)+String(i).padStart(5,'0'));if(++i>=800)clearInterval(t)},2)`,
      ],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await rotation.checkAll();
    const sizes = [log, `${log}.1`, `${log}.2`].map((p) => (existsSync(p) ? statSync(p).size : 0));
    // A file holds at most the limit plus what is written between two checks (a loaded machine delays them).
    expect(sizes[0]).toBeLessThanOrEqual(20_000);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(20_000 + 20_000);
    // Rotated while the child wrote (the final check alone makes one rotation, not two).
    expect(existsSync(`${log}.2`)).toBe(true);
    expect(existsSync(`${log}.3`)).toBe(false);
    // After a truncation the child's appends land at the start of the file (no hole of NUL bytes).
    const live = readFileSync(log, 'latin1');
    expect(live.includes('\0')).toBe(false);
    expect(live.endsWith('00799\n')).toBe(true);
  });
});
