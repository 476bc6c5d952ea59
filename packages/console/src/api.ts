/** An answer other than 2xx, with the server's message (it names the field or the line). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Body = { json: unknown } | { text: string; type: string } | { form: FormData } | undefined;

/**
 * The message of an error body: the gateway's `{message, code}`, Kestra 1.3's
 * `{message, _embedded.errors}`, or Kestra 2.0's `application/problem+json`
 * (`{type, title, status, detail, errors[]}`: `detail`, else `title`, plus the
 * field details a `detail` does not already name).
 */
export function errorMessage(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as {
      message?: string;
      detail?: string;
      title?: string;
      errors?: { detail?: string; path?: string }[];
    };
    if (typeof body.message === 'string' && body.message) return body.message;
    const main = typeof body.detail === 'string' && body.detail ? body.detail : body.title;
    if (typeof main === 'string' && main) {
      const extra = (Array.isArray(body.errors) ? body.errors : [])
        .map((e) => [e.path, e.detail].filter((x) => typeof x === 'string' && x).join(': '))
        .filter((x) => x && !main.includes(x));
      return [main, ...extra].join('; ');
    }
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || `HTTP ${status}`;
}

/**
 * Calls the gateway with the session cookie (sent by the browser) and the
 * session's CSRF token in `X-Silo-Csrf`, which the gateway requires before it
 * accepts the cookie in place of a bearer key.
 *
 * @example
 * const api = new Client('/api/v1/acme', csrf); await api.get<Page<Flow>>('/flows/search');
 */
export class Client {
  constructor(
    readonly base: string,
    readonly csrf: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { 'x-silo-csrf': this.csrf, ...extra };
  }

  async request<T>(method: string, path: string, body?: Body): Promise<T> {
    const headers = this.headers({ accept: 'application/json' });
    let payload: BodyInit | undefined;
    if (body && 'json' in body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body.json);
    } else if (body && 'text' in body) {
      headers['content-type'] = body.type;
      payload = body.text;
    } else if (body && 'form' in body) payload = body.form;
    const res = await fetch(this.base + path, { method, headers, body: payload, credentials: 'same-origin' });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text));
    if (text === '') return undefined as T;
    return (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}

/** The session of this page (tenant or operator), or undefined when not signed in. */
export async function currentSession(base: string): Promise<{ csrf: string } | undefined> {
  const res = await fetch(`${base}/session`, { credentials: 'same-origin' });
  // 401/403: the cookie is expired, revoked or its tenant suspended: sign in again.
  if (res.status === 401 || res.status === 403) return undefined;
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, await res.text()));
  const body = (await res.json()) as { signedIn: boolean; csrf?: string };
  return body.signedIn && body.csrf ? { csrf: body.csrf } : undefined;
}

/** Exchanges a key (tenant) or token (operator) for a session cookie; throws the server's reason. */
export async function signIn(
  base: string,
  body: { key: string } | { token: string },
): Promise<{ csrf: string }> {
  const res = await fetch(`${base}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text));
  return JSON.parse(text) as { csrf: string };
}

export async function signOut(base: string, csrf: string): Promise<void> {
  await fetch(`${base}/session`, {
    method: 'DELETE',
    headers: { 'x-silo-csrf': csrf },
    credentials: 'same-origin',
  });
}
