import { expect } from 'vitest';
import { dig } from '../testing/dig.js';

/**
 * Conformance scenarios of EXPECTED.md for Subflow, KV, webhooks and Flow
 * triggers (rows of "Subflow, KV, labels, restart" and the trigger rows),
 * given the runner's helpers so that they stay in one place.
 */
type TaskRun = {
  id: string;
  taskId: string;
  state: { current: string };
  attempts?: unknown[];
  outputs?: Record<string, unknown> | null;
};
export type ScenarioExec = {
  id: string;
  state: { current: string };
  taskRunList: TaskRun[];
  labels: Array<{ key: string; value: string }>;
  trigger?: { id: string; type: string; variables?: Record<string, unknown> };
};
type Log = { taskRunId: string | null; message: string };

export type ScenarioHelpers<E extends ScenarioExec> = {
  call(method: string, path: string, body?: unknown): Promise<Response>;
  request(path: string, init: RequestInit): Response | Promise<Response>;
  run(ns: string, id: string, inputs?: Record<string, unknown>, wait?: boolean): Promise<E>;
  get(id: string): Promise<E>;
  logs(id: string): Promise<Log[]>;
  until(id: string, pred: (e: E) => boolean, ms?: number): Promise<E>;
  settled(e: E): boolean;
};

export type TriggerScenario<E> = {
  run?: () => Promise<E>;
  facts?: (e: E, l: Log[]) => Promise<void> | void;
  inputs?: Record<string, unknown>;
};

const NS = 'io.kestra.tests';

