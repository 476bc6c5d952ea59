import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator } from '../orchestrator.js';
import { openDatabase } from '../sqlite/database.js';
import { SqliteFlowRepository } from '../sqlite/sqlite-flow-repository.js';
import { validateAgainst } from '../testing/openapi.js';
import { listYamlFiles, sharedPath } from '../testing/shared-corpus.js';
import { createHttpApp } from './app.js';
import { createFlowsRoutes } from './flows-routes.js';
import { createNamespacesRoutes } from './namespaces-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'silo-flows-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let app: Hono;
let clock: Date;

beforeEach(() => {
  const repo = new SqliteFlowRepository(openDatabase(join(dir, `api-${n++}.db`)));
  clock = new Date('2025-03-01T12:00:00.000Z');
  const api = new Hono();
  api.route('/', createFlowsRoutes({ flows: repo, now: () => clock }));
  api.route('/', createNamespacesRoutes({ flows: repo }));
  app = createHttpApp({
    tenantId: 'acme',
    instanceToken: undefined,
    logger: pino({ level: 'silent' }),
    isReady: () => true,
    lifecycle: () => ({
      busy: false,
      activeStreams: 0,
      pendingExecutions: 0,
      nextWakeAt: null,
      nextWakeReason: null,
    }),
    api,
  });
});

const base = '/api/v1/acme';
const YAML = { 'content-type': 'application/x-yaml' };
const flowYaml = (id: string, ns = 'company.team', extra = '') =>
  `# keep this comment\nid: ${id}\nnamespace: ${ns}\nlabels:\n  team: data\n${extra}tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: Hello {{ flow.id }}\n`;
const post = (body: string, headers: Record<string, string> = YAML) =>
  app.request(`${base}/flows`, { method: 'POST', body, headers });
const put = (ns: string, id: string, body: string) =>
  app.request(`${base}/flows/${ns}/${id}`, { method: 'PUT', body, headers: YAML });
