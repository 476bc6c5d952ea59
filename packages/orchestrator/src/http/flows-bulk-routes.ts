import { type Context, Hono } from 'hono';
import { parseDocument } from 'yaml';
import { BadRequestError, NotFoundError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import type { Flow } from '../flow/flow-model.js';
import { formatIssue } from '../flow/issue-collector.js';
import { parseFlow } from '../flow/parse-flow.js';
import { LIMITS } from '../limits.js';
import type { FlowRecord, FlowRepository } from '../ports/flow-repository.js';
import { dialectOf } from './dialect.js';
import { boolParam } from './execution-actions-routes.js';
import { flowGraph } from './flow-graph.js';
import { toFlowJson } from './flow-json.js';
import { flowsZip, sourcesOfUpload } from './flows-archive.js';
import { flowSearchQuery } from './flows-routes.js';
import { op } from './operation.js';

export type FlowsBulkDeps = { flows: () => FlowRepository; now: () => Date };

/** Flows one bulk request may carry (a bound on its loops). */
export const MAX_FLOWS_PER_REQUEST = 1000;

const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'text/x-yaml'];

/** Splits a multi-document YAML text into each document's source, as written (Kestra splits on `---` lines). */
export function splitSources(text: string): string[] {
  const docs = text
    .split(/^---[ \t]*$/m)
    .map((s) => s.replace(/^\r?\n/, ''))
    .filter((s) => s.trim() !== '' && !/^(\s*#.*)?(\r?\n\s*#.*)*\s*$/.test(s));
  if (docs.length > MAX_FLOWS_PER_REQUEST)
    throw new BadRequestError(
      `Bad Request: at most ${MAX_FLOWS_PER_REQUEST} flows per request, got ${docs.length}`,
      [{ message: `at most ${MAX_FLOWS_PER_REQUEST} flows`, path: 'body' }],
    );
  return docs;
}

/** A multi-document YAML body (415 for another content type). */
async function yamlDocs(c: Context): Promise<string[]> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!YAML_TYPES.includes(type))
    throw new UnsupportedMediaTypeError(
      `Unsupported Media Type: expected application/x-yaml, got ${type === '' ? 'none' : type}`,
    );
  return splitSources(await c.req.text());
}

type Parsed = { source: string; flow: Flow };

/**
 * Parses every source; one 422 naming each invalid document (by index and
 * path) when any is invalid, so that nothing is saved from a bad batch.
 */
function parseAll(sources: string[], check?: (flow: Flow, index: number) => string | undefined): Parsed[] {
  const details: Array<{ message: string; path: string }> = [];
  const parsed: Parsed[] = [];
  for (const [index, source] of sources.entries()) {
    const bytes = Buffer.byteLength(source);
    if (bytes > LIMITS.maxFlowSourceBytes) {
      details.push({
        message: `more than ${LIMITS.maxFlowSourceBytes} bytes (the flow size limit)`,
        path: `[${index}]`,
      });
      continue;
    }
    const r = parseFlow(source);
    if (!r.ok) {
      for (const i of r.issues) details.push({ message: formatIssue(i), path: `[${index}].${i.path}` });
      continue;
    }
    const wrong = check?.(r.flow, index);
    if (wrong) details.push({ message: wrong, path: `[${index}].namespace` });
    else parsed.push({ source, flow: r.flow });
  }
  const seen = new Set<string>();
  for (const [index, p] of parsed.entries()) {
    const key = `${p.flow.namespace}.${p.flow.id}`;
    if (seen.has(key)) details.push({ message: `flow ${key} appears twice`, path: `[${index}].id` });
    seen.add(key);
  }
  if (details.length > 0)
    throw new ValidationError(
      `Invalid entity: ${details.map((d) => `${d.path}: ${d.message}`).join('\n')}`,
      details,
    );
  return parsed;
}

/** The flow moved to `namespace` (`override=true`): its source rewritten, comments kept. */
function withNamespace(p: Parsed, namespace: string): Parsed {
  if (p.flow.namespace === namespace) return p;
  const doc = parseDocument(p.source);
  doc.set('namespace', namespace);
  const source = doc.toString();
  const r = parseFlow(source);
  if (!r.ok)
    throw new ValidationError(
      `Invalid entity: ${r.issues.map(formatIssue).join('\n')}`,
      r.issues.map((i) => ({ message: formatIssue(i), path: i.path })),
    );
  return { source, flow: r.flow };
}

/** Creates or updates each flow; then deletes the live flows `toDelete` selects that were not sent. */
function saver(deps: FlowsBulkDeps) {
  return (parsed: Parsed[], toDelete?: (r: FlowRecord) => boolean): FlowRecord[] => {
    const repo = deps.flows();
    const now = deps.now();
    const saved = parsed.map(
      ({ source, flow }) => repo.update(source, flow, now)?.record ?? repo.create(source, flow, now),
    );
    if (toDelete) {
      const sent = new Set(saved.map((r) => `${r.namespace}\u0000${r.id}`));
      for (const r of repo.listAll())
        if (toDelete(r) && !sent.has(`${r.namespace}\u0000${r.id}`)) repo.delete(r.namespace, r.id, now);
    }
    return saved;
  };
}

const answer = (c: Context, records: FlowRecord[]) =>
  records.map((r) => toFlowJson(r, { source: true, dialect: dialectOf(c) }));