export function triggerScenarios<E extends ScenarioExec>(
  h: ScenarioHelpers<E>,
): Record<string, TriggerScenario<E>> {
  const child = async (parent: E): Promise<E> => {
    const id = parent.taskRunList[0]?.outputs?.executionId as string;
    expect(id, 'child execution id').toBeTypeOf('string');
    return h.until(id, h.settled);
  };
  const webhook = (method: string, path: string, body?: string, type = 'application/json') =>
    h.request(`/executions/webhook/${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': type }, body } : {}),
    });
  return {
    'task-flow.yaml': {
      run: async () => {
        const r = await h.request(
          `/executions/${NS}/task-flow?wait=true&labels=mainFlowExecutionLabel:execFoo`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ string: 'OK' }),
          },
        );
        return (await r.json()) as E;
      },
      facts: async (e) => {
        const tr = e.taskRunList[0]!;
        expect(tr.attempts).toHaveLength(1);
        expect(String(dig(tr.outputs, 'outputs', 'extracted'))).toContain('default > amazing');
        expect(tr.outputs?.state).toBe('SUCCESS');
        const c = await child(e);
        expect(tr.outputs?.executionId).toBe(c.id);
        expect([c.state.current, c.taskRunList.length]).toEqual(['SUCCESS', 2]);
        expect(c.trigger?.type).toBe('io.kestra.plugin.core.flow.Subflow');
        expect(c.trigger?.variables).toMatchObject({ executionId: e.id, flowId: 'task-flow', namespace: NS });
        expect(Object.fromEntries(c.labels.map((l) => [l.key, l.value]))).toEqual({
          'system.correlationId': e.id,
          mainFlowExecutionLabel: 'execFoo',
          mainFlowLabel: 'flowFoo',
          launchTaskLabel: 'launchFoo',
          switchFlowLabel: 'switchFoo',
        });
      },
    },
    'task-flow.yaml|string=THIRD': {
      inputs: { string: 'THIRD' },
      facts: async (e) => {
        const c = await child(e);
        expect([c.state.current, c.taskRunList.length]).toEqual(['FAILED', 4]);
        expect(String(dig(e.taskRunList[0]?.outputs, 'outputs', 'extracted'))).toContain(
          'Error Trigger ! error-t1',
        );
      },
    },
    'task-flow.yaml|string=FIRST': {
      inputs: { string: 'FIRST' },
      facts: async (e) => {
        const c = await child(e);
        expect([c.state.current, c.taskRunList.length]).toEqual(['SUCCESS', 2]);
        expect(e.taskRunList[0]?.state.current).toBe('FAILED');
      },
    },
    'kv.yaml|stored': {
      run: async () => {
        const put = await h.request(`/namespaces/${NS}/kv/my-key`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ field: 'value' }),
        });
        expect(put.status).toBeLessThan(300);
        return h.run(NS, 'kv');
      },
      facts: (e) => expect(e.taskRunList.map((t) => t.outputs?.value)).toEqual(['value', 'value']),
    },
    'kv.yaml|missing': {
      run: async () => {
        await h.call('DELETE', `/namespaces/${NS}/kv/my-key`);
        return h.run(NS, 'kv', { errorOnMissing: true });
      },
      facts: (e, l) => {
        expect(e.taskRunList[0]?.state.current).toBe('SUCCESS');
        expect(e.taskRunList[0]?.outputs?.value).toBe('');
        expect(e.taskRunList[1]?.state.current).toBe('FAILED');
        const run1 = l.filter((x) => x.taskRunId === e.taskRunList[1]!.id).map((x) => x.message);
        expect(run1.join('\n')).toContain(
          "The key 'my-key' does not exist in the namespace 'io.kestra.tests'",
        );
      },
    },
    'webhook.yaml': {
      run: async () => {
        const r = await webhook(
          'POST',
          `${NS}/webhook/a-secret-key?name=john&age=12&age=13`,
          '{"a":1,"b":true}',
        );
        expect(r.status).toBe(200);
        const w = (await r.json()) as { id: string };
        const e = await h.until(w.id, h.settled);
        const t = e.trigger?.variables ?? {};
        expect([dig(t.body, 'a'), dig(t.body, 'b')]).toEqual([1, true]);
        expect(t.parameters).toMatchObject({ name: ['john'], age: ['12', '13'] });
        expect(e.labels.slice(0, 2)).toEqual([
          { key: 'flow-label-1', value: 'flow-label-1' },
          { key: 'flow-label-2', value: 'flow-label-2' },
        ]);
        const bodyOf = async (res: Response) =>
          (await h.until(((await res.json()) as { id: string }).id, h.settled)).trigger?.variables?.body;
        expect(await bodyOf(await webhook('PUT', `${NS}/webhook/a-secret-key`, '[1,2]'))).toEqual([1, 2]);
        expect(await bodyOf(await webhook('POST', `${NS}/webhook/a-secret-key`, 'bla', 'text/plain'))).toBe(
          'bla',
        );
        expect(await bodyOf(await webhook('GET', `${NS}/webhook/a-secret-key`))).toBeNull();
        const missing = await webhook('POST', `${NS}/not-a-flow/a-secret-key`, '{}');
        expect(missing.status).toBe(404);
        expect(await missing.text()).toContain('Flow not found');
        expect((await webhook('POST', `${NS}/webhook/wrong-key`, '{}')).status).toBe(404);
        return e;
      },
    },
    'webhook-with-condition.yaml': {
      run: async () => {
        const ok = await webhook('POST', `${NS}/webhook-with-condition/webhookKey`, '{"hello":"world"}');
        expect(ok.status).toBe(200);
        const rejected = await webhook(
          'POST',
          `${NS}/webhook-with-condition/webhookKey`,
          '{"hello":"webhook"}',
        );
        expect(rejected.status).toBe(204);
        expect(await rejected.text()).toBe('');
        return h.until(((await ok.json()) as { id: string }).id, h.settled);
      },
    },
    'trigger-flow.yaml + trigger-flow-listener.yaml': {
      run: async () => {
        const upstream = await h.run('io.kestra.tests.trigger', 'trigger-flow');
        expect(upstream.state.current).toBe('SUCCESS');
        expect(upstream.taskRunList).toHaveLength(1);
        const deadline = Date.now() + 15_000;
        for (;;) {
          const r = await h.call(
            'GET',
            '/executions/search?namespace=io.kestra.tests.trigger&flowId=trigger-flow-listener&size=100',
          );
          const found = ((await r.json()) as { results: E[] }).results.find(
            (x) => x.trigger?.variables?.executionId === upstream.id,
          );
          if (found) {
            const listener = await h.until(found.id, h.settled);
            expect(listener.taskRunList[0]?.outputs?.value).toBe(`childs: from parents: ${upstream.id}`);
            expect(listener.trigger?.variables).toMatchObject({
              executionId: upstream.id,
              namespace: 'io.kestra.tests.trigger',
              flowId: 'trigger-flow',
            });
            return listener;
          }
          if (Date.now() > deadline) throw new Error('no listener execution was started by the Flow trigger');
          await new Promise((r) => setTimeout(r, 50));
        }
      },
    },
  };
}
