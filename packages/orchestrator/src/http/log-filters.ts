import type { KestraVersion } from '@silo/contracts';
import type { Context } from 'hono';
import { LEVEL_NO, type StoredLog } from '../ports/log-store.js';
import {
  type FilterLeaf,
  type FilterNode,
  filterTree,
  InvalidQueryFiltersError,
  isGroup,
} from './query-filters.js';

type Predicate = (r: StoredLog) => boolean;

const fail = (field: string, message: string): never => {
  throw new InvalidQueryFiltersError(`Invalid query filters: ${message}`, [
    { message, path: `filters[${field}]` },
  ]);
};

const TEXT_OPS = ['EQUALS', 'NOT_EQUALS', 'IN', 'NOT_IN', 'CONTAINS', 'STARTS_WITH', 'ENDS_WITH', 'PREFIX'];
const ORDER_OPS = ['GREATER_THAN_OR_EQUAL_TO', 'GREATER_THAN', 'LESS_THAN_OR_EQUAL_TO', 'LESS_THAN'];

function text(get: (r: StoredLog) => string | undefined, f: FilterLeaf): Predicate {
  const { operation: op, value, field } = f;
  if (!TEXT_OPS.includes(op)) fail(field, `unsupported operation ${op} on ${field}`);
  const values = value.split(',');
  return (r) => {
    const v = get(r);
    switch (op) {
      case 'EQUALS':
        return v === value;
      case 'NOT_EQUALS':
        return v !== value;
      case 'IN':
        return v !== undefined && values.includes(v);
      case 'NOT_IN':
        return v === undefined || !values.includes(v);
      case 'CONTAINS':
        return v?.toLowerCase().includes(value.toLowerCase()) === true;
      case 'STARTS_WITH':
        return v?.startsWith(value) === true;
      case 'ENDS_WITH':
        return v?.endsWith(value) === true;
      default: // PREFIX: the value and below (`company` holds `company.team`)
        return v !== undefined && (v === value || v.startsWith(`${value}.`));
    }
  };
}

function ordered(n: number, op: string, bound: number): boolean {
  switch (op) {
    case 'GREATER_THAN_OR_EQUAL_TO':
      return n >= bound;
    case 'GREATER_THAN':
      return n > bound;
    case 'LESS_THAN_OR_EQUAL_TO':
      return n <= bound;
    case 'LESS_THAN':
      return n < bound;
    case 'EQUALS':
      return n === bound;
    default:
      return n !== bound;
  }
}

function leaf(f: FilterLeaf, dialect: KestraVersion): Predicate {
  const { field, operation: op, value } = f;
  switch (field) {
    case 'level':
    case 'minLevel': {
      if (dialect === '2.0' && field === 'minLevel')
        fail(field, 'minLevel is not a 2.0 filter field: use filters[level][GREATER_THAN_OR_EQUAL_TO]');
      const bound = (LEVEL_NO as Record<string, number>)[value.toUpperCase()];
      if (bound === undefined) fail(field, `unknown level '${value}': use TRACE, DEBUG, INFO, WARN or ERROR`);
      // 1.3: EQUALS on level meant "at or above"; 2.0 refuses it (PR #16202).
      if (op === 'EQUALS' || op === 'NOT_EQUALS') {
        if (dialect === '2.0')
          fail(
            field,
            `${op} is not supported on level: use GREATER_THAN_OR_EQUAL_TO or LESS_THAN_OR_EQUAL_TO`,
          );
        return (r) => LEVEL_NO[r.level] >= bound!;
      }
      if (!ORDER_OPS.includes(op)) fail(field, `unsupported operation ${op} on level`);
      return (r) => ordered(LEVEL_NO[r.level], op, bound!);
    }
    case 'attemptNumber': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) fail(field, `attemptNumber must be an integer ≥ 0, got '${value}'`);
      if (![...ORDER_OPS, 'EQUALS', 'NOT_EQUALS'].includes(op))
        fail(field, `unsupported operation ${op} on attemptNumber`);
      // Stored from 1 (the worker's count); Kestra's attemptNumber is 0-based.
      return (r) => r.attempt !== undefined && ordered(r.attempt - 1, op, n);
    }
    case 'startDate':
    case 'endDate': {
      const t = Date.parse(value);
      if (Number.isNaN(t)) fail(field, `${field} must be an ISO-8601 date-time, got '${value}'`);
      if (![...ORDER_OPS, 'EQUALS'].includes(op)) fail(field, `unsupported operation ${op} on ${field}`);
      const cmp =
        op === 'EQUALS' ? (field === 'startDate' ? 'GREATER_THAN_OR_EQUAL_TO' : 'LESS_THAN_OR_EQUAL_TO') : op;
      return (r) => ordered(Date.parse(r.timestamp), cmp, t);
    }
    case 'taskId':
      return text((r) => r.taskId, f);
    case 'taskRunId':
      return text((r) => r.taskRunId, f);
    case 'executionId':
      return text((r) => r.executionId, f);
    case 'namespace':
      return text((r) => r.namespace, f);
    case 'flowId':
      return text((r) => r.flowId, f);
    case 'q':
    case 'message':
      return text((r) => r.message, { ...f, operation: op === 'EQUALS' ? 'CONTAINS' : op });
    default:
      return fail(field, `filters[${field}] is not supported on logs`);
  }
}

function compile(n: FilterNode, dialect: KestraVersion): Predicate {
  if (!isGroup(n)) return leaf(n, dialect);
  const parts = n.children.map((child) => compile(child, dialect));
  return n.logical === 'or' ? (r) => parts.some((p) => p(r)) : (r) => parts.every((p) => p(r));
}

/**
 * The `filters[...]` of the per-execution log routes (list, download,
 * follow) as one predicate over an execution's lines, groups included (2.0:
 * `filters[or][0][taskId][EQUALS]=a&filters[or][1][level][GREATER_THAN_OR_EQUAL_TO]=WARN`).
 * One execution's lines are filtered in memory, so every field and group of
 * the tree is honoured. Unknown fields and operations are a 400 naming them.
 *
 * @example
 * const keep = logFilter(c, '2.0'); rows.filter(keep);
 */
export function logFilter(c: Context, dialect: KestraVersion): Predicate {
  const parts = filterTree(c).map((n) => compile(n, dialect));
  return (r) => parts.every((p) => p(r));
}
