import type { Context } from 'hono';
import { BadRequestError } from '../errors.js';
import type { FlowSortField } from '../ports/flow-repository.js';

/** The largest page a search answers: bigger pages are a 400, not a slow full scan. */
export const MAX_PAGE_SIZE = 1000;

/**
 * Paging as Kestra does it: 1-based `page` (default 1), `size` (default 10).
 *
 * @example
 * const { page, size } = paging(c);
 */
export function paging(c: Context): { page: number; size: number } {
  const num = (name: string, fallback: number) => {
    const v = c.req.query(name);
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new BadRequestError(`Bad Request: ${name} must be an integer ≥ 1, got "${v}"`, [
        { message: 'must be an integer ≥ 1', path: name },
      ]);
    return n;
  };
  const size = num('size', 10);
  if (size > MAX_PAGE_SIZE)
    throw new BadRequestError(`Bad Request: size must be at most ${MAX_PAGE_SIZE}, got ${size}`, [
      { message: `must be at most ${MAX_PAGE_SIZE}`, path: 'size' },
    ]);
  return { page: num('page', 1), size };
}

const SORTABLE: Record<string, FlowSortField> = {
  id: 'id',
  namespace: 'namespace',
  revision: 'revision',
  updated: 'updated',
};

/**
 * `sort=field:asc|desc`, repeated or comma-separated; unknown fields are a 400.
 *
 * @example
 * flowSort(c); // [{ field: 'id', order: 'desc' }]
 */
export function flowSort(c: Context): Array<{ field: FlowSortField; order: 'asc' | 'desc' }> {
  const values = (c.req.queries('sort') ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  return values.map((s) => {
    const [name = '', dir = 'asc'] = s.split(':');
    const field = SORTABLE[name];
    if (!field || (dir !== 'asc' && dir !== 'desc'))
      throw new BadRequestError(
        `Bad Request: invalid sort "${s}"; expected one of ${Object.keys(SORTABLE).join(', ')} with :asc or :desc`,
      );
    return { field, order: dir };
  });
}

/**
 * Kestra's PHP-style filters, `filters[namespace][EQUALS]=company.team`, as
 * `{ field, operation, value }`.
 *
 * @example
 * queryFilters(c); // [{ field: 'namespace', operation: 'EQUALS', value: 'company.team' }]
 */
export function queryFilters(c: Context): Array<{ field: string; operation: string; value: string }> {
  const out: Array<{ field: string; operation: string; value: string }> = [];
  for (const [key, values] of Object.entries(c.req.queries())) {
    const m = /^filters\[([^\]]+)\]\[([A-Z_]+)\]$/.exec(key);
    if (!m) continue;
    for (const value of values) out.push({ field: m[1]!, operation: m[2]!, value });
  }
  return out;
}
