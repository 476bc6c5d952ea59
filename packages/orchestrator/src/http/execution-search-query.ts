import { isStateType } from '@silo/contracts';
import type { Context } from 'hono';
import { parseIsoDuration } from '../flow/iso-duration.js';
import type { ExecutionSearch } from '../sqlite/execution-store.js';
import { ApiError } from './api-error.js';
import { paging } from './query-params.js';

const SORTABLE = new Set([
  'state.startDate',
  'startDate',
  'state.endDate',
  'endDate',
  'state.current',
  'state',
  'id',
  'flowId',
  'namespace',
]);

const bad = (field: string, message: string): never => {
  throw new ApiError(400, `Bad Request: ${message}`, [{ message, path: field }]);
};

/** `key:value` labels (query `labels`), each with a non-empty key and a value. */
export function parseLabelParams(
  values: readonly string[] | undefined,
): Array<{ key: string; value: string }> {
  return (values ?? []).map((raw) => {
    const i = raw.indexOf(':');
    if (i <= 0) bad('labels', `invalid label '${raw}': expected key:value`);
    return { key: raw.slice(0, i), value: raw.slice(i + 1) };
  });
}

function isoDate(field: string, value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) bad(field, `${field} must be an ISO-8601 date-time, got '${value}'`);
  return new Date(t).toISOString();
}

/**
 * Reads the query of `GET /executions/search` into a store search, Kestra 1.x
 * style: `filters[field][OP][sub]=value` plus the older flat parameters
 * (`namespace`, `flowId`, `state`, `labels`, `startDate`, `endDate`,
 * `timeRange`, `q`). Every unknown or malformed value is a 400 naming the
 * field; `timeRange` (an ISO duration, `PT168H`) means "started since now −
 * duration"; `q` matches id, namespace or flow id (case-insensitive substring,
 * as Kestra's full-text field over those three).
 *
 * @example
 * executionSearchQuery(c, new Date()); // { page: 1, size: 10, states: ['FAILED'], sinceMs: ... }
 */
export function executionSearchQuery(c: Context, now: Date): ExecutionSearch {
  const { page, size } = paging(c);
  const q: ExecutionSearch = { page, size, states: [], labels: [] };
  const add = (field: string, op: string, value: string, sub: string | undefined) => {
    const eq = op === 'EQUALS' || op === 'IN';
    switch (field) {
      case 'q':
        q.q = value;
        return;
      case 'namespace':
        if (op !== 'EQUALS' && op !== 'PREFIX' && op !== 'STARTS_WITH')
          bad('namespace', `unsupported operation ${op} on namespace`);
        q.namespace = value;
        return;
      case 'flowId':
        if (op !== 'EQUALS') bad('flowId', `unsupported operation ${op} on flowId`);
        q.flowId = value;
        return;
      case 'state': {
        if (!eq) bad('state', `unsupported operation ${op} on state`);
        for (const s of value.split(',').filter((x) => x !== '')) {
          if (!isStateType(s)) bad('state', `unknown state '${s}'`);
          q.states!.push(s);
        }
        return;
      }
      case 'labels':
        if (op !== 'EQUALS') bad('labels', `unsupported operation ${op} on labels`);
        if (sub !== undefined) q.labels!.push({ key: sub, value });
        else q.labels!.push(...parseLabelParams([value]));
        return;
      case 'startDate':
        if (op === 'LESS_THAN' || op === 'LESS_THAN_OR_EQUAL_TO') q.endDate = isoDate('startDate', value);
        else q.startDate = isoDate('startDate', value);
        return;
      case 'endDate':
        q.endDate = isoDate('endDate', value);
        return;
      case 'timeRange': {
        const ms = parseIsoDuration(value);
        if (ms === undefined || ms <= 0)
          bad('timeRange', `timeRange must be an ISO-8601 duration such as PT168H, got '${value}'`);
        q.startDate = new Date(now.getTime() - ms!).toISOString();
        return;
      }
      case 'scope':
      case 'kind':
      case 'childFilter':
        return; // Silo has no system flows, test executions or child filters: every execution matches.
      default:
        bad(field, `unknown filter field '${field}'`);
    }
  };
  const url = new URL(c.req.url);
  for (const [k, v] of url.searchParams) {
    const m = /^filters\[([^\]]+)\]\[([^\]]+)\](?:\[([^\]]+)\])?$/.exec(k);
    if (m) add(m[1]!, m[2]!, v, m[3]);
    else if (k.startsWith('filters')) bad(k, `malformed filter '${k}': expected filters[field][OPERATION]`);
  }
  const flat: Record<string, string> = {
    namespace: 'namespace',
    flowId: 'flowId',
    state: 'state',
    startDate: 'startDate',
    endDate: 'endDate',
    timeRange: 'timeRange',
    q: 'q',
  };
  for (const [param, field] of Object.entries(flat)) {
    for (const v of c.req.queries(param) ?? []) if (v !== '') add(field, 'EQUALS', v, undefined);
  }
  q.labels!.push(...parseLabelParams(c.req.queries('labels')));
  const sort = (c.req.queries('sort') ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const s of sort) {
    const [field = '', dir = 'desc'] = s.split(':');
    if (!SORTABLE.has(field) || (dir !== 'asc' && dir !== 'desc'))
      bad('sort', `invalid sort '${s}'; expected one of ${[...SORTABLE].join(', ')} with :asc or :desc`);
  }
  q.sort = sort;
  return q;
}
