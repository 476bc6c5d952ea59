import { readSavedAdminToken } from '../admin/admin-token.js';

/** An error the CLI prints as one line and exits 1 with. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** Where the CLI finds the gateway and its admin token. */
export type Connection = { url: string; token: string };

/**
 * URL: `--url`, else `SILO_URL`, else `http://SILO_HOST:SILO_PORT` (127.0.0.1:8080).
 * Token: `--token`, else `SILO_ADMIN_TOKEN`, else `<data dir>/admin-token`
 * (`--data-dir`, else `SILO_DATA_DIR`, else `.silo`).
 *
 * @example
 * resolveConnection({ url: undefined, token: undefined }, process.env);
 */
export function resolveConnection(
  flags: { url?: string; token?: string; dataDir?: string },
  env: Record<string, string | undefined>,
): Connection {
  const url =
    flags.url ?? env.SILO_URL ?? `http://${env.SILO_HOST ?? '127.0.0.1'}:${env.SILO_PORT ?? '8080'}`;
  const dataDir = flags.dataDir ?? env.SILO_DATA_DIR ?? '.silo';
  const token = flags.token ?? env.SILO_ADMIN_TOKEN ?? readSavedAdminToken(dataDir);
  if (token === undefined) {
    throw new CliError(
      `no admin token: pass --token, set SILO_ADMIN_TOKEN, or run where ${dataDir}/admin-token exists (--data-dir)`,
    );
  }
  return { url: url.replace(/\/+$/, ''), token };
}

/**
 * A thin client of the admin API; gateway errors become `CliError` with the
 * gateway's message.
 *
 * @example
 * const tenants = await new AdminClient(conn).request('GET', '/admin/v1/tenants');
 */
export class AdminClient {
  constructor(readonly connection: Connection) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.connection.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.connection.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the gateway at ${this.connection.url}: ${(err as Error).cause ?? (err as Error).message} (is "silo serve" running? --url / SILO_URL)`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        const json = JSON.parse(text) as { message?: string; code?: string };
        message = `${json.message ?? text}${json.code ? ` (${json.code})` : ''}`;
      } catch {}
      throw new CliError(`${res.status}: ${message}`);
    }
    if (text === '') return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? JSON.parse(text) : text) as T;
  }
}
