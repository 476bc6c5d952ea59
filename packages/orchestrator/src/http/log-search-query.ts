import type { KestraVersion } from '@silo/contracts';
import type { Context } from 'hono';
import { BadRequestError } from '../errors.js';
import { LEVEL_NO, type LogSearch } from '../ports/log-store.js';
import { type FilterNode, filterTree, InvalidQueryFiltersError, isGroup } from './query-filters.js';
import { paging, queryFilters } from './query-params.js';

/** A Kestra `Level` name (any case) as its `LEVEL_NO`; absent is 0 (TRACE). */
export function minLevelOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = (LEVEL_NO as Record<string, number>)[raw.toUpperCase()];
  if (n === undefined)
    throw new BadRequestError(`Invalid minLevel '${raw}': use TRACE, DEBUG, INFO, WARN or ERROR`);
  return n;
}

const bad = (field: string, message: string): never => {
  throw new InvalidQueryFiltersError(`Invalid query filters: ${message}`, [
    { message, path: `filters[${field}]` },
  ]);
};

/** An ISO-8601 date-time with an offset, normalised to UTC (the stored form). */
function isoDate(field: string, raw: string): string {
  const t = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(t)) bad(field, `${field} must be an ISO-8601 date-time with an offset, got '${raw}'`);
  return new Date(t).toISOString();
}

/**
 * The query of `GET /logs/search` (Kestra's `searchLogs`): paging, `sort`
 * on `timestamp`, and the filters `namespace` (EQUALS, PREFIX, STARTS_WITH:
 * this namespace and below), `flowId`, `executionId`, `level` (the minimum),
 * `q`, `startDate` / `endDate` (GREATER_THAN_OR_EQUAL_TO / LESS_THAN_OR_EQUAL_TO),
 * plus the older plain parameters `namespace`, `flowId`, `minLevel`, `q`,
 * `startDate`, `endDate`. Any other filter is a 400 naming it.
 *
 * @example
 * logSearchQuery(c); // { page: 1, size: 10, order: 'desc', namespace: 'company', minLevel: 3 }
 */
export function logSearchQuery(
  c: Context,
  dialect: KestraVersion = '1.3',
): LogSearch & { page: number; size: number; order: 'asc' | 'desc' } {
  const q: LogSearch & { page: number; size: number; order: 'asc' | 'desc' } = {
    ...paging(c),
    order: 'desc',
  };
  for (const s of (c.req.queries('sort') ?? []).flatMap((x) => x.split(',')).filter((x) => x !== '')) {
    const [field, dir = 'asc'] = s.split(':');
    if (field !== 'timestamp' || (dir !== 'asc' && dir !== 'desc'))
      throw new BadRequestError(
        `Bad Request: invalid sort "${s}"; logs sort by timestamp:asc or timestamp:desc`,
        [{ message: 'must be timestamp:asc or timestamp:desc', path: 'sort' }],
      );
    q.order = dir;
  }
  const plain = (name: string) => c.req.query(name) || undefined;
  const ns = plain('namespace');
  if (ns) q.namespace = ns;
  const flowId = plain('flowId');
  if (flowId) q.flowId = flowId;
  const text = plain('q');
  if (text) q.q = text;
  if (plain('minLevel')) q.minLevel = minLevelOf(plain('minLevel'));
  const start = plain('startDate');
  if (start) q.startDate = isoDate('startDate', start);
  const end = plain('endDate');
  if (end) q.endDate = isoDate('endDate', end);
  if (dialect === '2.0') fill(q, filterTree(c), dialect);
  else for (const f of queryFilters(c)) applyFilter(q, f.field, f.operation, f.value, dialect);
  return q;
}

/** A 2.0 filter tree into a search: leaves set its fields, groups become `groups` (evaluated in SQL). */
function fill(q: LogSearch, nodes: FilterNode[], dialect: KestraVersion): void {
  for (const n of nodes) {
    if (!isGroup(n)) applyFilter(q, n.field, n.operation, n.value, dialect);
    else {
      q.groups ??= [];
      q.groups.push({
        logical: n.logical,
        children: n.children.map((child) => {
          const sub: LogSearch = {};
          fill(sub, isGroup(child) && child.logical === 'and' ? child.children : [child], dialect);
          return sub;
        }),
      });
    }
  }
}

/** One `filters[field][op]=value` of `/logs/search`; anything else is a 400 naming the field. */
function applyFilter(q: LogSearch, field: string, op: string, value: string, dialect: KestraVersion): void {
  const only = (...ops: string[]) => {
    if (!ops.includes(op)) bad(field, `unsupported operation ${op} on ${field}`);
  };
  switch (field) {
    case 'namespace':
      only('EQUALS', 'PREFIX', 'STARTS_WITH');
      q.namespace = value;
      break;
    case 'flowId':
      only('EQUALS');
      q.flowId = value;
      break;
    case 'executionId':
      only('EQUALS');
      q.executionId = value;
      break;
    case 'level':
    case 'minLevel':
      // 2.0 (PR #16202): the field is `level`, and EQUALS no longer means "at or above": it is refused.
      if (dialect === '2.0' && field === 'minLevel')
        bad(field, 'minLevel is not a 2.0 filter field: use level');
      if (dialect === '2.0') only('GREATER_THAN_OR_EQUAL_TO');
      else only('EQUALS', 'GREATER_THAN_OR_EQUAL_TO');
      q.minLevel = minLevelOf(value);
      break;
    case 'q':
      only('EQUALS', 'CONTAINS');
      q.q = value;
      break;
    case 'startDate':
      only('GREATER_THAN_OR_EQUAL_TO', 'GREATER_THAN', 'EQUALS');
      q.startDate = isoDate(field, value);
      break;
    case 'endDate':
      only('LESS_THAN_OR_EQUAL_TO', 'LESS_THAN', 'EQUALS');
      q.endDate = isoDate(field, value);
      break;
    default:
      bad(field, `filters[${field}] is not supported on logs`);
  }
}
