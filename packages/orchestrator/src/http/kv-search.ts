import type { Context } from 'hono';
import { BadRequestError } from '../errors.js';
import type { KvEntry, KvStore } from '../ports/kv-store.js';
import { paging, queryFilters } from './query-params.js';

const bad = (field: string, message: string): never => {
  throw new BadRequestError(`Invalid query filters: ${message}`, [{ message, path: `filters[${field}]` }]);
};

/**
 * `GET /kv` (Kestra 1.3 `listAllKeys`): the live keys of every namespace as
 * `PagedResults_KVEntry_`, filtered by `filters[namespace][EQUALS|PREFIX|STARTS_WITH]`
 * (PREFIX: the namespace and below) and `filters[q|key][EQUALS|CONTAINS]`
 * (text in the key), sorted by namespace then key, or `sort=key:desc` and the like.
 */
export function listAllKeys(c: Context, store: KvStore): { results: KvEntry[]; total: number } {
  const { page, size } = paging(c);
  let namespace: { value: string; exact: boolean } | undefined;
  let text: string | undefined;
  for (const { field, operation, value } of queryFilters(c)) {
    if (field === 'namespace') {
      if (!['EQUALS', 'PREFIX', 'STARTS_WITH'].includes(operation))
        bad(field, `unsupported operation ${operation} on namespace`);
      namespace = { value, exact: operation === 'EQUALS' };
    } else if (field === 'q' || field === 'key') {
      if (operation !== 'EQUALS' && operation !== 'CONTAINS')
        bad(field, `unsupported operation ${operation} on ${field}`);
      text = value.toLowerCase();
    } else bad(field, `filters[${field}] is not supported on KV`);
  }
  const sort = c.req.query('sort');
  const [sortField = 'namespace', dir = 'asc'] = (sort ?? '').split(':').filter((x) => x !== '');
  if (!['namespace', 'key'].includes(sortField) || (dir !== 'asc' && dir !== 'desc'))
    throw new BadRequestError(
      `Bad Request: invalid sort "${sort}"; use namespace or key with :asc or :desc`,
      [{ message: 'must be namespace or key with :asc or :desc', path: 'sort' }],
    );
  const inScope = (ns: string) =>
    namespace === undefined ||
    ns === namespace.value ||
    (!namespace.exact && ns.startsWith(`${namespace.value}.`));
  const all = store
    .namespaces()
    .filter(inScope)
    .flatMap((ns) => store.list(ns))
    .filter((e) => text === undefined || e.key.toLowerCase().includes(text));
  const key = (e: { namespace: string; key: string }) =>
    sortField === 'key' ? `${e.key}\u0000${e.namespace}` : `${e.namespace}\u0000${e.key}`;
  all.sort((a, b) => (dir === 'asc' ? 1 : -1) * (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { results: all.slice((page - 1) * size, page * size), total: all.length };
}
