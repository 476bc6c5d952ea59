import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretValueCipher } from './secret-store.js';

/** Prefix of an encrypted value: algorithm and format version, so that a later key or format can coexist. */
const PREFIX = 'aes256gcm:v1:';
const KEY_FILE = 'secrets.key';

/** A secret could not be decrypted (wrong key file, tampered row): the message never holds the value. */
export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError';
  readonly code = 'SECRET_DECRYPT_FAILED';
  constructor(readonly context: string) {
    super(
      `secret ${context} cannot be decrypted: the data dir's ${KEY_FILE} is not the key it was written with, or the row was altered`,
    );
  }
}

/**
 * Encrypts tenant secrets at rest in the registry with AES-256-GCM: a fresh
 * 96-bit IV per value, the 128-bit tag checked on read, and the row's
 * identity (`tenant/name`) as additional authenticated data, so a value
 * copied to another row or tenant does not decrypt.
 * Stored form: `aes256gcm:v1:<iv>:<tag>:<ciphertext>` (base64url).
 *
 * @example
 * const cipher = new SecretCipher(loadOrCreateSecretKey(dataDir));
 * const stored = cipher.encrypt('s3cret', 'acme/API_TOKEN');
 * cipher.decrypt(stored, 'acme/API_TOKEN'); // 's3cret'
 */
export class SecretCipher implements SecretValueCipher {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`the secrets key must be 32 bytes, got ${key.length}`);
    this.#key = key;
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${iv.toString('base64url')}:${tag.toString('base64url')}:${ct.toString('base64url')}`;
  }

  decrypt(stored: string, context: string): string {
    if (!SecretCipher.isEncrypted(stored)) throw new SecretDecryptError(context);
    const [iv, tag, ct] = stored.slice(PREFIX.length).split(':');
    if (iv === undefined || tag === undefined || ct === undefined) throw new SecretDecryptError(context);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretDecryptError(context);
    }
  }

  /** Whether a stored value has this cipher's form (else it is a plaintext row from before encryption). */
  isEncrypted(stored: string): boolean {
    return SecretCipher.isEncrypted(stored);
  }

  static isEncrypted(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }
}

/**
 * Reads `<dataDir>/secrets.key` (32 random bytes, base64), creating it with
 * mode 0600 at first start (exclusive create: two gateways starting at once
 * cannot write two keys). A key file readable by group or others is made
 * 0600 again.
 *
 * @example
 * const key = loadOrCreateSecretKey('.silo');
 */
export function loadOrCreateSecretKey(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32)
    throw new Error(`${file} must hold 32 bytes in base64; remove it only if no secret was stored yet`);
  return key;
}
