import {
  ExecutionJsonSchema,
  ExecutionPageJsonSchema,
  FlowJsonSchema,
  LogEntryJsonSchema,
} from '@silo/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * The wire types of `@silo/contracts` describe what the instance answers,
 * exactly: each answer parses, and parsing drops nothing (zod strips keys a
 * schema does not declare, so an undeclared field would show as a diff).
 */
let orch: TestOrchestrator;
const base = '/api/v1/main';
const FLOW = `id: wire
namespace: company.team
labels:
  team: data
inputs:
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "hello {{ inputs.name }} {{ taskrun.value }}"
  - id: ret
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.name }}"
outputs:
  - id: out
    type: STRING
    value: "{{ outputs.ret.value }}"
`;

const get = async (path: string, init?: RequestInit) => {
  const r = await orch.app.request(`${base}${path}`, init);
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as unknown;
};

beforeAll(async () => {
  orch = await startTestOrchestrator('wire');
  await get('/flows', { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: FLOW });
});
afterAll(async () => {
  await orch.close();
});

describe('wire types in @silo/contracts', () => {
  it('Execution, TaskRun and State: every answer parses, with no field left undeclared', async () => {
    const created = (await get('/executions/company.team/wire?wait=true', { method: 'POST' })) as {
      id: string;
    };
    const e = await get(`/executions/${created.id}`);
    expect(ExecutionJsonSchema.parse(e)).toEqual(e);
    const parsed = ExecutionJsonSchema.parse(e);
    expect(parsed.state.current).toBe('SUCCESS');
    expect(parsed.taskRunList.filter((t) => t.value !== undefined).map((t) => t.value)).toEqual(['a', 'b']);
    expect(parsed.outputs).toEqual({ out: 'world' });
    expect(validateAgainst('Execution', parsed)).toEqual([]);
    const page = await get('/executions/search?size=5');
    expect(ExecutionPageJsonSchema.parse(page)).toEqual(page);
  });

  it('LogEntry: every log line parses, with no field left undeclared', async () => {
    const { id } = (await get('/executions/company.team/wire?wait=true', { method: 'POST' })) as {
      id: string;
    };
    const logs = await get(`/logs/${id}`);
    const parsed = z.array(LogEntryJsonSchema).parse(logs);
    expect(parsed).toEqual(logs);
    expect(parsed.map((l) => l.message)).toEqual(expect.arrayContaining(['hello world a', 'hello world b']));
  });

  it('Flow: the stored flow parses, with its source when asked', async () => {
    const flow = await get('/flows/company.team/wire?source=true');
    const parsed = FlowJsonSchema.parse(flow);
    expect(parsed).toEqual(flow);
    expect(parsed.labels).toEqual([{ key: 'team', value: 'data' }]);
    expect(parsed.source).toBe(FLOW);
    expect(validateAgainst('FlowWithSource', parsed)).toEqual([]);
  });

  it('the schemas refuse what the API never answers', () => {
    expect(ExecutionJsonSchema.safeParse({ id: 'x' }).success).toBe(false);
    expect(LogEntryJsonSchema.safeParse({ level: 'LOUD' }).success).toBe(false);
  });
});
