import type { Context } from 'hono';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors.js';
import type { UploadedFile } from '../flow/inputs/index.js';
import { checkInlineSize, checkNesting } from './body-limits.js';
import { declaredBodyLength } from './request-body.js';

/**
 * Reads the raw inputs of a request body: multipart form (file parts become
 * `UploadedFile`s), URL-encoded form, or a JSON object. An empty or absent
 * body is no inputs. Any other content type with a body is a 415; JSON that
 * does not parse, or is not an object, is a 400; so is JSON nested past the
 * nesting limit. Inline values (JSON, form fields that are not files) past the
 * inline data limit are a 413 (`limits.ts`).
 *
 * @example
 * const raw = await readInputsBody(c); // { name: 'Ada', file: { name: 'a.txt', data: Uint8Array } }
 */
export async function readInputsBody(c: Context): Promise<Record<string, unknown>> {
  const raw: Record<string, unknown> = {};
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data') || type.startsWith('application/x-www-form-urlencoded')) {
    let body: Record<string, unknown>;
    try {
      body = (await c.req.parseBody({ all: true })) as Record<string, unknown>;
    } catch (err) {
      throw new BadRequestError(
        'Bad Request: malformed form body',
        [{ message: 'malformed form body', path: 'body' }],
        {
          cause: err,
        },
      );
    }
    let inline = 0;
    for (const [k, v] of Object.entries(body)) {
      for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') inline += Buffer.byteLength(s);
      checkInlineSize(inline, 'the form fields');
      const one = Array.isArray(v) ? v[0] : v;
      if (one instanceof File) {
        raw[k] = { name: one.name, data: new Uint8Array(await one.arrayBuffer()) } satisfies UploadedFile;
      } else raw[k] = Array.isArray(v) ? v.map(String) : one;
    }
    return raw;
  }
  // No body (the usual POST that only starts an execution): nothing to read (request-body.ts).
  if (declaredBodyLength(c) === 0) return raw;
  const text = await c.req.text();
  if (text.trim() === '') return raw;
  if (!type.includes('json')) {
    throw new UnsupportedMediaTypeError(
      `Unsupported Media Type: '${type || 'none'}'; send multipart/form-data or application/json`,
      [{ message: 'unsupported content type', path: 'content-type' }],
    );
  }
  checkInlineSize(Buffer.byteLength(text), 'the JSON body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('Bad Request: invalid JSON body', [{ message: 'invalid JSON', path: 'body' }]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new BadRequestError('Bad Request: the JSON body must be an object of inputs', [
      { message: 'must be an object', path: 'body' },
    ]);
  checkNesting(parsed, 'the JSON body');
  Object.assign(raw, parsed);
  return raw;
}