const get = (path: string) => app.request(`${base}${path}`);
const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe('flows API', () => {
  it('creates a flow: FlowWithSource with the source byte for byte and tasks as written', async () => {
    const res = await post(flowYaml('hello'));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(validateAgainst('FlowWithSource', body)).toEqual([]);
    expect(body).toMatchObject({
      id: 'hello',
      namespace: 'company.team',
      revision: 1,
      labels: [{ key: 'team', value: 'data' }],
      tasks: [{ id: 'hello', type: 'io.kestra.plugin.core.log.Log', message: 'Hello {{ flow.id }}' }],
      disabled: false,
      deleted: false,
      source: flowYaml('hello'),
    });
  });

  it('answers 409 for an existing flow, 415 for a wrong content type', async () => {
    await post(flowYaml('hello'));
    const again = await post(flowYaml('hello'));
    expect(again.status).toBe(409);
    expect(typeof (await json(again)).message).toBe('string');
    const wrong = await post(flowYaml('other'), { 'content-type': 'application/json' });
    expect(wrong.status).toBe(415);
  });

  it('answers 422 listing every issue with its path', async () => {
    const res = await post(
      'id: bad flow\nnamespace: Company\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Logg\n',
    );
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.message).toMatch(/^Invalid entity: /);
    const errors = (body._embedded as { errors: Array<{ message: string; path: string }> }).errors;
    expect(errors.map((e) => e.path)).toEqual(['id', 'namespace', 'tasks[0].type']);
    expect(errors[2]!.message).toBe(
      'tasks[0].type: unknown task type "io.kestra.plugin.core.log.Logg"; did you mean "io.kestra.plugin.core.log.Log"? (line 5, column 5)',
    );
  });

  it('updates: revision +1 when the source changed, the same revision when not; gets by revision', async () => {
    await post(flowYaml('hello'));
    const same = await put('company.team', 'hello', flowYaml('hello'));
    expect((await json(same)).revision).toBe(1);
    clock = new Date('2025-03-02T12:00:00.000Z');
    const changed = await put(
      'company.team',
      'hello',
      flowYaml('hello', 'company.team', 'description: v2\n'),
    );
    const body = await json(changed);
    expect(validateAgainst('FlowWithSource', body)).toEqual([]);
    expect(body).toMatchObject({ revision: 2, description: 'v2', updated: '2025-03-02T12:00:00.000Z' });
    const r1 = await json(await get('/flows/company.team/hello?revision=1&source=true'));
    expect(r1).toMatchObject({ revision: 1, source: flowYaml('hello') });
    expect(r1.description).toBeUndefined();
    const current = await json(await get('/flows/company.team/hello'));
    expect(current.revision).toBe(2);
    expect(current.source).toBeUndefined();
    expect(validateAgainst('FlowWithSource', current)).toEqual([]);
    const revisions = (await (await get('/flows/company.team/hello/revisions')).json()) as unknown[];
    expect(revisions.map((r) => (r as { revision: number }).revision)).toEqual([1, 2]);
    for (const r of revisions) expect(validateAgainst('FlowWithSource', r)).toEqual([]);
    expect((await get('/flows/company.team/hello?revision=9')).status).toBe(404);
  });

  it('refuses an update whose id differs from the path, of a missing flow, or invalid', async () => {
    await post(flowYaml('hello'));
    expect((await put('company.team', 'hello', flowYaml('other'))).status).toBe(422);
    expect((await put('company.team', 'missing', flowYaml('missing'))).status).toBe(404);
    expect(
      (await put('company.team', 'hello', 'id: hello\nnamespace: company.team\ntasks: []\n')).status,
    ).toBe(422);
  });

  it('deletes softly: 204, then 404, visible with allowDeleted', async () => {
    await post(flowYaml('hello'));
    const del = await app.request(`${base}/flows/company.team/hello`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await get('/flows/company.team/hello')).status).toBe(404);
    const deleted = await json(await get('/flows/company.team/hello?allowDeleted=true'));
    expect(deleted.deleted).toBe(true);
    expect((await app.request(`${base}/flows/company.team/hello`, { method: 'DELETE' })).status).toBe(404);
    expect((await get('/flows/company.team/nope')).status).toBe(404);
  });

  it('searches with paging, sort, namespace, q and filters', async () => {
    for (const [id, ns] of [
      ['a', 'company.team'],
      ['b', 'company.team'],
      ['c', 'company.other'],
      ['d', 'acme'],
      ['e', 'company.team'],
    ])
      await post(flowYaml(id!, ns));
    const page = await json(await get('/flows/search?page=2&size=2&sort=id:asc'));
    expect(validateAgainst('PagedResults_Flow_', page)).toEqual([]);
    expect(page.total).toBe(5);
    expect((page.results as Array<{ id: string }>).map((f) => f.id)).toEqual(['c', 'd']);
    const desc = await json(await get('/flows/search?sort=id:desc&size=1'));
    expect((desc.results as Array<{ id: string }>)[0]!.id).toBe('e');
    expect((await json(await get('/flows/search?namespace=company'))).total).toBe(4);
    expect((await json(await get('/flows/search?filters[namespace][EQUALS]=company.team'))).total).toBe(3);
    expect((await json(await get('/flows/search?q=acme'))).total).toBe(1);
    expect((await get('/flows/search?sort=nope:asc')).status).toBe(400);
    const list = (await (await get('/flows/company.team')).json()) as Array<Record<string, unknown>>;
    expect(list.map((f) => f.id)).toEqual(['a', 'b', 'e']);
    for (const f of list) expect(validateAgainst('Flow', f)).toEqual([]);
    const source = await json(await get('/flows/source?q=namespace: acme'));
    expect(validateAgainst('PagedResults_SearchResult_Flow__', source)).toEqual([]);
    expect(source.total).toBe(1);
    expect(await (await get('/flows/distinct-namespaces')).json()).toEqual([
      'acme',
      'company.other',
      'company.team',
    ]);
  });

  it('lists namespaces with their parents, and gets one', async () => {
    await post(flowYaml('a', 'company.team'));
    const search = await json(await get('/namespaces/search'));
    expect(validateAgainst('PagedResults_Namespace_', search)).toEqual([]);
    expect(search).toEqual({
      results: [
        { id: 'company', deleted: false },
        { id: 'company.team', deleted: false },
      ],
      total: 2,
    });
    expect((await json(await get('/namespaces/search?existing=true'))).total).toBe(1);
    const ns = await json(await get('/namespaces/company'));
    expect(validateAgainst('Namespace', ns)).toEqual([]);
    expect((await get('/namespaces/nowhere')).status).toBe(404);
  });

  it('validates several documents: always 200, one entry per document', async () => {
    const body = `${flowYaml('ok')}---\nid: broken\nnamespace: company.team\ntasks: []\n---\nid: x\nnamespace: y\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: soon\n`;
    const res = await app.request(`${base}/flows/validate`, { method: 'POST', body, headers: YAML });
    expect(res.status).toBe(200);
    const list = (await res.json()) as Array<Record<string, unknown>>;
    for (const v of list) expect(validateAgainst('ValidateConstraintViolation', v)).toEqual([]);
    // Kestra sends the empty lists and `outdated` on every entry.
    expect(list[0]).toEqual({
      index: 0,
      flow: 'ok',
      namespace: 'company.team',
      outdated: false,
      deprecationPaths: [],
      warnings: [],
      infos: [],
    });
    expect(list[1]).toMatchObject({
      index: 1,
      flow: 'broken',
      constraints: expect.stringMatching(/^tasks: must not be empty/),
    });
    expect(list[2]!.constraints).toBe(
      'tasks[0].duration: invalid duration "soon": expected an ISO-8601 duration such as PT30S (line 20, column 5)',
    );
  });

  it('serves every corpus flow as a valid FlowWithSource', async () => {
    const corpus = sharedPath('conformance', 'kestra-flows');
    for (const file of listYamlFiles(corpus)) {
      const res = await post(readFileSync(join(corpus, file), 'utf8'));
      expect(res.status, file).toBe(200);
      expect(validateAgainst('FlowWithSource', await res.json()), file).toEqual([]);
    }
  });
});

describe('orchestrator wiring', () => {
  it('serves the flows API once started', async () => {
    const orchestrator = createOrchestrator(
      {
        tenantId: 'acme',
        port: 0,
        host: '127.0.0.1',
        dataDir: join(dir, 'instance'),
        instanceToken: undefined,
        logLevel: 'silent',
        shutdownGraceMs: 1000,
        secretsFrom: undefined,
      } as unknown as Parameters<typeof createOrchestrator>[0],
      pino({ level: 'silent' }),
    );
    await orchestrator.start();
    try {
      const res = await orchestrator.app.request('/api/v1/main/flows', {
        method: 'POST',
        body: flowYaml('wired'),
        headers: YAML,
      });
      expect(res.status).toBe(200);
      expect((await orchestrator.app.request('/api/v1/main/flows/company.team/wired')).status).toBe(200);
    } finally {
      await orchestrator.stop();
    }
  });
});
