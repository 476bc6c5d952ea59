import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

type Exec = {
  id: string;
  state: { current: string };
  taskRunList: Array<{
    id: string;
    taskId: string;
    state: { current: string };
    outputs?: Record<string, unknown> | null;
  }>;
  labels: Array<{ key: string; value: string }>;
  trigger?: { id: string; type: string; variables?: Record<string, unknown> };
};

let orch: TestOrchestrator;
const base = '/api/v1/main';

const req = (method: string, path: string, body?: string, type = 'application/json') =>
  orch.app.request(`${base}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': type }, body } : {}),
  });
async function deploy(yaml: string): Promise<void> {
  const r = await req('POST', '/flows', yaml, 'application/x-yaml');
  expect(r.status, await r.clone().text()).toBe(200);
}
const get = async (id: string) => (await (await req('GET', `/executions/${id}`)).json()) as Exec;
async function until(id: string, pred: (e: Exec) => boolean, ms = 10_000): Promise<Exec> {
  const end = Date.now() + ms;
  for (;;) {
    const e = await get(id);
    if (pred(e) || Date.now() > end) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const ended = (e: Exec) => ['SUCCESS', 'FAILED', 'KILLED', 'WARNING'].includes(e.state.current);
async function search(ns: string, flowId: string): Promise<Exec[]> {
  const r = await req('GET', `/executions/search?namespace=${ns}&flowId=${flowId}&size=100`);
  return ((await r.json()) as { results: Exec[] }).results;
}

beforeAll(async () => {
  orch = await startTestOrchestrator('triggers');
  await deploy(
    'id: child\nnamespace: t.sub\ninputs:\n  - id: n\n    type: INT\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.n * 2 }}"\noutputs:\n  - id: doubled\n    type: STRING\n    value: "{{ outputs.r.value }}"\n',
  );
  await deploy(
    'id: sleepy\nnamespace: t.sub\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT30S\n',
  );
});
afterAll(async () => {
  await orch.close();
});

describe('Subflow', () => {
  it('waits for the child and passes its flow outputs', async () => {
    await deploy(
      'id: parent\nnamespace: t.sub\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.sub\n    flowId: child\n    inputs:\n      n: 21\n  - id: after\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ outputs.call.outputs is defined }}-{{ outputs.call.state }}"\n',
    );
    const e = (await (await req('POST', '/executions/t.sub/parent?wait=true')).json()) as Exec;
    const parent = await until(e.id, ended);
    expect(parent.state.current).toBe('SUCCESS');
    const child = await get(parent.taskRunList[0]!.outputs!.executionId as string);
    expect(child.state.current).toBe('SUCCESS');
    expect((child as unknown as { outputs: Record<string, unknown> }).outputs).toEqual({ doubled: '42' });
    expect(parent.taskRunList[0]!.outputs!.state).toBe('SUCCESS');
  });

  it('keeps the parent going with transmitFailed: false, and runs a pinned revision', async () => {
    await deploy(
      'id: breaks\nnamespace: t.sub\ntasks:\n  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n',
    );
    const updated = await req(
      'PUT',
      '/flows/t.sub/breaks',
      'id: breaks\nnamespace: t.sub\ntasks:\n  - id: ok\n    type: io.kestra.plugin.core.debug.Return\n    format: fine\n',
      'application/x-yaml',
    );
    expect(updated.status).toBe(200);
    await deploy(
      'id: tolerant\nnamespace: t.sub\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.sub\n    flowId: breaks\n    revision: 1\n    transmitFailed: false\n',
    );
    const e = (await (await req('POST', '/executions/t.sub/tolerant?wait=true')).json()) as Exec;
    const parent = await until(e.id, ended);
    expect(parent.state.current).toBe('SUCCESS');
    expect(parent.taskRunList[0]!.outputs!.state).toBe('FAILED');
    const child = await get(parent.taskRunList[0]!.outputs!.executionId as string);
    expect([child.state.current, child.taskRunList[0]?.taskId]).toEqual(['FAILED', 'f']);
  });

  it('does not wait with wait: false', async () => {
    await deploy(
      'id: fire-forget\nnamespace: t.sub\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.sub\n    flowId: sleepy\n    wait: false\n',
    );
    const e = (await (await req('POST', '/executions/t.sub/fire-forget?wait=true')).json()) as Exec;
    const parent = await until(e.id, ended);
    expect(parent.state.current).toBe('SUCCESS');
    const child = await get(parent.taskRunList[0]!.outputs!.executionId as string);
    expect(child.state.current).toBe('RUNNING');
    await req('DELETE', `/executions/${child.id}/kill`);
  });

  it('fails the task run with a clear message for an unknown flow', async () => {
    await deploy(
      'id: lost\nnamespace: t.sub\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.sub\n    flowId: does-not-exist\n',
    );
    const e = (await (await req('POST', '/executions/t.sub/lost?wait=true')).json()) as Exec;
    const parent = await until(e.id, ended);
    expect(parent.state.current).toBe('FAILED');
    const logs = (await (await req('GET', `/logs/${e.id}`)).json()) as Array<{ message: string }>;
    expect(logs.map((l) => l.message).join('\n')).toContain("Unable to find flow 't.sub'.'does-not-exist'");
  });

  it('kills the child when the parent is killed', async () => {
    await deploy(
      'id: waits-long\nnamespace: t.sub\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.sub\n    flowId: sleepy\n',
    );
    const e = (await (await req('POST', '/executions/t.sub/waits-long')).json()) as Exec;
    const running = await until(e.id, (x) => typeof x.taskRunList[0]?.outputs?.executionId === 'string');
    const childId = running.taskRunList[0]!.outputs!.executionId as string;
    await until(childId, (x) => x.state.current === 'RUNNING');
    expect((await req('DELETE', `/executions/${e.id}/kill`)).status).toBe(202);
    expect((await until(e.id, ended)).state.current).toBe('KILLED');
    expect((await until(childId, ended)).state.current).toBe('KILLED');
  });
});

describe('Flow trigger', () => {
  it('starts a listener only for matching upstream ends, with inputs from trigger variables', async () => {
    await deploy(
      'id: up\nnamespace: t.flow\ninputs:\n  - id: fail\n    type: BOOL\n    defaults: false\ntasks:\n  - id: maybe\n    type: io.kestra.plugin.core.execution.Fail\n    condition: "{{ inputs.fail }}"\n',
    );
    await deploy(
      [
        'id: on-failure',
        'namespace: t.flow',
        'inputs:',
        '  - id: upstream',
        '    type: STRING',
        'tasks:',
        '  - id: r',
        '    type: io.kestra.plugin.core.debug.Return',
        '    format: "{{ inputs.upstream }}"',
        'triggers:',
        '  - id: failures',
        '    type: io.kestra.plugin.core.trigger.Flow',
        '    inputs:',
        '      upstream: "{{ trigger.flowId }}:{{ trigger.state }}"',
        '    conditions:',
        '      - type: io.kestra.plugin.core.condition.ExecutionStatus',
        '        in: [FAILED]',
        '      - type: io.kestra.plugin.core.condition.ExecutionNamespace',
        '        namespace: t',
        '        comparison: PREFIX',
      ].join('\n'),
    );
    const ok = (await (
      await req('POST', '/executions/t.flow/up?wait=true', '{"fail": false}')
    ).json()) as Exec;
    expect(ok.state.current).toBe('SUCCESS');
    const ko = (await (
      await req('POST', '/executions/t.flow/up?wait=true', '{"fail": true}')
    ).json()) as Exec;
    expect(ko.state.current).toBe('FAILED');
    let listeners: Exec[] = [];
    for (let i = 0; i < 100 && listeners.length === 0; i++) {
      listeners = await search('t.flow', 'on-failure');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(listeners).toHaveLength(1);
    const l = await until(listeners[0]!.id, ended);
    expect(l.taskRunList[0]!.outputs!.value).toBe('up:FAILED');
    expect(l.trigger).toMatchObject({ id: 'failures', type: 'io.kestra.plugin.core.trigger.Flow' });
    expect(l.trigger!.variables).toMatchObject({
      executionId: ko.id,
      namespace: 't.flow',
      flowId: 'up',
      state: 'FAILED',
    });
  });
});

describe('Webhook trigger', () => {
  it('serves the extra path segment, hands headers, and answers a WebhookResponse', async () => {
    await deploy(
      'id: hook\nnamespace: t.hook\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ trigger.headers[\'x-test\'][0] }}"\ntriggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k3y\n',
    );
    const r = await orch.app.request(`${base}/executions/webhook/t.hook/hook/k3y/some/extra/path`, {
      method: 'POST',
      headers: { 'x-test': 'yes', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { id: string };
    expect(validateAgainst('WebhookResponse', body)).toEqual([]);
    const e = await until(body.id, ended);
    expect(e.taskRunList[0]!.outputs!.value).toBe('yes');
    expect((await req('DELETE', '/executions/webhook/t.hook/hook/k3y')).status).toBe(404);
  });

  it('answers after the end with the flow outputs when the trigger says wait and returnOutputs', async () => {
    await deploy(
      [
        'id: sync-hook',
        'namespace: t.hook',
        'tasks:',
        '  - id: r',
        '    type: io.kestra.plugin.core.debug.Return',
        '    format: "hello {{ trigger.body.name }}"',
        'outputs:',
        '  - id: greeting',
        '    type: STRING',
        '    value: "{{ outputs.r.value }}"',
        'triggers:',
        '  - id: w',
        '    type: io.kestra.plugin.core.trigger.Webhook',
        '    key: sync',
        '    wait: true',
        '    returnOutputs: true',
      ].join('\n'),
    );
    const r = await req('POST', '/executions/webhook/t.hook/sync-hook/sync', '{"name":"ada"}');
    expect(r.status).toBe(200);
    const body = (await r.json()) as { state: { current: string }; outputs: Record<string, unknown> };
    // The 1.3.0 spec types each output as `object` (Java `Map<String, Object>` as generated); Kestra sends any JSON.
    const { outputs: _outputs, ...rest } = body;
    expect(validateAgainst('WebhookResponse', rest)).toEqual([]);
    expect(body.state.current).toBe('SUCCESS');
    expect(body.outputs).toEqual({ greeting: 'hello ada' });
  });

  it('refuses an empty webhook key when the flow is saved', async () => {
    const r = await req(
      'POST',
      '/flows',
      'id: nokey\nnamespace: t.hook\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\ntriggers:\n  - id: w\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: ""\n',
      'application/x-yaml',
    );
    expect(r.status).toBe(422);
    expect(await r.text()).toContain('triggers[0].key');
  });
});

describe('Schedule trigger in the instance', () => {
  it('reports the next fire as nextWakeAt and fires on time', async () => {
    await deploy(
      'id: every-second\nnamespace: t.sched\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ trigger.date }}"\ntriggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "* * * * * *"\n    withSeconds: true\n',
    );
    const lifecycle = (await (await orch.app.request('/_silo/lifecycle')).json()) as {
      nextWakeAt: string | null;
      nextWakeReason: string | null;
    };
    expect(lifecycle.nextWakeAt).not.toBeNull();
    expect(Date.parse(lifecycle.nextWakeAt!) - Date.now()).toBeLessThanOrEqual(1100);
    let fired: Exec[] = [];
    for (let i = 0; i < 150 && fired.length === 0; i++) {
      fired = await search('t.sched', 'every-second');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(fired.length).toBeGreaterThan(0);
    expect(fired[0]!.trigger).toMatchObject({ id: 's', type: 'io.kestra.plugin.core.trigger.Schedule' });
    await req('DELETE', '/flows/t.sched/every-second');
  });

  it('lists triggers (rows 30-31) in Kestra shapes', async () => {
    const all = await (await req('GET', '/triggers/search?size=100')).json();
    expect(validateAgainst('PagedResults_TriggerController.Triggers_', all)).toEqual([]);
    const one = (await (await req('GET', '/triggers/t.hook/hook')).json()) as {
      results: Array<{ triggerId: string }>;
    };
    expect(validateAgainst('PagedResults_Trigger_', one)).toEqual([]);
    expect(one.results.map((t) => t.triggerId)).toEqual(['w']);
  });
});
