import type { Task } from '../../../flow/flow-model.js';
import {
  NonRetryableTaskError,
  type RunContext,
  type RunnableTask,
  TaskTimeoutError,
} from '../../runnable-task.js';
import {
  parseIsoDurationMs,
  renderBoolean,
  renderOptionalString,
  renderString,
  renderStringMap,
} from '../kv/render-props.js';
import { multipartBody } from './form-data.js';

/** Kestra's default `options.maxContentLength` (10 MiB). */
const DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'] as const;

/** The task's outputs (Kestra's `Request.Output`). */
export type HttpRequestOutputs = {
  uri: string;
  code: number;
  /** Lower-case names; each value is a list, as in Kestra. */
  headers: Record<string, string[]>;
  body?: string;
};

/**
 * `io.kestra.plugin.core.http.Request` with the platform `fetch`:
 * `uri`, `method` (default GET), `headers`, `body` (a string, or a value sent
 * as JSON), `formData` (url-encoded, or multipart with `contentType:
 * multipart/form-data`, `kestra://` files as file parts: form-data.ts), `contentType`, `params` (added to the query),
 * `auth` (`BASIC` username/password or `BEARER` token), `options`:
 * `timeout` / `readTimeout` / `connectTimeout` (durations, the largest is
 * the bound), `allowFailed` (default false: a 4xx/5xx fails the attempt),
 * `followRedirects` (default true), `maxContentLength` (default 10 MiB).
 * Outputs `{ uri, code, headers, body }`.
 *
 * @example
 * await httpRequestTask.run({ ...task, props: { uri: 'http://127.0.0.1:8080/x', method: 'POST', body: { a: 1 } } }, ctx);
 */
export const httpRequestTask: RunnableTask = {
  type: 'io.kestra.plugin.core.http.Request',
  async run(task, ctx) {
    const request = buildRequest(task, ctx);
    const options = readOptions(task, ctx);
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signal = timeout === undefined ? ctx.signal : AbortSignal.any([ctx.signal, timeout]);
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
        redirect: options.followRedirects ? 'follow' : 'manual',
        signal,
      });
    } catch (err) {
      throw abortReason(ctx, timeout, task, options.timeoutMs) ?? failure(request.url, err);
    }
    let body: string | undefined;
    try {
      body = await readBody(response, options.maxContentLength);
    } catch (err) {
      throw abortReason(ctx, timeout, task, options.timeoutMs) ?? err;
    }
    if (response.status >= 400 && !options.allowFailed) {
      throw new Error(
        `Failed http request with response code '${response.status}'${body ? `: ${truncate(body)}` : ''}`,
      );
    }
    const headers: Record<string, string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = [...(headers[name] ?? []), value];
    });
    const outputs: HttpRequestOutputs = {
      uri: request.url,
      code: response.status,
      headers,
      ...(body !== undefined && body !== '' && { body }),
    };
    return { outputs };
  },
};

