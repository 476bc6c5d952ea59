import { afterAll, beforeAll, expect, it } from 'vitest';
import { IN_SCOPE_20 } from '../testing/kestra20-scope.js';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';

/**
 * Every in-scope operation of Kestra 2.0 that answers JSON, called on a 2.0
 * instance with real data, its answer validated against the 2.0 snapshot's
 * schema (patched as CHANGES.md B.6 says). The operations that answer no
 * JSON (a file, a zip, an empty 200/204) are listed with the reason; the
 * last test checks that together they are the whole of IN_SCOPE_20.
 */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the spec by validateAgainst
type Loose = any;

const NO_JSON: Record<string, string> = {
  deleteFlow: '204',
  importFlows: 'answers the documents it could not import; sent with a zip below, checked as an array',
  exportFlowsByIds: 'a zip',
  exportFlowsByQuery: 'a zip',
  deleteExecution: '204',
  downloadLogsFromExecution: 'text/plain',
  deleteLogsFromExecution: 'empty 200',
  setKeyValue: 'empty 200',
  getFileContent: 'octet-stream',
  createNamespaceFile: 'empty 200',
  deleteFileDirectory: 'empty 200',
  moveFileDirectory: 'empty 200',
  createNamespaceDirectory: 'empty 200',
};

/** The problem document of C.3 (the snapshot describes no error bodies). */
function problemIssues(body: Loose, status: number): string[] {
  const issues: string[] = [];
  for (const k of ['type', 'title', 'detail', 'instance'])
    if (typeof body?.[k] !== 'string') issues.push(`${k} must be a string`);
  if (body?.status !== status) issues.push(`status must be ${status}`);
  for (const [k, v] of Object.entries(body ?? {})) if (v === null) issues.push(`${k} is null`);
  return issues;
}

