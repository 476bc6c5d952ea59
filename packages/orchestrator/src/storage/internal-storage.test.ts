import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InternalStorage } from './internal-storage.js';
import { readTemplateFunction } from './read-function.js';

const dir = mkdtempSync(join(tmpdir(), 'silo-storage-'));
const storage = new InternalStorage(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('InternalStorage', () => {
  it('writes under storage/ and reads back by kestra:/// URI', () => {
    const uri = storage.put(['ns', 'f', 'executions', 'e1', 'inputs', 'file'], '../../evil name.txt', 'hi\n');
    expect(uri).toBe('kestra:///ns/f/executions/e1/inputs/file/evil name.txt');
    expect(storage.readText(uri)).toBe('hi\n');
    expect(storage.pathOf(uri)).toBe(
      join(dir, 'storage', 'ns', 'f', 'executions', 'e1', 'inputs', 'file', 'evil name.txt'),
    );
    const odd = storage.put(['ns'], '100%?#.txt', 'x');
    expect(storage.readText(odd)).toBe('x');
  });

  it.each([
    ['kestra:///../config.json', 'path traversal'],
    ['kestra:///ns/../../x', 'path traversal'],
    ['kestra:///ns/%2e%2e/%2e%2e/x', 'path traversal'],
    ['kestra:///ns/..%2f..%2fx', 'path traversal'],
    ['kestra:///ns\\..\\x', 'path traversal'],
    ['kestra:///ns//x', 'empty path segment'],
    ['kestra:///', 'empty path segment'],
    ['file:///etc/passwd', 'expected a kestra:/// URI'],
    ['kestra:///ns/%zz', 'bad percent-encoding'],
    ['kestra:///ns/missing.txt', 'no such file'],
  ])('refuses %s (%s)', (uri, reason) => {
    expect(() => storage.read(uri)).toThrow(reason);
  });

  it('refuses a file over the size limit without reading it', () => {
    const uri = storage.put(['big'], 'b.txt', 'x'.repeat(100));
    expect(storage.read(uri, 100).length).toBe(100);
    expect(() => storage.read(uri, 99)).toThrow('over the limit of 99');
  });

  it('read() renders the file, refuses anything but kestra:/// URIs', () => {
    const read = readTemplateFunction(storage, 1024);
    const ctx = { variables: {}, render: (s: string) => s, now: () => new Date() };
    const uri = storage.put(['r'], 'a.txt', 'héllo');
    expect(read([uri], {}, ctx)).toBe('héllo');
    expect(read([], { path: uri }, ctx)).toBe('héllo');
    expect(() => read(['/etc/passwd'], {}, ctx)).toThrow('internal storage files only');
    expect(() => read([undefined], {}, ctx)).toThrow('needs a path');
  });

  it('remove() deletes a folder; a symbolic link never leads out of the storage folder', () => {
    const uri = storage.put(['gone', 'x'], 'a.txt', 'a');
    storage.remove(['gone']);
    expect(() => storage.read(uri)).toThrow('no such file');
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, join(dir, 'storage', 'r', 'out'));
    expect(() => storage.read('kestra:///r/out')).toThrow('outside the storage folder');
    symlinkSync(join(dir, 'storage', 'r'), join(dir, 'storage', 'r', 'dir'));
    expect(() => storage.read('kestra:///r/dir')).toThrow('not a file');
    symlinkSync(join(dir, 'storage', 'r', 'a.txt'), join(dir, 'storage', 'r', 'in'));
    expect(storage.readText('kestra:///r/in')).toBe('héllo');
  });
});