export function buildRequest(
  task: Task,
  ctx: RunContext,
): { url: string; method: string; headers: Headers; body?: string | FormData } {
  const uri = renderString(ctx, task.props, 'uri');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new NonRetryableTaskError(`Property 'uri' is not a valid URL: '${uri}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new NonRetryableTaskError(`Property 'uri' must be an http or https URL, got '${uri}'`);
  }
  for (const [k, v] of Object.entries(renderStringMap(ctx, task.props, 'params') ?? {}))
    url.searchParams.append(k, v);
  const method = (renderOptionalString(ctx, task.props, 'method') ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) {
    throw new NonRetryableTaskError(
      `Property 'method' must be one of ${METHODS.join(', ')}, got '${method}'`,
    );
  }
  const headers = new Headers(renderStringMap(ctx, task.props, 'headers') ?? {});
  applyAuth(task, ctx, headers);
  const contentType = renderOptionalString(ctx, task.props, 'contentType');
  const body = buildBody(task, ctx, headers, contentType);
  return { url: url.toString(), method, headers, ...(body !== undefined && { body }) };
}

function buildBody(
  task: Task,
  ctx: RunContext,
  headers: Headers,
  contentType: string | undefined,
): string | FormData | undefined {
  const formData = task.props.formData;
  if (formData !== undefined && formData !== null) {
    if (contentType?.toLowerCase().startsWith('multipart/form-data')) {
      const rendered = ctx.renderValue(formData);
      if (typeof rendered !== 'object' || rendered === null || Array.isArray(rendered))
        throw new NonRetryableTaskError("Property 'formData' must be a map");
      return multipartBody(rendered as Record<string, unknown>, ctx); // fetch sets the boundary.
    }
    const fields = renderStringMap(ctx, task.props, 'formData') ?? {};
    headers.set('content-type', contentType ?? 'application/x-www-form-urlencoded');
    return new URLSearchParams(fields).toString();
  }
  const raw = task.props.body;
  if (raw === undefined || raw === null) {
    if (contentType !== undefined) headers.set('content-type', contentType);
    return undefined;
  }
  if (typeof raw === 'string') {
    headers.set('content-type', contentType ?? headers.get('content-type') ?? 'text/plain');
    return ctx.render(raw);
  }
  headers.set('content-type', contentType ?? 'application/json');
  return JSON.stringify(ctx.renderValue(raw));
}

function applyAuth(task: Task, ctx: RunContext, headers: Headers): void {
  const auth = task.props.auth ?? (task.props.options as Record<string, unknown> | undefined)?.auth;
  if (auth === undefined || auth === null) return;
  if (typeof auth !== 'object') throw new NonRetryableTaskError("Property 'auth' must be a map");
  const a = ctx.renderValue(auth) as Record<string, unknown>;
  const type = String(a.type ?? '').toUpperCase();
  if (type === 'BASIC') {
    const token = Buffer.from(`${String(a.username ?? '')}:${String(a.password ?? '')}`).toString('base64');
    headers.set('authorization', `Basic ${token}`);
  } else if (type === 'BEARER') {
    headers.set('authorization', `Bearer ${String(a.token ?? '')}`);
  } else {
    throw new NonRetryableTaskError(`Property 'auth.type' must be BASIC or BEARER, got '${type}'`);
  }
}

type Options = {
  timeoutMs?: number;
  allowFailed: boolean;
  followRedirects: boolean;
  maxContentLength: number;
};

export function readOptions(task: Task, ctx: RunContext): Options {
  const raw = task.props.options ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new NonRetryableTaskError("Property 'options' must be a map");
  }
  const o = raw as Record<string, unknown>;
  const nested =
    typeof o.timeout === 'object' && o.timeout !== null ? (o.timeout as Record<string, unknown>) : {};
  const candidates = [
    o.timeout,
    o.readTimeout,
    o.connectTimeout,
    nested.connectTimeout,
    nested.readIdleTimeout,
  ]
    .filter((v) => typeof v === 'string' || typeof v === 'number')
    .map((v) => toMs(ctx, v as string | number));
  const maxContentLength =
    o.maxContentLength === undefined ? DEFAULT_MAX_CONTENT_LENGTH : Number(o.maxContentLength);
  return {
    ...(candidates.length > 0 && { timeoutMs: Math.max(...candidates) }),
    // `allowFailed` moved from the task to `options` in Kestra 0.22; both are read.
    allowFailed: renderBoolean(ctx, o, 'allowFailed', renderBoolean(ctx, task.props, 'allowFailed', false)),
    followRedirects: renderBoolean(ctx, o, 'followRedirects', true),
    maxContentLength: Number.isFinite(maxContentLength) ? maxContentLength : DEFAULT_MAX_CONTENT_LENGTH,
  };
}

function toMs(ctx: RunContext, value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = parseIsoDurationMs(ctx.render(value).trim());
  if (ms === undefined) throw new NonRetryableTaskError(`Invalid duration '${value}' in 'options'`);
  return ms;
}

async function readBody(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) {
      throw new NonRetryableTaskError(
        `The response is larger than options.maxContentLength (${limit} bytes); use a Download task for large payloads`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The error to report when the request was aborted: the run's own reason (kill, task timeout) or the request timeout. */
export function abortReason(
  ctx: RunContext,
  timeout: AbortSignal | undefined,
  task: Task,
  timeoutMs: number | undefined,
): Error | undefined {
  if (ctx.signal.aborted)
    return ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('Task was killed');
  if (timeout?.aborted) return new TaskTimeoutError(task.id, timeoutMs ?? 0);
  return undefined;
}

export function failure(url: string, err: unknown): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  return new Error(`HTTP request to ${url} failed: ${detail}`, { cause: err });
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
