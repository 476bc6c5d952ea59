import { Hono } from 'hono';
import { NotFoundError } from '../errors.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import { op } from './operation.js';
import { paging } from './query-params.js';

/** A namespace and every parent of it: `a.b.c` → `a`, `a.b`, `a.b.c`. */
const withParents = (ns: string) => ns.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));

/**
 * Kestra's namespaces API (SCOPE.md rows 32–33). In Kestra OSS a namespace
 * exists through its flows; its parents are listed too unless `existing=true`.
 *
 * @example
 * api.route('/', createNamespacesRoutes({ flows: () => flowRepository }));
 */
export function createNamespacesRoutes(deps: { flows: FlowRepository | (() => FlowRepository) }): Hono {
  const repo = () => (typeof deps.flows === 'function' ? deps.flows() : deps.flows);
  const app = new Hono();

  app.get('/namespaces/search', op('searchNamespaces'), (c) => {
    const { page, size } = paging(c);
    const q = (c.req.query('q') ?? '').toLowerCase();
    const existing = c.req.query('existing') === 'true';
    const all = new Set<string>();
    for (const ns of repo().namespaces()) for (const n of existing ? [ns] : withParents(ns)) all.add(n);
    let ids = [...all].filter((id) => id.includes(q)).sort();
    if ((c.req.query('sort') ?? '').endsWith(':desc')) ids = ids.reverse();
    const results = ids.slice((page - 1) * size, page * size).map((id) => ({ id, deleted: false }));
    return c.json({ results, total: ids.length });
  });

  app.get('/namespaces/:id', op('namespace'), (c) => {
    const id = c.req.param('id');
    const known = repo()
      .namespaces()
      .some((ns) => ns === id || ns.startsWith(`${id}.`));
    if (!known) throw new NotFoundError('namespace', id);
    return c.json({ id, deleted: false });
  });

  return app;
}
