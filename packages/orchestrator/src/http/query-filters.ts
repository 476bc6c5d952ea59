import type { Context } from 'hono';
import { BadRequestError, type ErrorDetail } from '../errors.js';

/**
 * A bad `filters[...]` query: an unknown field, an operation the field does
 * not take, a malformed value or group. On 2.0 its problem `type` is
 * `invalid-query-filters` (CHANGES.md C.3); on 1.3 it is a 400 as before.
 */
export class InvalidQueryFiltersError extends BadRequestError {
  // `name` stays BadRequestError's (a literal type there); callers tell it apart with `instanceof`.
  constructor(message: string, details: readonly ErrorDetail[] = []) {
    super(message, details);
  }
}

/** One condition: `filters[field][OPERATION](\[sub\])=value`. */
export type FilterLeaf = { field: string; operation: string; value: string; sub?: string };
/** A group: `filters[or][0][...]`, `filters[and][1][...]`; its children joined by `logical`. */
export type FilterGroup = { logical: 'and' | 'or'; children: FilterNode[] };
export type FilterNode = FilterLeaf | FilterGroup;

export const isGroup = (n: FilterNode): n is FilterGroup => 'logical' in n;

/** Kestra's caps on a filter tree (PR #16170: `max-depth` 3, `max-width` 20). */
export const MAX_FILTER_DEPTH = 3;
export const MAX_FILTER_WIDTH = 20;

const fail = (key: string, message: string): never => {
  throw new InvalidQueryFiltersError(`Invalid query filters: ${message}`, [{ message, path: key }]);
};

/**
 * Reads Kestra's bracketed filters, flat (`filters[state][EQUALS]=FAILED`)
 * and grouped (2.0, PR #16170: `filters[or][0][state][EQUALS]=RUNNING&
 * filters[or][1][state][EQUALS]=FAILED`, nestable: `filters[or][1][and][0]
 * [flowId][EQUALS]=x`), as a list of nodes that must all hold. Groups nest
 * at most 3 deep with at most 20 children each; a malformed key is a 400
 * naming it.
 *
 * @example
 * filterTree(c); // [{ logical: 'or', children: [{ field: 'state', operation: 'EQUALS', value: 'RUNNING' }, ...] }]
 */
export function filterTree(c: Context): FilterNode[] {
  const root: FilterNode[] = [];
  // Group nodes by their key prefix (`filters[or][0]`), so that one child index collects all its conditions.
  const groups = new Map<string, FilterGroup>();
  const slots = new Map<string, FilterNode[]>();
  const url = new URL(c.req.url);
  for (const [key, value] of url.searchParams) {
    if (!key.startsWith('filters')) continue;
    const segments = /^filters((?:\[[^\]]*\])+)$/.exec(key)?.[1];
    if (segments === undefined) fail(key, `malformed filter '${key}': expected filters[field][OPERATION]`);
    const parts = [...segments!.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!);
    let list = root;
    let prefix = 'filters';
    let depth = 0;
    while (parts[0] === 'or' || parts[0] === 'and') {
      const logical = parts.shift() as 'and' | 'or';
      const index = parts.shift();
      if (index === undefined || !/^\d+$/.test(index))
        fail(key, `malformed filter group '${key}': expected filters[${logical}][<index>][field][OPERATION]`);
      if (Number(index) >= MAX_FILTER_WIDTH)
        fail(key, `filter group '${key}' has more than ${MAX_FILTER_WIDTH} children`);
      if (++depth > MAX_FILTER_DEPTH) fail(key, `filter groups nest at most ${MAX_FILTER_DEPTH} deep`);
      const groupKey = `${prefix}[${logical}]`;
      let group = groups.get(groupKey);
      if (!group) {
        group = { logical, children: [] };
        groups.set(groupKey, group);
        list.push(group);
      }
      prefix = `${groupKey}[${index}]`;
      let slot = slots.get(prefix);
      if (!slot) {
        slot = [];
        slots.set(prefix, slot);
        // A child with several conditions is their conjunction.
        group.children.push({ logical: 'and', children: slot });
      }
      list = slot;
    }
    const [field, operation, sub, ...rest] = parts;
    if (!field || !operation || rest.length > 0 || !/^[A-Z_]+$/.test(operation))
      fail(key, `malformed filter '${key}': expected filters[field][OPERATION]`);
    list.push({ field: field!, operation: operation!, value, ...(sub !== undefined ? { sub } : {}) });
  }
  return root.map(simplify);
}

/** An `and` group of one child is that child (keeps the flat case flat). */
function simplify(n: FilterNode): FilterNode {
  if (!isGroup(n)) return n;
  const children = n.children.map(simplify);
  if (n.logical === 'and' && children.length === 1) return children[0]!;
  return { logical: n.logical, children };
}

/** Whether the tree has any group (routes that only take flat filters refuse them). */
export const hasGroups = (nodes: readonly FilterNode[]) => nodes.some(isGroup);
