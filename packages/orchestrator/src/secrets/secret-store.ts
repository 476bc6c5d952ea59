import type { TemplateFunction } from '../template/index.js';

/** The mask that replaces a secret's value in logs, outputs and error messages (Kestra's `******`). */
export const SECRET_MASK = '******';

/** An unknown secret name, or a malformed `secret()` call: a task failure that names it, never the value. */
export class SecretNotFoundError extends Error {
  override readonly name = 'SecretNotFoundError';
  readonly code = 'SECRET_NOT_FOUND';
  constructor(readonly secretName: string) {
    super(`Cannot find secret '${secretName}': no secret of that name is set for this tenant`);
  }
}

/**
 * The tenant's secrets, in memory only (never written to SQLite or logs).
 * They reach the instance on its standard input at start (`SILO_SECRETS_FROM=stdin`).
 * `mask` replaces every secret value found in a string or a JSON-like value.
 *
 * @example
 * const secrets = new SecretStore({ API_TOKEN: 's3cr3t' });
 * secrets.get('API_TOKEN');             // 's3cr3t'
 * secrets.maskText('token=s3cr3t');     // 'token=******'
 */
export class SecretStore {
  private readonly values: ReadonlyMap<string, string>;
  /** Values longest first, so that a secret containing another is masked whole. */
  private readonly maskable: string[];

  constructor(secrets: Readonly<Record<string, string>> = {}) {
    this.values = new Map(Object.entries(secrets));
    this.maskable = [...new Set(this.values.values())]
      .filter((v) => v.length > 0)
      .sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.values.size;
  }

  /** The value, or throws `SecretNotFoundError` naming the secret. */
  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new SecretNotFoundError(name);
    return v;
  }

  /** A string with every secret value replaced by `******`. */
  maskText(text: string): string {
    if (this.maskable.length === 0) return text;
    let out = text;
    for (const v of this.maskable) if (out.includes(v)) out = out.split(v).join(SECRET_MASK);
    return out;
  }

  /** A copy of a JSON-like value with every string masked (keys included). */
  mask<T>(value: T): T {
    if (this.maskable.length === 0) return value;
    return maskDeep(value, (s) => this.maskText(s)) as T;
  }

  /** Kestra's `secret('NAME')` template function. */
  templateFunction(): TemplateFunction {
    return (args, named) => {
      const name = args[0] ?? named.key ?? named.name;
      if (typeof name !== 'string' || name === '') {
        throw new Error("The 'secret' function expects a secret name, e.g. secret('API_TOKEN')");
      }
      return this.get(name);
    };
  }
}

function maskDeep(value: unknown, mask: (s: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[mask(k)] = maskDeep(v, mask);
    return out;
  }
  return value;
}