let orch: TestOrchestrator;
const validated = new Map<string, string>();
const call = async (
  operationId: string,
  schema: string,
  method: string,
  path: string,
  init: { body?: string | FormData; type?: string; status?: number } = {},
): Promise<Loose> => {
  const r = await orch.app.request(`/api/v1/main${path}`, {
    method,
    headers: init.type ? { 'content-type': init.type } : {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await r.text();
  expect(r.status, `${operationId} ${method} ${path}: ${text.slice(0, 400)}`).toBe(init.status ?? 200);
  const body = JSON.parse(text);
  if (schema === 'problem') {
    expect(r.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(problemIssues(body, init.status ?? 200), operationId).toEqual([]);
  } else {
    const items = schema.startsWith('[') ? body : [body];
    const name = schema.replace(/^\[|\]$/g, '');
    if (schema.startsWith('[')) expect(Array.isArray(body), `${operationId} answers an array`).toBe(true);
    for (const item of items) {
      if (name === 'boolean' || name === 'string')
        expect(typeof item, `${operationId} → ${schema}`).toBe(name);
      else expect(validateAgainst(name, item, '2.0'), `${operationId} → ${schema}`).toEqual([]);
    }
  }
  validated.set(operationId, schema);
  return body;
};
const yaml = 'application/x-yaml';
const jsonType = 'application/json';

const FLOW = `id: hello
namespace: company.team
labels:
  team: data
inputs:
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.name }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.name }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: k3y-hello-0123
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
`;
const WAITER = `id: waiter
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: resumed
`;
const FAILING = `id: failing
namespace: company.team
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: expected failure
`;

beforeAll(async () => {
  orch = await startTestOrchestrator('k20-bodies', { env: { SILO_KESTRA_VERSION: '2.0' } });
});
afterAll(() => orch.close());

const waitFor = async (id: string, state: string): Promise<Loose> => {
  for (let i = 0; i < 100; i++) {
    const r = await orch.app.request(`/api/v1/main/executions/${id}`);
    const e = (await r.json()) as Loose;
    if (e.state?.current === state) return e;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`execution ${id} did not reach ${state} in 5 s`);
};

it('answers every in-scope operation with a body the 2.0 spec accepts', async () => {
  // Flows.
  await call('validateFlows', '[ValidateConstraintViolation]', 'POST', '/flows/validate', {
    body: FLOW,
    type: yaml,
  });
  await call('createFlow', 'FlowWithSource', 'POST', '/flows', { body: FLOW, type: yaml });
  await call('createFlow', 'FlowWithSource', 'POST', '/flows', { body: WAITER, type: yaml });
  await call('createFlow', 'FlowWithSource', 'POST', '/flows', { body: FAILING, type: yaml });
  await call('updateFlow', 'FlowWithSource', 'PUT', '/flows/company.team/hello', { body: FLOW, type: yaml });
  await call('getFlow', 'FlowWithSource', 'GET', '/flows/company.team/hello?source=true');
  await call(
    'searchFlows',
    'PagedResults_Flow_',
    'GET',
    '/flows/search?filters[namespace][EQUALS]=company.team',
  );
  await call('listFlowRevisions', '[FlowWithSource]', 'GET', '/flows/company.team/hello/revisions');
  await call('searchFlowsBySourceCode', 'PagedResults_SearchResult_Flow__', 'GET', '/flows/source?q=hello');
  await call('listFlowsByNamespace', '[Flow]', 'GET', '/flows/company.team');
  await call('updateFlowsInNamespace', '[FlowInterface]', 'POST', '/flows/company.team?delete=false', {
    body: FLOW,
    type: yaml,
  });
  await call('bulkUpdateFlows', '[FlowInterface]', 'POST', '/flows/bulk?delete=false', {
    body: FLOW,
    type: yaml,
  });
  await call('generateFlowGraph', 'FlowGraph', 'GET', '/flows/company.team/hello/graph');

  // Executions.
  const created = await call(
    'createExecution',
    'ExecutionController.ExecutionResponse',
    'POST',
    '/executions/company.team/hello?wait=true&labels=env:prod',
    { body: JSON.stringify({ name: 'Ada' }), type: jsonType },
  );
  expect(created.state.current).toBe('SUCCESS');
  const id = created.id as string;
  const got = await call('getExecution', 'ApiExecution', 'GET', `/executions/${id}`);
  expect(got.tenantId).toBe('acme');
  expect(got).not.toHaveProperty('deleted');
  expect(got.taskRunList[0]).not.toHaveProperty('outputs');
  const page = await call('searchExecutions', 'PagedResults_ApiLightExecution_', 'GET', '/executions/search');
  expect(page.results[0]).not.toHaveProperty('taskRunList');
  await call(
    'searchExecutionsByFlowId',
    'PagedResults_ApiLightExecution_',
    'GET',
    '/executions?namespace=company.team&flowId=hello',
  );
  await call('getFlowFromExecutionById', 'FlowForExecution', 'GET', `/executions/${id}/flow`);
  await call('getExecutionFlowGraph', 'FlowGraph', 'GET', `/executions/${id}/graph`);
  const outputs = await call(
    'getTaskOutputsInformation',
    '[OutputController.TaskOutputInformation]',
    'GET',
    `/outputs/${id}`,
  );
  const ret = outputs.find((o: Loose) => o.taskId === 'ret');
  expect(ret).toBeDefined();
  const retOutputs = await orch.app.request(`/api/v1/main/outputs/${id}/${ret.taskRunId}`);
  expect(await retOutputs.json()).toEqual({ value: 'Ada' });
  validated.set('getTaskRunOutputs', 'object');

  const follow = await orch.app.request(`/api/v1/main/executions/${id}/follow`);
  const event = /data: (.*)\n/.exec(await follow.text())?.[1];
  expect(validateAgainst('Execution', JSON.parse(event!), '2.0')).toEqual([]);
  validated.set('followExecution', 'Event_Execution_');

  // Actions (200 + Execution, or the documented 409 as a problem).
  await call('setLabelsOnTerminatedExecution', 'Execution', 'POST', `/executions/${id}/actions/labels`, {
    body: JSON.stringify([{ key: 'checked', value: 'yes' }]),
    type: jsonType,
  });
  await call('replayExecution', 'Execution', 'POST', `/executions/${id}/actions/replay`);
  await call(
    'replayExecutionWithinputs',
    'Execution',
    'POST',
    `/executions/${id}/actions/replay-with-inputs`,
    {
      body: JSON.stringify({ name: 'Bob' }),
      type: jsonType,
    },
  );
  await call(
    'updateExecutionStatus',
    'Execution',
    'POST',
    `/executions/${id}/actions/change-status?status=WARNING`,
  );
  await call('pauseExecution', 'problem', 'POST', `/executions/${id}/actions/pause`, { status: 409 });
  await call('forceRunExecution', 'problem', 'POST', `/executions/${id}/actions/force-run`, { status: 409 });
  await call('unqueueExecution', 'problem', 'POST', `/executions/${id}/actions/unqueue?state=CANCELLED`, {
    status: 409,
  });

  const failed = await call(
    'createExecution',
    'ExecutionController.ExecutionResponse',
    'POST',
    '/executions/company.team/failing?wait=true',
  );
  expect(failed.state.current).toBe('FAILED');
  await call('restartExecution', 'Execution', 'POST', `/executions/${failed.id}/actions/restart`);

  const paused = await call(
    'createExecution',
    'ExecutionController.ExecutionResponse',
    'POST',
    '/executions/company.team/waiter',
  );
  await waitFor(paused.id, 'PAUSED');
  const resumed = await call(
    'resumeExecution',
    'Execution',
    'POST',
    `/executions/${paused.id}/actions/resume`,
    {
      body: new FormData(),
    },
  );
  expect(resumed.id).toBe(paused.id);
  const waiting = await call(
    'createExecution',
    'ExecutionController.ExecutionResponse',
    'POST',
    '/executions/company.team/waiter',
  );
  await waitFor(waiting.id, 'PAUSED');
  const killed = await call('killExecution', 'Execution', 'DELETE', `/executions/${waiting.id}/actions/kill`);
  expect(['KILLING', 'KILLED']).toContain(killed.state.current);

  // Webhooks.
  for (const [op, method, suffix] of [
    ['triggerExecutionByGetWebhook', 'GET', ''],
    ['triggerExecutionByPostWebhook', 'POST', ''],
    ['triggerExecutionByPutWebhook', 'PUT', ''],
    ['triggerExecutionByGetWebhookWithPath', 'GET', '/extra'],
    ['triggerExecutionByPostWebhookWithPath', 'POST', '/extra'],
    ['triggerExecutionByPutWebhookWithPath', 'PUT', '/extra'],
  ] as const)
    await call(
      op,
      'WebhookResponse',
      method,
      `/executions/webhook/company.team/hello/k3y-hello-0123${suffix}`,
    );

  // Logs.
  const logs = await call(
    'listLogsFromExecution',
    '[LogEntry]',
    'GET',
    `/logs/${id}?filters[taskId][EQUALS]=log`,
  );
  expect(logs.map((l: Loose) => l.taskId)).toEqual(['log']);
  const followLogs = await orch.app.request(`/api/v1/main/logs/${id}/follow`);
  const line = /data: (.*)\n/.exec(await followLogs.text())?.[1];
  expect(validateAgainst('FollowLogEvent', JSON.parse(line!), '2.0')).toEqual([]);
  validated.set('followLogsFromExecution', 'Event_FollowLogEvent_');
  const offset = await call(
    'searchLogs',
    'CursorOrOffsetPagedResults_LogEntry_',
    'GET',
    '/logs/search?size=1',
  );
  expect(offset.type).toBe('OFFSET');
  const cursor = await call(
    'searchLogs',
    'CursorOrOffsetPagedResults_LogEntry_',
    'GET',
    '/logs/search?size=1&cursor=',
  );
  expect(cursor.type).toBe('CURSOR');

  // KV.
  const put = await orch.app.request('/api/v1/main/namespaces/company.team/kv/day', {
    method: 'PUT',
    headers: { 'content-type': 'text/plain' },
    body: '"2026-09-07"',
  });
  expect(put.status).toBe(200);
  const kv = await call(
    'listAllKeys',
    'PagedResults_KVEntry_',
    'GET',
    '/kv?filters[namespace][EQUALS]=company.team',
  );
  expect(kv.results[0].revision).toBe(1);
  await call('getKeyValue', 'KVController.KvDetail', 'GET', '/namespaces/company.team/kv/day');
  await call('listKeysWithInheritence', '[KVEntry]', 'GET', '/namespaces/company.team/kv/inheritance');
  await call('deleteKeyValue', 'boolean', 'DELETE', '/namespaces/company.team/kv/day');
  await call(
    'deleteKeyValues',
    'KVController.ApiDeleteBulkResponse',
    'DELETE',
    '/namespaces/company.team/kv',
    {
      body: JSON.stringify({ keys: ['day'] }),
      type: jsonType,
    },
  );

  // Triggers, namespaces, namespace files.
  const triggers = await call(
    'searchTriggers',
    'PagedResults_ApiTriggerAndState_',
    'GET',
    '/triggers/search',
  );
  expect(triggers.results.find((t: Loose) => t.trigger.id === 'nightly')?.state.kind).toBe('SCHEDULE');
  await call('searchTriggersForFlow', 'PagedResults_ApiTriggerState_', 'GET', '/triggers/company.team/hello');
  await call('searchNamespaces', 'PagedResults_Namespace_', 'GET', '/namespaces/search');
  await call('getNamespace', 'Namespace', 'GET', '/namespaces/company.team');
  await call('listDistinctNamespaces', '[string]', 'GET', '/flows/distinct-namespaces');
  const dir = await orch.app.request('/api/v1/main/namespaces/company.team/files/directory?path=/q', {
    method: 'POST',
  });
  expect(dir.status).toBe(200);
  await call(
    'listNamespaceDirectoryFiles',
    '[FileAttributes]',
    'GET',
    '/namespaces/company.team/files/directory?path=/',
  );
  await call('getFileMetadatas', 'FileAttributes', 'GET', '/namespaces/company.team/files/stats?path=/q');

  const missing = IN_SCOPE_20.filter((op) => !validated.has(op) && NO_JSON[op] === undefined);
  expect(missing, 'in-scope operations whose answer was not validated').toEqual([]);
});
