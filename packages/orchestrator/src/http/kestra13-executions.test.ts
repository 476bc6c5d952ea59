import { existsSync } from 'node:fs';
import type { ExecutionJson } from '@silo/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalStorage } from '../storage/internal-storage.js';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * The executions and logs routes of issue 13, driven with the requests
 * Kestra's Python client (kestrapy 1.3) sends: paths, query parameters,
 * JSON and multipart bodies; every JSON answer validated against the
 * 1.3.0 spec.
 */
/** A JSON answer, read loosely: the spec validation is what checks its shape. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the spec by validateAgainst
type Loose = any;
const read = async (r: Response): Promise<Loose> => r.json();

let orch: TestOrchestrator;
const base = '/api/v1/main';
const req = (path: string, init?: RequestInit) => orch.app.request(`${base}${path}`, init);
const jsonReq = (path: string, method: string, body: unknown) =>
  req(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const flow = `id: hello
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.name }}"
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: a
        type: io.kestra.plugin.core.debug.Return
        format: "{{ inputs.name }}"
      - id: b
        type: io.kestra.plugin.core.log.Log
        message: b
`;

async function run(name = 'Ada'): Promise<ExecutionJson> {
  const r = await jsonReq(`/executions/company.team/hello?wait=true`, 'POST', { name });
  expect(r.status, await r.clone().text()).toBe(200);
  const e = (await r.json()) as ExecutionJson;
  expect(e.state.current).toBe('SUCCESS');
  return e;
}

beforeAll(async () => {
  orch = await startTestOrchestrator('k13-exec');
  const r = await req('/flows', {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: flow,
  });
  expect(r.status).toBe(200);
});
afterAll(() => orch.close());

describe('Kestra 1.3 executions API (issue 13)', () => {
  it('GET /executions/{id}/flow and /graph answer FlowForExecution and FlowGraph', async () => {
    const e = await run();
    const f = await (await req(`/executions/${e.id}/flow`)).json();
    expect(validateAgainst('FlowForExecution', f)).toEqual([]);
    expect(f).toMatchObject({ id: 'hello', namespace: 'company.team', revision: 1 });
    const g = (await (await req(`/executions/${e.id}/graph`)).json()) as {
      nodes: Array<{ uid: string; taskRun?: { state: { current: string } } }>;
      edges: Array<{ source: string; target: string; relation: { relationType: string } }>;
      clusters: Array<{ cluster: { uid: string }; nodes: string[] }>;
    };
    expect(validateAgainst('FlowGraph', g)).toEqual([]);
    const uids = g.nodes.map((n) => n.uid);
    expect(uids).toEqual(expect.arrayContaining(['root.root', 'root.end', 'root.log', 'root.cluster_par.a']));
    expect(new Set(uids).size).toBe(uids.length);
    for (const edge of g.edges) {
      expect(uids).toContain(edge.source);
      expect(uids).toContain(edge.target);
    }
    expect(g.edges).toContainEqual({
      source: 'root.root',
      target: 'root.log',
      relation: { relationType: 'SEQUENTIAL' },
    });
    expect(g.edges.filter((x) => x.relation.relationType === 'PARALLEL')).toHaveLength(2);
    expect(g.clusters.map((c) => c.cluster.uid)).toEqual(['root.cluster_par']);
    expect(g.nodes.find((n) => n.uid === 'root.log')?.taskRun?.state.current).toBe('SUCCESS');
  });

  it('logs: attemptNumber from 0, /logs/search paged across executions, DELETE /logs/{id}', async () => {
    const e = await run('Search');
    const logs = (await (await req(`/logs/${e.id}?attempt=0&taskId=log`)).json()) as Array<{
      attemptNumber: number;
      message: string;
    }>;
    expect(logs.map((l) => l.message)).toEqual(['hello Search']);
    expect(logs[0]?.attemptNumber).toBe(0);
    expect(await (await req(`/logs/${e.id}?attempt=1`)).json()).toEqual([]);
    const page = await read(
      await req(
        '/logs/search?page=1&size=50&sort=timestamp:desc&filters[namespace][PREFIX]=company&filters[q][EQUALS]=hello',
      ),
    );
    expect(validateAgainst('PagedResults_LogEntry_', page)).toEqual([]);
    expect(page.results.map((l: { message: string }) => l.message)).toContain('hello Search');
    expect((await req('/logs/search?filters[nope][EQUALS]=x')).status).toBe(400);
    expect((await req(`/logs/${e.id}?taskId=log`, { method: 'DELETE' })).status).toBe(200);
    const left = (await (await req(`/logs/${e.id}`)).json()) as Array<{ taskId: string }>;
    expect(left.length).toBeGreaterThan(0);
    expect(left.some((l) => l.taskId === 'log')).toBe(false);
  });

  it('labels, change-status, pause and replay-with-inputs on one execution', async () => {
    const e = await run();
    const labelled = await jsonReq(`/executions/${e.id}/labels`, 'POST', [{ key: 'team', value: 'data' }]);
    expect(labelled.status).toBe(200);
    const l = (await labelled.json()) as ExecutionJson;
    expect(validateAgainst('Execution', l)).toEqual([]);
    expect(l.labels).toContainEqual({ key: 'team', value: 'data' });
    const sys = await jsonReq(`/executions/${e.id}/labels`, 'POST', [{ key: 'system.x', value: '1' }]);
    expect(sys.status).toBe(400);
    expect((await jsonReq(`/executions/${e.id}/labels`, 'POST', [{ key: 'Bad', value: '' }])).status).toBe(
      400,
    );

    const changed = await req(`/executions/${e.id}/change-status?status=FAILED`, { method: 'POST' });
    const c = (await changed.json()) as ExecutionJson;
    expect(validateAgainst('Execution', c)).toEqual([]);
    expect(c.state.current).toBe('FAILED');
    expect((await req(`/executions/${e.id}/change-status?status=RUNNING`, { method: 'POST' })).status).toBe(
      400,
    );
    expect((await req(`/executions/${e.id}/pause`, { method: 'POST' })).status).toBe(409);

    const form = new FormData();
    form.append('name', 'Bob');
    const replayed = await req(`/executions/${e.id}/replay-with-inputs`, { method: 'POST', body: form });
    expect(replayed.status, await replayed.clone().text()).toBe(200);
    const r = (await replayed.json()) as ExecutionJson;
    expect(validateAgainst('Execution', r)).toEqual([]);
    expect(r.originalId).toBe(e.id);
    expect(r.inputs).toEqual({ name: 'Bob' });
    const done = await orch.engine().waitSettled(r.id, 10_000);
    expect(done?.taskRunList.find((t) => t.taskId === 'a')?.outputs).toEqual({ value: 'Bob' });
  });

  it('bulk by-ids: all or nothing with BulkErrorResponse; by-query acts on what matches', async () => {
    const one = await run();
    const two = await run();
    const bad = await jsonReq('/executions/restart/by-ids', 'POST', [one.id, 'nope']);
    expect(bad.status).toBe(422);
    const err = await read(bad);
    expect(validateAgainst('BulkErrorResponse', err)).toEqual([]);
    expect(Object.keys(err.invalids).sort()).toEqual([one.id, 'nope'].sort());

    const labels = await jsonReq('/executions/labels/by-ids', 'POST', {
      executionsId: [one.id, two.id],
      executionLabels: [{ key: 'batch', value: '1' }],
    });
    expect(await labels.json()).toEqual({ count: 2 });
    const byQuery = await jsonReq('/executions/labels/by-query?filters[labels][EQUALS][batch]=1', 'POST', [
      { key: 'batch', value: '2' },
    ]);
    expect(await byQuery.json()).toEqual({ count: 2 });
    expect(orch.engine().get(one.id)?.labels).toContainEqual({ key: 'batch', value: '2' });

    const killed = await req('/executions/kill/by-query?filters[state][EQUALS]=SUCCESS', {
      method: 'DELETE',
    });
    expect(await killed.json()).toEqual({ count: 0 });
    const kill = await jsonReq('/executions/kill/by-ids', 'DELETE', [one.id]);
    expect(kill.status).toBe(422);

    const del = await jsonReq('/executions/by-ids?deleteLogs=false', 'DELETE', [one.id, two.id]);
    expect(del.status).toBe(200);
    const count = await del.json();
    expect(validateAgainst('BulkResponse', count)).toEqual([]);
    expect(count).toEqual({ count: 2 });
    expect((await req(`/executions/${one.id}`)).status).toBe(404);
    const kept = await read(await req(`/logs/search?filters[executionId][EQUALS]=${one.id}`));
    expect(kept.total).toBeGreaterThan(0);
  });

  it('DELETE /executions/{id} removes the execution, its logs and its files unless told to keep them', async () => {
    const e = await run();
    expect((await req(`/executions/${e.id}?deleteLogs=maybe`, { method: 'DELETE' })).status).toBe(400);
    const storage = new InternalStorage(orch.dir);
    const folder = ['company', 'team', 'hello', 'executions', e.id];
    const uri = storage.put([...folder, 'outputs'], 'out.txt', 'x');
    const kept = await run();
    const keptUri = storage.put(
      ['company', 'team', 'hello', 'executions', kept.id, 'outputs'],
      'out.txt',
      'y',
    );
    expect((await req(`/executions/${kept.id}?deleteStorage=false`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(storage.pathOf(keptUri))).toBe(true);
    expect((await req(`/executions/${e.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(storage.pathOf(uri))).toBe(false);
    expect((await req(`/executions/${e.id}`)).status).toBe(404);
    expect((await req(`/executions/${e.id}`, { method: 'DELETE' })).status).toBe(404);
    const logs = await read(await req(`/logs/search?filters[executionId][EQUALS]=${e.id}`));
    expect(logs.total).toBe(0);
    const restart = await jsonReq('/executions/restart/by-query?filters[flowId][EQUALS]=nothing', 'POST', {});
    expect(await restart.json()).toEqual({ count: 0 });
  });
});
