import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InternalStorage } from '../storage/internal-storage.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

type TaskRunJson = {
  id: string;
  taskId: string;
  state: { current: string };
  outputs?: Record<string, unknown> | null;
};
type Exec = {
  id: string;
  state: { current: string };
  inputs: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  taskRunList: TaskRunJson[];
  trigger?: { id: string; type: string; variables: Record<string, unknown> };
};

const base = '/api/v1/main';
let orch: TestOrchestrator;

const CHILD = `id: child
namespace: t.fei
inputs:
  - id: items
    type: FILE
  - id: n
    type: INT
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "batch {{ inputs.n }}: {{ read(inputs.items) | trim }}"
  - id: check
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ read(inputs.items) contains 'bad' }}"
outputs:
  - id: rows
    type: STRING
    value: "{{ read(inputs.items) | trim }}"
`;

const parent = (id: string, extra = '') => `id: ${id}
namespace: t.fei
inputs:
  - id: file
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.file }}"
    batch:
      rows: 2
    namespace: t.fei
    flowId: child
    inputs:
      items: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
${extra}  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.each.iterations.SUCCESS }}/{{ outputs.each.numberOfBatches }}"
outputs:
  - id: done
    type: STRING
    value: "{{ outputs.after.value }}"
`;

async function deploy(yaml: string): Promise<void> {
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

async function get(id: string): Promise<Exec> {
  return (await (await orch.app.request(`${base}/executions/${id}`)).json()) as Exec;
}

async function settled(id: string, ms = 15_000): Promise<Exec> {
  const end = Date.now() + ms;
  for (;;) {
    const e = await get(id);
    const done = ['SUCCESS', 'FAILED', 'KILLED', 'WARNING'].includes(e.state.current);
    if ((done && e.taskRunList.every((t) => t.state.current !== 'RUNNING')) || Date.now() > end) return e;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts `flowId` with a FILE input of these lines. */
async function start(flowId: string, lines: string[]): Promise<Exec> {
  const form = new FormData();
  form.append('file', new Blob([`${lines.join('\n')}\n`]), 'rows.jsonl');
  const r = await orch.app.request(`${base}/executions/t.fei/${flowId}`, { method: 'POST', body: form });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as Exec;
}

async function childrenOf(parentId: string): Promise<Exec[]> {
  const r = await orch.app.request(`${base}/executions/search?namespace=t.fei&flowId=child&size=100`);
  const all = ((await r.json()) as { results: Exec[] }).results;
  const mine = all.filter((e) => e.trigger?.variables.executionId === parentId);
  return Promise.all(mine.map((e) => settled(e.id)));
}

beforeAll(async () => {
  orch = await startTestOrchestrator('foreachitem');
  await deploy(CHILD);
});
afterAll(async () => {
  await orch.close();
});

describe('ForEachItem over a FILE input', () => {
  it('creates one child per 2 rows; each child reads its batch; the parent counts them and goes on', async () => {
    await deploy(parent('batches'));
    const lines = ['{"id":1}', '{"id":2}', '{"id":3}', '{"id":4}', '{"id":5}', '{"id":6}'];
    const created = await start('batches', lines);
    const e = await settled(created.id);
    expect(e.state.current).toBe('SUCCESS');
    const each = e.taskRunList.find((t) => t.taskId === 'each')!;
    expect(each.outputs).toEqual({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 3 },
    });
    expect(e.outputs).toEqual({ done: '3/3' });

    const children = await childrenOf(e.id);
    expect(children).toHaveLength(lines.length / 2);
    const byIteration = children.sort(
      (a, b) => Number(a.trigger!.variables.taskRunIteration) - Number(b.trigger!.variables.taskRunIteration),
    );
    const storage = new InternalStorage(orch.dir);
    byIteration.forEach((c, i) => {
      expect(c.state.current).toBe('SUCCESS');
      expect(c.trigger).toMatchObject({
        id: 'each_items',
        type: 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable',
        variables: {
          executionId: e.id,
          flowId: 'batches',
          taskRunId: each.id,
          taskId: 'each',
          taskRunIteration: i,
        },
      });
      expect(c.inputs.n).toBe(i);
      const uri = String(c.inputs.items);
      expect(uri).toBe(`kestra:///t/fei/batches/executions/${e.id}/tasks/each/${each.id}/batch-${i}.jsonl`);
      expect(readFileSync(storage.pathOf(uri), 'utf8')).toBe(`${lines[2 * i]}\n${lines[2 * i + 1]}\n`);
      expect(c.outputs).toEqual({ rows: `${lines[2 * i]}\n${lines[2 * i + 1]}` });
    });
    const logs = (await (await orch.app.request(`${base}/logs/${byIteration[1]!.id}`)).json()) as Array<{
      message: string;
    }>;
    expect(logs.map((l) => l.message)).toContain('batch 1: {"id":3}\n{"id":4}');
  });

  it('a failing child fails the ForEachItem task run (transmitFailed) after all children end', async () => {
    await deploy(parent('strict'));
    const created = await start('strict', ['a', 'b', 'bad', 'c', 'd', 'e']);
    const e = await settled(created.id);
    expect(e.state.current).toBe('FAILED');
    const each = e.taskRunList.find((t) => t.taskId === 'each')!;
    expect(each.state.current).toBe('FAILED');
    expect(each.outputs).toEqual({
      numberOfBatches: 3,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 1 },
    });
    expect(e.taskRunList.map((t) => t.taskId)).toEqual(['each']);
    const states = (await childrenOf(e.id)).map((c) => c.state.current).sort();
    expect(states).toEqual(['FAILED', 'SUCCESS', 'SUCCESS']);
  });

  it('transmitFailed: false keeps the task run SUCCESS while a child failed', async () => {
    await deploy(parent('tolerant', '    transmitFailed: false\n'));
    const e = await settled((await start('tolerant', ['bad', 'x', 'y'])).id);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.find((t) => t.taskId === 'each')!.outputs).toEqual({
      numberOfBatches: 2,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 1, FAILED: 1 },
    });
    expect(e.outputs).toEqual({ done: '1/2' });
  });

  it('a restart of the parent restarts only its failed children (RETRY_FAILED) and then succeeds', async () => {
    await deploy(
      CHILD.replace('id: child\n', 'id: flaky\n').replace(
        'condition: "{{ read(inputs.items) contains \'bad\' }}"',
        'condition: "{{ (read(inputs.items) contains \'bad\') and taskrun.attemptsCount == 0 }}"',
      ),
    );
    await deploy(parent('retrying').replace('flowId: child', 'flowId: flaky'));
    const first = await settled((await start('retrying', ['a', 'b', 'bad', 'c'])).id);
    expect(first.state.current).toBe('FAILED');
    const r = await orch.app.request(`${base}/executions/${first.id}/restart`, { method: 'POST' });
    expect(r.status, await r.clone().text()).toBe(200);
    // The restart is decided after the answer: wait for the execution to leave FAILED, then to settle.
    const end = Date.now() + 10_000;
    while ((await get(first.id)).state.current === 'FAILED' && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 10));
    }
    const e = await settled(first.id);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList.find((t) => t.taskId === 'each')!.outputs).toEqual({
      numberOfBatches: 2,
      iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 2, FAILED: 0 },
    });
    const search = await orch.app.request(`${base}/executions/search?namespace=t.fei&flowId=flaky&size=100`);
    const children = ((await search.json()) as { results: Exec[] }).results.filter(
      (c) => c.trigger?.variables.executionId === first.id,
    );
    expect(children.map((c) => c.state.current)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('read() of a file outside the storage folder fails the task, never reads it', async () => {
    await deploy(
      `id: sneaky\nnamespace: t.fei\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ read('kestra:///../../config.json') }}"\n`,
    );
    const r = await orch.app.request(`${base}/executions/t.fei/sneaky`, { method: 'POST' });
    const e = await settled(((await r.json()) as Exec).id);
    expect(e.state.current).toBe('FAILED');
    const logs = (await (await orch.app.request(`${base}/logs/${e.id}`)).json()) as Array<{
      message: string;
    }>;
    expect(logs.map((l) => l.message).join('\n')).toContain('path traversal');
  });
});
