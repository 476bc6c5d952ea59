import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '../tenants/sqlite/open-sqlite-registry.js';
import { loadOrCreateSecretKey, SecretCipher, SecretDecryptError } from './secret-cipher.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'silo-secret-cipher-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets at rest', () => {
  it('creates the key file once, 0600, and reuses it', () => {
    const a = loadOrCreateSecretKey(dir);
    const b = loadOrCreateSecretKey(dir);
    expect(a.equals(b)).toBe(true);
    expect(statSync(join(dir, 'secrets.key')).mode & 0o777).toBe(0o600);
  });

  it('round-trips, never repeats a ciphertext, and refuses another row or a tampered value', () => {
    const c = new SecretCipher(loadOrCreateSecretKey(dir));
    const one = c.encrypt('s3cret', 'acme/TOKEN');
    expect(one).not.toContain('s3cret');
    expect(c.encrypt('s3cret', 'acme/TOKEN')).not.toBe(one);
    expect(c.decrypt(one, 'acme/TOKEN')).toBe('s3cret');
    expect(() => c.decrypt(one, 'other/TOKEN')).toThrow(SecretDecryptError);
    expect(() => c.decrypt(`${one.slice(0, -2)}AA`, 'acme/TOKEN')).toThrow(SecretDecryptError);
    try {
      c.decrypt(one, 'other/TOKEN');
    } catch (err) {
      expect((err as Error).message).not.toContain('s3cret');
    }
  });

  it('stores only ciphertext in the registry file and hands the plain value to the driver', async () => {
    const path = join(dir, 'registry.db');
    const cipher = new SecretCipher(loadOrCreateSecretKey(dir));
    const registry = openSqliteRegistry(path, { cipher });
    await registry.tenants.create({ id: 'acme' });
    await registry.secrets.set('acme', 'API_TOKEN', 'hunter2-plain');
    expect(await registry.secrets.values('acme')).toEqual({ API_TOKEN: 'hunter2-plain' });
    const raw = new Database(path, { readonly: true });
    const stored = raw.prepare('SELECT value FROM secrets').pluck().get() as string;
    raw.close();
    expect(stored.startsWith('aes256gcm:v1:')).toBe(true);
    expect(readFileSync(path).includes(Buffer.from('hunter2-plain'))).toBe(false);
  });

  it('encrypts rows stored in plaintext before encryption was configured', async () => {
    const path = join(dir, 'registry.db');
    const plain = openSqliteRegistry(path);
    await plain.tenants.create({ id: 'acme' });
    await plain.secrets.set('acme', 'OLD', 'legacy-value');
    const registry = openSqliteRegistry(path, { cipher: new SecretCipher(loadOrCreateSecretKey(dir)) });
    expect(await registry.secrets.values('acme')).toEqual({ OLD: 'legacy-value' });
    const raw = new Database(path, { readonly: true });
    expect(
      (raw.prepare('SELECT value FROM secrets').pluck().get() as string).startsWith('aes256gcm:v1:'),
    ).toBe(true);
    raw.close();
  });
});
