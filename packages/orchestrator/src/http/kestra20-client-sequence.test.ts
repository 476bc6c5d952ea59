import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';

/**
 * One session of a Kestra 2.0 client (the generated 2.x Python client's
 * shape: its headers, the `main` tenant, multipart inputs, the
 * `filters[...]` query it builds, grouped ones included, cursor paging of
 * logs, and errors keyed on the problem `type`), call by call, on a 2.0
 * instance; every JSON answer must fit the 2.0 model it is read into.
 */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the spec by validateAgainst
type Loose = any;
let orch: TestOrchestrator;
const CLIENT = { 'user-agent': 'OpenAPI-Generator/2.0.0/python', accept: 'application/json' };
const raw = (method: string, path: string, init: { body?: string | FormData; type?: string } = {}) =>
  orch.app.request(`/api/v1/main${path}`, {
    method,
    headers: { ...CLIENT, ...(init.type ? { 'content-type': init.type } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
const call = async (method: string, path: string, init: { body?: string | FormData; type?: string } = {}) => {
  const r = await raw(method, path, init);
  expect(r.status, `${method} ${path}: ${await r.clone().text()}`).toBeLessThan(300);
  const text = await r.text();
  return (text === '' ? undefined : JSON.parse(text)) as Loose;
};

beforeAll(async () => {
  orch = await startTestOrchestrator('client-sequence-20', { env: { SILO_KESTRA_VERSION: '2.0' } });
});
afterAll(() => orch.close());

it('answers a 2.0 client session with bodies its models accept', async () => {
  const source = `id: etl
namespace: prod.data
inputs:
  - id: day
    type: STRING
tasks:
  - id: extract
    type: io.kestra.plugin.core.log.Log
    message: "extract {{ inputs.day }}"
  - id: gate
    type: io.kestra.plugin.core.flow.Pause
  - id: load
    type: io.kestra.plugin.core.debug.Return
    format: "loaded {{ inputs.day }}"
`;
  const checks: Array<[string, unknown]> = [];
  checks.push(['FlowWithSource', await call('POST', '/flows', { body: source, type: 'application/x-yaml' })]);

  const form = new FormData();
  form.append('day', '2026-09-07');
  const created = await call('POST', '/executions/prod.data/etl?labels=team:data', { body: form });
  checks.push(['ExecutionController.ExecutionResponse', created]);
  const id = created.id as string;
  for (let i = 0; i < 100; i++) {
    if ((await call('GET', `/executions/${id}`)).state.current === 'PAUSED') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  checks.push(['ApiExecution', await call('GET', `/executions/${id}`)]);

  // The client keys on the problem type, not on a message.
  const early = await raw('POST', `/executions/${id}/actions/restart`);
  expect(early.status).toBe(409);
  expect(early.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
  expect(((await early.json()) as Loose).type).toBe('https://kestra.io/docs/api-reference/problems/conflict');

  const resumed = await call('POST', `/executions/${id}/actions/resume`, { body: new FormData() });
  checks.push(['Execution', resumed]);
  for (let i = 0; i < 100; i++) {
    if ((await call('GET', `/executions/${id}`)).state.current === 'SUCCESS') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const search = await call(
    'GET',
    '/executions/search?page=1&size=10&filters[namespace][EQUALS]=prod.data' +
      '&filters[or][0][state][EQUALS]=SUCCESS&filters[or][1][state][EQUALS]=WARNING',
  );
  checks.push(['PagedResults_ApiLightExecution_', search]);
  expect(search.results.map((e: Loose) => e.id)).toEqual([id]);

  const infos = await call('GET', `/outputs/${id}`);
  for (const i of infos) checks.push(['OutputController.TaskOutputInformation', i]);
  const load = infos.find((i: Loose) => i.taskId === 'load');
  expect(await call('GET', `/outputs/${id}/${load.taskRunId}`)).toEqual({ value: 'loaded 2026-09-07' });

  const logs = await call(
    'GET',
    `/logs/${id}?filters[taskId][EQUALS]=extract&filters[attemptNumber][EQUALS]=0`,
  );
  expect(logs.map((l: Loose) => l.message)).toEqual(['extract 2026-09-07']);
  for (const l of logs) checks.push(['LogEntry', l]);
  const lines: string[] = [];
  let cursor = '';
  for (let i = 0; i < 100; i++) {
    const page = await call('GET', `/logs/search?size=1&filters[executionId][EQUALS]=${id}&cursor=${cursor}`);
    checks.push(['CursorOrOffsetPagedResults_LogEntry_', page]);
    lines.push(...page.results.map((l: Loose) => l.message));
    if (!page.nextCursor) break;
    cursor = encodeURIComponent(page.nextCursor);
  }
  const everything = await call('GET', `/logs/${id}`);
  expect(lines.sort()).toEqual(everything.map((l: Loose) => l.message).sort());

  checks.push([
    'Execution',
    await call('POST', `/executions/${id}/actions/labels`, {
      body: JSON.stringify([{ key: 'checked', value: 'yes' }]),
      type: 'application/json',
    }),
  ]);
  await call('PUT', '/namespaces/prod.data/kv/last_day', { body: '"2026-09-07"', type: 'text/plain' });
  checks.push(['PagedResults_KVEntry_', await call('GET', '/kv?filters[namespace][EQUALS]=prod.data')]);
  checks.push(['PagedResults_ApiTriggerAndState_', await call('GET', '/triggers/search')]);
  await call('DELETE', `/executions/${id}`);
  const gone = await raw('GET', `/executions/${id}`);
  expect(gone.status).toBe(404);
  expect(((await gone.json()) as Loose).type).toBe('https://kestra.io/docs/api-reference/problems/not-found');

  for (const [schema, body] of checks) expect(validateAgainst(schema, body, '2.0'), schema).toEqual([]);
  expect(checks.length).toBeGreaterThanOrEqual(12);
});
