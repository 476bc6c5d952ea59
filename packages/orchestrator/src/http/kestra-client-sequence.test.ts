import { afterAll, beforeAll, expect, it } from 'vitest';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * One session of Kestra's Python client (kestrapy 1.3.1), call by call, as
 * it sends them (PyPI is not reachable here, so the client itself cannot
 * run): its headers, its `main` tenant, multipart execution inputs with
 * repeated `labels`, and the model each answer must fit (the 1.3.0 spec
 * schema the generated client deserialises into).
 */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the spec by validateAgainst
type Loose = any;
let orch: TestOrchestrator;
const CLIENT = { 'user-agent': 'OpenAPI-Generator/1.3.1/python', accept: 'application/json' };
const call = async (method: string, path: string, init: { body?: string | FormData; type?: string } = {}) => {
  const headers: Record<string, string> = { ...CLIENT, ...(init.type ? { 'content-type': init.type } : {}) };
  const r = await orch.app.request(`/api/v1/main${path}`, {
    method,
    headers,
    ...(init.body ? { body: init.body } : {}),
  });
  expect(r.status, `${method} ${path}: ${await r.clone().text()}`).toBeLessThan(300);
  const text = await r.text();
  return (
    text === '' ? undefined : r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text
  ) as Loose;
};

beforeAll(async () => {
  orch = await startTestOrchestrator('client-sequence');
});
afterAll(() => orch.close());

it('answers a kestrapy session with bodies its models accept', async () => {
  const configs = await orch.app.request('/api/v1/configs', { headers: CLIENT });
  expect(validateAgainst('MiscController.EEConfiguration', await configs.json())).toEqual([]);

  const source = `id: etl
namespace: prod.data
inputs:
  - id: day
    type: STRING
tasks:
  - id: extract
    type: io.kestra.plugin.core.log.Log
    message: "extract {{ inputs.day }}"
`;
  const yaml = 'application/x-yaml';
  const checks: Array<[string, unknown]> = [];
  checks.push([
    'ValidateConstraintViolation',
    (await call('POST', '/flows/validate', { body: source, type: yaml }))[0],
  ]);
  const deployed = await call('POST', '/flows/prod.data?delete=true', { body: source, type: yaml });
  checks.push(['FlowInterface', deployed[0]]);
  checks.push(['FlowWithSource', await call('GET', '/flows/prod.data/etl?source=true')]);
  checks.push(['FlowGraph', await call('GET', '/flows/prod.data/etl/graph')]);

  const form = new FormData();
  form.append('day', '2025-01-01');
  const created = await call('POST', '/executions/prod.data/etl?wait=true&labels=team:data&labels=env:prod', {
    body: form,
  });
  checks.push(['ExecutionController.ExecutionResponse', created]);
  expect(created.state.current).toBe('SUCCESS');
  const id = created.id as string;
  checks.push(['Execution', await call('GET', `/executions/${id}`)]);
  checks.push([
    'PagedResults_Execution_',
    await call('GET', '/executions/search?page=1&size=10&filters[namespace][EQUALS]=prod.data'),
  ]);
  checks.push(['FlowForExecution', await call('GET', `/executions/${id}/flow`)]);
  checks.push(['FlowGraph', await call('GET', `/executions/${id}/graph`)]);
  const logs = await call('GET', `/logs/${id}?minLevel=INFO`);
  for (const l of logs) checks.push(['LogEntry', l]);
  expect(logs.find((l: Loose) => l.taskId === 'extract')?.attemptNumber).toBe(0);
  checks.push([
    'PagedResults_LogEntry_',
    await call('GET', '/logs/search?page=1&size=10&filters[flowId][EQUALS]=etl'),
  ]);
  checks.push([
    'Execution',
    await call('POST', `/executions/${id}/labels`, {
      body: JSON.stringify([{ key: 'checked', value: 'yes' }]),
      type: 'application/json',
    }),
  ]);

  await call('PUT', '/namespaces/prod.data/kv/last_day', { body: '"2025-01-01"', type: 'text/plain' });
  checks.push(['PagedResults_KVEntry_', await call('GET', '/kv?page=1&size=10')]);
  const file = new FormData();
  file.append('fileContent', new File(['select 1'], 'q.sql'));
  await call('POST', '/namespaces/prod.data/files?path=/queries/q.sql', { body: file });
  for (const f of await call('GET', '/namespaces/prod.data/files/directory?path=/queries'))
    checks.push(['FileAttributes', f]);
  expect(await call('GET', '/namespaces/prod.data/files?path=/queries/q.sql')).toBeDefined();

  checks.push([
    'BulkResponse',
    await call('POST', '/executions/labels/by-ids', {
      body: JSON.stringify({ executionsId: [id], executionLabels: [{ key: 'bulk', value: '1' }] }),
      type: 'application/json',
    }),
  ]);
  await call('DELETE', `/logs/${id}`);
  await call('DELETE', `/executions/${id}?deleteLogs=true&deleteMetrics=true&deleteStorage=true`);
  expect((await orch.app.request(`/api/v1/main/executions/${id}`, { headers: CLIENT })).status).toBe(404);

  for (const [schema, body] of checks) expect(validateAgainst(schema, body), schema).toEqual([]);
  expect(checks.length).toBeGreaterThanOrEqual(15);
});
