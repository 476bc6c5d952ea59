import { type Context, Hono } from 'hono';
import { LineCounter, parseAllDocuments } from 'yaml';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.js';
import { instanceDialect } from '../flow/dialect.js';
import type { Flow, FlowIssue } from '../flow/flow-model.js';
import { formatIssue } from '../flow/issue-collector.js';
import { parseFlow, parseFlowDocument } from '../flow/parse-flow.js';
import { boundedToJS, yamlNestingIssue } from '../flow/yaml-guard.js';
import { LIMITS } from '../limits.js';
import type { FlowRepository, FlowSearchQuery } from '../ports/flow-repository.js';
import { dialectOf } from './dialect.js';
import { toFlowJson } from './flow-json.js';
import { op } from './operation.js';
import { flowSort, paging, queryFilters } from './query-params.js';

export type FlowsRoutesDeps = {
  /** The store, or a getter for one that exists once the instance has started. */
  flows: FlowRepository | (() => FlowRepository);
  /** @default () => new Date() */
  now?: () => Date;
};

const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml'];

/**
 * The YAML body; 415 for another content type (Kestra's flow endpoints take
 * `application/x-yaml`), 413 past the flow size limit (`LIMITS.maxFlowSourceBytes`).
 */
export async function yamlBody(c: Context): Promise<string> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!YAML_TYPES.includes(type))
    throw new UnsupportedMediaTypeError(
      `Unsupported Media Type: expected application/x-yaml, got ${type === '' ? 'none' : type}`,
    );
  const text = await c.req.text();
  const bytes = Buffer.byteLength(text);
  if (bytes > LIMITS.maxFlowSourceBytes)
    throw new PayloadTooLargeError(
      `Payload Too Large: the flow source is ${bytes} bytes, more than ${LIMITS.maxFlowSourceBytes} (the flow size limit)`,
      [{ message: `more than ${LIMITS.maxFlowSourceBytes} bytes (the flow size limit)`, path: 'body' }],
    );
  return text;
}

/** 422 in Kestra's shape: `Invalid entity: ...` and one `_embedded.errors` entry per issue. */
export function invalid(issues: FlowIssue[]): ValidationError {
  return new ValidationError(
    `Invalid entity: ${issues.map(formatIssue).join('\n')}`,
    issues.map((i) => ({ message: formatIssue(i), path: i.path })),
  );
}

const flag = (c: Context, name: string) => c.req.query(name) === 'true';

/** `?draft=true` (Kestra 2.0, flow/drafts.ts) marks the saved revision; a 1.3 tenant refuses the parameter. */
function markDraft(c: Context, flow: Flow): void {
  const draft = c.req.query('draft');
  if (draft === undefined || draft === 'false') return;
  if (instanceDialect() !== '2.0')
    throw invalid([
      { path: 'draft', message: 'drafts are a Kestra 2.0 feature, not available on a Kestra 1.3 tenant' },
    ]);
  if (draft !== 'true') throw invalid([{ path: 'draft', message: `expected true or false, got "${draft}"` }]);
  flow.draft = true;
}

/** Reads the search filters: `namespace`, `q` and their `filters[...]` forms. */
export function flowSearchQuery(c: Context): FlowSearchQuery {
  const query: FlowSearchQuery = { ...paging(c), sort: flowSort(c) };
  const ns = c.req.query('namespace');
  if (ns) query.namespace = ns;
  const q = c.req.query('q');
  if (q) query.q = q;
  for (const f of queryFilters(c)) {
    if (f.field === 'namespace' && f.operation === 'EQUALS') query.namespaceEquals = f.value;
    else if (f.field === 'namespace' && (f.operation === 'STARTS_WITH' || f.operation === 'PREFIX'))
      query.namespace = f.value;
    else if (f.field === 'q' && (f.operation === 'EQUALS' || f.operation === 'CONTAINS')) query.q = f.value;
    else
      throw new BadRequestError(
        `Invalid query filters: filters[${f.field}][${f.operation}] is not supported on flows`,
      );
  }
  return query;
}

/**
 * Kestra's flows API (SCOPE.md rows 1–8 and 34, plus `GET /flows/{namespace}`),
 * to mount on the tenant API (`/api/v1/{tenant}`).
 *
 * @example
 * api.route('/', createFlowsRoutes({ flows: () => flowRepository }));
 */
