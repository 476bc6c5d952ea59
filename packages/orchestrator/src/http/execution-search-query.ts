import { isStateType } from '@silo/contracts';
import type { Context } from 'hono';
import { BadRequestError } from '../errors.js';
import { parseIsoDuration } from '../flow/iso-duration.js';
import type { ExecutionCondition, ExecutionFilter, ExecutionSearch } from '../ports/execution-store.js';
import { type FilterNode, filterTree, InvalidQueryFiltersError, isGroup } from './query-filters.js';
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
/** A bad filter: the same 1.3 message, typed so that a 2.0 instance answers `invalid-query-filters`. */
const badFilter = (field: string, message: string): never => {
  throw new InvalidQueryFiltersError(`Bad Request: ${message}`, [{ message, path: field }]);
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

/** The conditions of one filter (the search itself, or one child of a 2.0 group), field by field. */
function adder(q: ExecutionFilter, now: Date) {
  q.states ??= [];
  q.labels ??= [];
  const condition = (field: ExecutionCondition['field'], op: string, value: string) => {
    if (!CONDITION_OPS.has(op)) badFilter(field, `unsupported operation ${op} on ${field}`);
    const values = op === 'IN' || op === 'NOT_IN' ? value.split(',').filter((x) => x !== '') : [value];
    if (values.length === 0) badFilter(field, `${field} needs a value`);
    q.where ??= [];
    q.where.push({ field, op: op as ExecutionCondition['op'], values });
  };
  return (field: string, op: string, value: string, sub: string | undefined) => {
    switch (field) {
      case 'q':
        if (op !== 'EQUALS' && op !== 'CONTAINS') badFilter('q', `unsupported operation ${op} on q`);
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
          badFilter('state', `unsupported operation ${op} on state`);
        const states = value.split(',').filter((x) => x !== '');
        for (const s of states) if (!isStateType(s)) badFilter('state', `unknown state '${s}'`);
        if (states.length === 0) badFilter('state', 'state needs a value');
        if (op === 'EQUALS' || op === 'IN') q.states!.push(...states);
        else {
          q.where ??= [];
          q.where.push({ field: 'state', op: 'NOT_IN', values: states });
        }
        return;
      }
      case 'labels': {
        if (op !== 'EQUALS' && op !== 'NOT_EQUALS')
          badFilter('labels', `unsupported operation ${op} on labels`);
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
        else badFilter('startDate', `unsupported operation ${op} on startDate`);
        return;
      case 'endDate':
        if (op !== 'LESS_THAN' && op !== 'LESS_THAN_OR_EQUAL_TO' && op !== 'EQUALS')
          badFilter('endDate', `unsupported operation ${op} on endDate`);
        q.endDate = isoDate('endDate', value);
        return;
      case 'timeRange': {
        if (op !== 'EQUALS') badFilter('timeRange', `unsupported operation ${op} on timeRange`);
        const ms = parseIsoDuration(value);
        if (ms === undefined || ms <= 0)
          badFilter('timeRange', `timeRange must be an ISO-8601 duration such as PT168H, got '${value}'`);
        q.startDate = new Date(now.getTime() - ms!).toISOString();
        return;
      }
      case 'scope':
      case 'kind':
      case 'childFilter':
        return; // Silo has no system flows, test executions or child filters: every execution matches.
      default:
        badFilter(field, `unknown filter field '${field}'`);
    }
  };
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
  const add = adder(q, now);
  const fill = (target: ExecutionFilter, nodes: FilterNode[]) => {
    const into = adder(target, now);
    for (const n of nodes) {
      if (!isGroup(n)) into(n.field, n.operation, n.value, n.sub);
      else {
        target.groups ??= [];
        target.groups.push({
          logical: n.logical,
          children: n.children.map((child) => {
            const f: ExecutionFilter = { states: [], labels: [] };
            fill(f, isGroup(child) && child.logical === 'and' ? child.children : [child]);
            return f;
          }),
        });
      }
    }
  };
  fill(q, filterTree(c));
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
  return q;
}