/**
 * Kestra 1.3's flow bulk operations: deploy a namespace from CI
 * (`POST /flows/{namespace}`, `delete` removes the namespace's flows not
 * sent), `POST /flows/bulk`, `POST /flows/import` (a zip of YAML files or a
 * multi-document YAML, multipart part `fileUpload`), exports as zip
 * (`/flows/export/by-ids`, `/flows/export/by-query`) and the graph of a flow.
 * Registered before `createFlowsRoutes`, whose `/flows/{namespace}` and
 * `/flows/{namespace}/{id}` would catch these paths.
 */
export function createFlowsBulkRoutes(deps: FlowsBulkDeps): Hono {
  const app = new Hono();

  const save = saver(deps);

  app.post('/flows/bulk', op('bulkUpdateFlows'), async (c) => {
    const sources = await yamlDocs(c);
    const namespace = c.req.query('namespace') || undefined;
    const children = boolParam(c, 'allowNamespaceChild', false);
    const inScope = (ns: string) =>
      namespace === undefined || ns === namespace || (children && ns.startsWith(`${namespace}.`));
    const parsed = parseAll(sources, (flow) =>
      inScope(flow.namespace)
        ? undefined
        : `must be ${namespace}${children ? ' or below it' : ''}, the namespace given`,
    );
    const del = boolParam(c, 'delete', false);
    return c.json(answer(c, save(parsed, del ? (r) => inScope(r.namespace) : undefined)));
  });

  app.post('/flows/import', op('importFlows'), async (c) => {
    const failOnError = boolParam(c, 'failOnError', false);
    const files = await sourcesOfUpload(c, 'fileUpload');
    const invalids: string[] = [];
    const good: Parsed[] = [];
    for (const file of files)
      for (const [index, source] of splitSources(file.text).entries()) {
        const r = Buffer.byteLength(source) <= LIMITS.maxFlowSourceBytes ? parseFlow(source) : undefined;
        if (r?.ok) good.push({ source, flow: r.flow });
        else
          invalids.push(
            `${file.name}${index > 0 ? `#${index}` : ''}: ${r ? r.issues.map(formatIssue).join('; ') : 'over the flow size limit'}`,
          );
      }
    if (failOnError && invalids.length > 0)
      throw new ValidationError(
        `Invalid entity: ${invalids.join('\n')}`,
        invalids.map((message) => ({ message, path: 'fileUpload' })),
      );
    save(good);
    return c.json(invalids);
  });

  const zipOf = (c: Context, records: FlowRecord[]) =>
    c.body(flowsZip(records), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="flows.zip"',
    });

  app.post('/flows/export/by-ids', op('exportFlowsByIds'), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      body = undefined;
    }
    if (!Array.isArray(body) || body.length > MAX_FLOWS_PER_REQUEST)
      throw new BadRequestError('Bad Request: the body must be a list of {namespace, id}', [
        { message: 'must be a list of {namespace, id}', path: 'body' },
      ]);
    const repo = deps.flows();
    const records: FlowRecord[] = [];
    for (const [i, item] of body.entries()) {
      const { namespace, id } = (item ?? {}) as { namespace?: unknown; id?: unknown };
      if (typeof namespace !== 'string' || typeof id !== 'string')
        throw new BadRequestError(`Bad Request: body[${i}] must be {namespace, id}`, [
          { message: 'must be {namespace, id} strings', path: `body[${i}]` },
        ]);
      const r = repo.get(namespace, id);
      if (r) records.push(r);
    }
    return zipOf(c, records);
  });

  app.get('/flows/export/by-query', op('exportFlowsByQuery'), (c) => {
    const repo = deps.flows();
    const query = { ...flowSearchQuery(c), page: 1, size: MAX_FLOWS_PER_REQUEST };
    return zipOf(c, repo.search(query).results);
  });

  app.get('/flows/:namespace/:id/graph', op('generateFlowGraph'), (c) => {
    const { namespace, id } = c.req.param();
    const rev = c.req.query('revision');
    const revision = rev === undefined || rev === '' ? undefined : Number(rev);
    if (revision !== undefined && (!Number.isInteger(revision) || revision < 1))
      throw new BadRequestError(`Bad Request: revision must be an integer ≥ 1, got "${rev}"`, [
        { message: 'must be an integer ≥ 1', path: 'revision' },
      ]);
    const record = deps.flows().get(namespace, id, revision !== undefined ? { revision } : undefined);
    if (!record)
      throw new NotFoundError('flow', `${namespace}.${id}${revision ? ` revision ${revision}` : ''}`);
    return c.json(flowGraph(record.flow));
  });

  return app;
}

/**
 * `POST /flows/{namespace}` (deploy a namespace from CI; `delete`, default
 * true, removes the namespace's flows not sent; `override` moves the flows
 * sent into the namespace). Mounted after `createFlowsRoutes`, whose
 * `/flows/validate` it would otherwise catch.
 */
export function createFlowsDeployRoute(deps: FlowsBulkDeps): Hono {
  const app = new Hono();
  const save = saver(deps);
  app.post('/flows/:namespace', op('updateFlowsInNamespace'), async (c) => {
    const namespace = c.req.param('namespace');
    const override = boolParam(c, 'override', false);
    const sources = await yamlDocs(c);
    const parsed = parseAll(sources, (flow) =>
      override || flow.namespace === namespace
        ? undefined
        : `must be ${namespace}, the namespace in the path`,
    );
    const placed = override ? parsed.map((p) => withNamespace(p, namespace)) : parsed;
    const del = boolParam(c, 'delete', true);
    return c.json(answer(c, save(placed, del ? (r) => r.namespace === namespace : undefined)));
  });

  return app;
}