export function createFlowsRoutes(deps: FlowsRoutesDeps): Hono {
  const repo = () => (typeof deps.flows === 'function' ? deps.flows() : deps.flows);
  const now = deps.now ?? (() => new Date());
  const app = new Hono();

  app.post('/flows/validate', op('validateFlows'), async (c) => {
    const text = await yamlBody(c);
    const tooDeep = yamlNestingIssue(text, new LineCounter());
    if (tooDeep) return c.json([{ index: 0, constraints: formatIssue(tooDeep) }]);
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [];
    return c.json(
      list.map((doc, index) => {
        const js = doc.errors.length === 0 ? boundedToJS(doc, lineCounter) : undefined;
        const raw = js?.ok ? js.value : undefined;
        // Kestra always sends the lists, empty when there is nothing to say.
        const entry: Record<string, unknown> = {
          index,
          outdated: false,
          deprecationPaths: [],
          warnings: [],
          infos: [],
        };
        if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
          const { id, namespace } = raw as Record<string, unknown>;
          if (typeof id === 'string') entry.flow = id;
          if (typeof namespace === 'string') entry.namespace = namespace;
        }
        const r = parseFlowDocument(doc, lineCounter);
        if (!r.ok) entry.constraints = r.issues.map(formatIssue).join('\n');
        return entry;
      }),
    );
  });

  app.post('/flows', op('createFlow'), async (c) => {
    const source = await yamlBody(c);
    const r = parseFlow(source);
    if (!r.ok) throw invalid(r.issues);
    markDraft(c, r.flow);
    if (repo().get(r.flow.namespace, r.flow.id))
      throw new ConflictError(
        `Conflict: Flow id '${r.flow.id}' already exists in namespace '${r.flow.namespace}'`,
      );
    return c.json(toFlowJson(repo().create(source, r.flow, now()), { source: true, dialect: dialectOf(c) }));
  });

  app.get('/flows/search', op('searchFlows'), (c) => {
    const { results, total } = repo().search(flowSearchQuery(c));
    return c.json({ results: results.map((r) => toFlowJson(r, { dialect: dialectOf(c) })), total });
  });

  app.get('/flows/source', op('searchFlowsBySourceCode'), (c) => {
    const q = c.req.query('q') ?? '';
    const query: FlowSearchQuery = { ...paging(c), sort: flowSort(c), sourceContains: q };
    const ns = c.req.query('namespace');
    if (ns) query.namespace = ns;
    const { results, total } = repo().search(query);
    const needle = q.toLowerCase();
    return c.json({
      results: results.map((r) => ({
        model: toFlowJson(r, { dialect: dialectOf(c) }),
        fragments:
          needle === '' ? [] : r.source.split('\n').filter((line) => line.toLowerCase().includes(needle)),
      })),
      total,
    });
  });

  app.get('/flows/distinct-namespaces', op('listDistinctNamespaces'), (c) =>
    c.json(repo().namespaces(c.req.query('q') || undefined)),
  );

  app.get('/flows/:namespace', op('listFlowsByNamespace'), (c) =>
    c.json(
      repo()
        .listByNamespace(c.req.param('namespace'))
        .map((r) => toFlowJson(r, { dialect: dialectOf(c) })),
    ),
  );

  app.get('/flows/:namespace/:id', op('flow'), (c) => {
    const { namespace, id } = c.req.param();
    const rev = c.req.query('revision');
    const revision = rev === undefined || rev === '' ? undefined : Number(rev);
    if (revision !== undefined && (!Number.isInteger(revision) || revision < 1))
      throw new BadRequestError(`Bad Request: revision must be an integer ≥ 1, got "${rev}"`);
    const record = repo().get(namespace, id, { revision, allowDeleted: flag(c, 'allowDeleted') });
    if (!record)
      throw new NotFoundError('flow', `${namespace}.${id}${revision ? ` revision ${revision}` : ''}`);
    return c.json(toFlowJson(record, { source: flag(c, 'source'), dialect: dialectOf(c) }));
  });

  app.get('/flows/:namespace/:id/revisions', op('listFlowRevisions'), (c) => {
    const { namespace, id } = c.req.param();
    const revisions = repo().revisions(namespace, id);
    const live = repo().get(namespace, id);
    if (revisions.length === 0 || (!live && !flag(c, 'allowDelete')))
      throw new NotFoundError('flow', `${namespace}.${id}`);
    return c.json(revisions.map((r) => toFlowJson(r, { source: true, dialect: dialectOf(c) })));
  });

  app.put('/flows/:namespace/:id', op('updateFlow'), async (c) => {
    const { namespace, id } = c.req.param();
    const source = await yamlBody(c);
    const r = parseFlow(source);
    if (!r.ok) throw invalid(r.issues);
    markDraft(c, r.flow);
    const mismatch: FlowIssue[] = [];
    if (r.flow.id !== id) mismatch.push({ path: 'id', message: `must be "${id}", the flow id in the path` });
    if (r.flow.namespace !== namespace)
      mismatch.push({ path: 'namespace', message: `must be "${namespace}", the namespace in the path` });
    if (mismatch.length > 0) throw invalid(mismatch);
    const updated = repo().update(source, r.flow, now());
    if (!updated) throw new NotFoundError('flow', `${namespace}.${id}`);
    return c.json(toFlowJson(updated.record, { source: true, dialect: dialectOf(c) }));
  });

  app.delete('/flows/:namespace/:id', op('deleteFlow'), (c) => {
    const { namespace, id } = c.req.param();
    if (!repo().delete(namespace, id, now())) throw new NotFoundError('flow', `${namespace}.${id}`);
    return c.body(null, 204);
  });

  return app;
}
