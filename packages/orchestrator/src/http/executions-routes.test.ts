import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionJson, ExecutionPageJson, LifecycleReport, LogEntryJson } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

let orch: TestOrchestrator;
const base = '/api/v1/main';

beforeEach(async () => {
  orch = await startTestOrchestrator('exec');
});
afterEach(async () => {
  await orch.close();
});

async function deploy(yaml: string) {
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

const hello = `id: hello
namespace: company.team
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
`;

describe('executions API', () => {
  it('creates with wait=true, answers Kestra JSON, and keeps logs', async () => {
    await deploy(hello);
    const r = await orch.app.request(`${base}/executions/company.team/hello?wait=true&labels=a:1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(r.status).toBe(200);
    const e = (await r.json()) as ExecutionJson;
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList).toHaveLength(2);
    expect(e.taskRunList[1]?.outputs).toEqual({ value: 'Ada' });
    expect(e.labels).toContainEqual({ key: 'a', value: '1' });
    expect(validateAgainst('Execution', e)).toEqual([]);
    const logs = (await (await orch.app.request(`${base}/logs/${e.id}`)).json()) as LogEntryJson[];
    expect(logs.map((l) => l.message)).toContain('hello Ada');
    for (const l of logs) expect(validateAgainst('LogEntry', l)).toEqual([]);
    const got = await orch.app.request(`${base}/executions/${e.id}`);
    expect(((await got.json()) as ExecutionJson).id).toBe(e.id);
    const search = (await (
      await orch.app.request(`${base}/executions/search?namespace=company&labels=a:1`)
    ).json()) as ExecutionPageJson;
    expect(search.total).toBe(1);
  });

  it('404 for an unknown flow, 422 naming a bad input, 404 for an unknown execution', async () => {
    await deploy(hello.replace('    defaults: world\n', ''));
    expect((await orch.app.request(`${base}/executions/company.team/nope`, { method: 'POST' })).status).toBe(
      404,
    );
    const bad = await orch.app.request(`${base}/executions/company.team/hello`, { method: 'POST' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('`name`');
    expect((await orch.app.request(`${base}/executions/nope`)).status).toBe(404);
  });

  it('kills a sleeping execution (202, then KILLED) and reports the timer in the lifecycle', async () => {
    await deploy(`id: sleepy
namespace: company.team
tasks:
  - id: s
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT30S
`);
    const e = (await (
      await orch.app.request(`${base}/executions/company.team/sleepy`, { method: 'POST' })
    ).json()) as ExecutionJson;
    await new Promise((r) => setTimeout(r, 50));
    const life = (await (await orch.app.request('/_silo/lifecycle')).json()) as LifecycleReport;
    expect(life.nextWakeAt).not.toBeNull();
    expect(life.pendingExecutions).toBe(1);
    expect((await orch.app.request(`${base}/executions/${e.id}/kill`, { method: 'DELETE' })).status).toBe(
      202,
    );
    await new Promise((r) => setTimeout(r, 50));
    const k = (await (await orch.app.request(`${base}/executions/${e.id}`)).json()) as ExecutionJson;
    expect(k.state.current).toBe('KILLED');
    expect(k.state.histories.map((h) => h.state)).toContain('KILLING');
    expect(k.taskRunList[0]?.state.current).toBe('KILLED');
    expect((await orch.app.request(`${base}/executions/${e.id}/kill`, { method: 'DELETE' })).status).toBe(
      409,
    );
  });

  it('a disabled flow answers 409', async () => {
    await deploy(`${hello}disabled: true\n`);
    expect((await orch.app.request(`${base}/executions/company.team/hello`, { method: 'POST' })).status).toBe(
      409,
    );
  });

  it('replays a failed execution as a new one (parentId, originalId) and follows it over SSE', async () => {
    await deploy(`id: flaky
namespace: company.team
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: a
  - id: b
    type: io.kestra.plugin.core.execution.Fail
`);
    const e = (await (
      await orch.app.request(`${base}/executions/company.team/flaky?wait=true`, { method: 'POST' })
    ).json()) as ExecutionJson;
    expect(e.state.current).toBe('FAILED');
    const b = e.taskRunList.find((t) => t.taskId === 'b');
    const r = await orch.app.request(`${base}/executions/${e.id}/replay?taskRunId=${b?.id}`, {
      method: 'POST',
    });
    const replay = (await r.json()) as ExecutionJson;
    expect(replay.id).not.toBe(e.id);
    expect([replay.parentId, replay.originalId]).toEqual([e.id, e.id]);
    const follow = await orch.app.request(`${base}/executions/${replay.id}/follow`);
    const text = await follow.text();
    const last = JSON.parse(
      text
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .at(-1)!
        .slice(5),
    ) as ExecutionJson;
    expect(last.state.current).toBe('FAILED');
    expect(last.taskRunList.map((t) => t.taskId)).toEqual(['a', 'b']);
    expect(last.taskRunList[0]?.attempts).toHaveLength(1);
  });

  it('follows the logs of a running execution over SSE until it ends, and counts the open stream', async () => {
    await deploy(`id: chatty
namespace: company.team
tasks:
  - id: before
    type: io.kestra.plugin.core.log.Log
    message: before the sleep
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: after
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: after the sleep
`);
    const e = (await (
      await orch.app.request(`${base}/executions/company.team/chatty`, { method: 'POST' })
    ).json()) as ExecutionJson;
    const follow = await orch.app.request(`${base}/logs/${e.id}/follow?minLevel=INFO`);
    const lifecycle = await orch.app.request('/_silo/lifecycle');
    expect(((await lifecycle.json()) as LifecycleReport).activeStreams).toBe(1);
    const entries = (await follow.text())
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => JSON.parse(l.slice(5)) as LogEntryJson);
    expect(entries.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'before the sleep'],
      ['WARN', 'after the sleep'],
    ]);
    const done = await orch.app.request('/_silo/lifecycle');
    expect(((await done.json()) as LifecycleReport).activeStreams).toBe(0);
  });

  it('a task timeout fails the attempt (retryable) through the worker AbortSignal', async () => {
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as AddressInfo).port;
    await deploy(`id: slow
namespace: company.team
tasks:
  - id: s
    type: io.kestra.plugin.core.http.Request
    uri: http://127.0.0.1:${port}/
    timeout: PT0.1S
    retry:
      type: constant
      interval: PT0.01S
      maxAttempt: 2
`);
    const e = (await (
      await orch.app.request(`${base}/executions/company.team/slow?wait=true`, { method: 'POST' })
    ).json()) as ExecutionJson;
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList[0]?.attempts).toHaveLength(2);
    const logs = (await (
      await orch.app.request(`${base}/logs/${e.id}?minLevel=ERROR`)
    ).json()) as LogEntryJson[];
    expect(logs.map((l) => l.message).join('\n')).toContain('timed out after 100 ms');
    silent.closeAllConnections();
    silent.close();
  });
});
