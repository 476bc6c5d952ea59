import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/**
 * Parses a request's JSON body with a zod schema: invalid JSON, a missing
 * body (unless `optional`, which reads as `{}`) or a value the schema refuses
 * is a 400 naming each field (`limits.memoryMb: Too small…`).
 *
 * @example
 * const { name } = await parseJsonBody(c.req.raw, CreateKeySchema, { optional: true });
 */
export async function parseJsonBody<T>(
  req: Request,
  schema: z.ZodType<T>,
  options: { optional?: boolean; requireJsonContentType?: string } = {},
): Promise<T> {
  if (
    options.requireJsonContentType !== undefined &&
    !(req.headers.get('content-type') ?? '').startsWith('application/json')
  ) {
    throw new BadRequestError(options.requireJsonContentType);
  }
  const text = await req.text();
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new BadRequestError('request body is not valid JSON');
    }
  } else if (!options.optional) {
    throw new BadRequestError('request body is required (JSON)');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.join('.') || '(body)',
      message: i.message,
    }));
    throw new BadRequestError(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  }
  return parsed.data;
}
