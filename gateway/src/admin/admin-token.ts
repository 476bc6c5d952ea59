import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file under the data folder that holds the generated admin token (mode 0600). */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * The admin token: `SILO_ADMIN_TOKEN` when set, else the one saved in
 * `<dataDir>/admin-token`, else a new one saved there 0600 (`generated: true`,
 * so the caller prints it once).
 *
 * @example
 * const { token, generated } = resolveAdminToken(config.adminToken, config.dataDir);
 */
export function resolveAdminToken(
  configured: string | undefined,
  dataDir: string,
): { token: string; generated: boolean; path: string } {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  if (configured !== undefined) return { token: configured, generated: false, path };
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8').trim();
    if (saved.length >= 16) return { token: saved, generated: false, path };
  }
  const token = `silo_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, generated: true, path };
}

/** The saved admin token of a data folder, for the CLI; undefined when none. */
export function readSavedAdminToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
