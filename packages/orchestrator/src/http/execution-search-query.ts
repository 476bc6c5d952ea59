import { isStateType } from '@silo/contracts';
import type { Context } from 'hono';
import { BadRequestError } from '../errors.js';
import { parseIsoDuration } from '../flow/iso-duration.js';
import type { ExecutionCondition, ExecutionSearch } from '../ports/execution-store.js';
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

const CONDITION_OPS = new Set([
  'EQUALS',
  'NOT_EQUALS',
  'IN',
  'NOT_IN',
  'PREFIX',
  'STARTS_WITH',
  'ENDS_WITH',
  'CONTAINS',
]);

const bad = (field: string, message: string): never => {
  throw new BadRequestError(`Bad Request: ${message}`, [{ message, path: field }]);
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
 * `timeRange`, `q`). Operations: namespace and flowId take EQUALS, NOT_EQUALS,
 * IN, NOT_IN, PREFIX (itself and below), STARTS_WITH, ENDS_WITH, CONTAINS;
 * state EQUALS/IN/NOT_EQUALS/NOT_IN; labels EQUALS/NOT_EQUALS. Every unknown or malformed value is a 400 naming the
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
  const where: ExecutionCondition[] = [];
  const condition = (field: ExecutionCondition['field'], op: string, value: string) => {
    if (!CONDITION_OPS.has(op)) bad(field, `unsupported operation ${op} on ${field}`);
    const values = op === 'IN' || op === 'NOT_IN' ? value.split(',').filter((x) => x !== '') : [value];
    if (values.length === 0) bad(field, `${field} needs a value`);
    where.push({ field, op: op as ExecutionCondition['op'], values });
  };
  const add = (field: string, op: string, value: string, sub: string | undefined) => {
    switch (field) {
      case 'q':
        if (op !== 'EQUALS' && op !== 'CONTAINS') bad('q', `unsupported operation ${op} on q`);
        q.q = value;
        return;
      case 'namespace':
        condition('namespace', op, value);
        return;
      case 'flowId':
        condition('flowId', op, value);
        return;
      case 'state': {
        if (op !== 'EQUALS' && op !== 'IN' && op !== 'NOT_EQUALS' && op !== 'NOT_IN')
          bad('state', `unsupported operation ${op} on state`);
        const states = value.split(',').filter((x) => x !== '');
        for (const s of states) if (!isStateType(s)) bad('state', `unknown state '${s}'`);
        if (states.length === 0) bad('state', 'state needs a value');
        if (op === 'EQUALS' || op === 'IN') q.states!.push(...states);
        else where.push({ field: 'state', op: 'NOT_IN', values: states });
        return;
      }
      case 'labels': {
        if (op !== 'EQUALS' && op !== 'NOT_EQUALS') bad('labels', `unsupported operation ${op} on labels`);
        const labels = sub !== undefined ? [{ key: sub, value }] : parseLabelParams([value]);
        if (op === 'EQUALS') q.labels!.push(...labels);
        else {
          q.notLabels ??= [];
          q.notLabels.push(...labels);
        }
        return;
      }
      case 'startDate':
        if (op === 'LESS_THAN' || op === 'LESS_THAN_OR_EQUAL_TO') q.endDate = isoDate('startDate', value);
        else if (op === 'GREATER_THAN' || op === 'GREATER_THAN_OR_EQUAL_TO' || op === 'EQUALS')
          q.startDate = isoDate('startDate', value);
        else bad('startDate', `unsupported operation ${op} on startDate`);
        return;
      case 'endDate':
        if (op !== 'LESS_THAN' && op !== 'LESS_THAN_OR_EQUAL_TO' && op !== 'EQUALS')
          bad('endDate', `unsupported operation ${op} on endDate`);
        q.endDate = isoDate('endDate', value);
        return;
      case 'timeRange': {
        if (op !== 'EQUALS') bad('timeRange', `unsupported operation ${op} on timeRange`);
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
  // The flat `namespace` parameter matches the namespace and the ones below it, as Kestra's.
  for (const v of c.req.queries('namespace') ?? []) if (v !== '') add('namespace', 'PREFIX', v, undefined);
  const flat: Record<string, string> = {
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
  if (where.length > 0) q.where = where;
  return q;
}
