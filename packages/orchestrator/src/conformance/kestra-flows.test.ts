import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { InvalidInputsError } from '../executor/engine-errors.js';
import { createOrchestrator, type Orchestrator } from '../orchestrator.js';
import { dig } from '../testing/dig.js';
import { sharedPath } from '../testing/shared-corpus.js';
import { type ExpectedRow, expectedCount, expectedState, readExpectedMd } from './expected-md.js';
import { triggerScenarios } from './trigger-scenarios.js';

/**
 * Runs the scenarios of ../shared/conformance/kestra-flows/EXPECTED.md
 * through the real orchestrator (in process, real SQLite in a temp dir, HTTP
 * via `app.request()`): final state, task-run count, and the listed facts.
 * Rows whose feature does not exist yet are reported as pending, by name.
 */
const CORPUS = sharedPath('conformance', 'kestra-flows');
const base = '/api/v1/main';

type Exec = {
  id: string;
  state: { current: string; histories: Array<{ state: string; date: string }> };
  taskRunList: Array<{
    id: string;
    taskId: string;
    value?: string;
    parentTaskRunId?: string;
    state: { current: string; histories: Array<{ state: string; date: string }> };
    attempts?: unknown[];
    outputs?: Record<string, unknown> | null;
  }>;
  outputs?: Record<string, unknown> | null;
  labels: Array<{ key: string; value: string }>;
  parentId?: string;
};
type Log = { taskRunId: string | null; taskId: string | null; level: string; message: string };

let dir: string;
let orch: Orchestrator;

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return await orch.app.request(`${base}${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
}
async function run(ns: string, id: string, inputs: Record<string, unknown> = {}, wait = true): Promise<Exec> {
  const r = await call('POST', `/executions/${ns}/${id}${wait ? '?wait=true' : ''}`, inputs);
  if (r.status !== 200) throw new Error(`create ${ns}.${id}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Exec;
}
async function get(id: string): Promise<Exec> {
  return (await (await call('GET', `/executions/${id}`)).json()) as Exec;
}
async function logs(id: string): Promise<Log[]> {
  return (await (await call('GET', `/logs/${id}`)).json()) as Log[];
}
async function until(id: string, pred: (e: Exec) => boolean, ms = 15_000): Promise<Exec> {
  const end = Date.now() + ms;
  for (;;) {
    const e = await get(id);
    if (pred(e) || Date.now() > end) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const settled = (e: Exec) =>
  ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'].includes(e.state.current) &&
  e.taskRunList.every((t) => ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'SKIPPED'].includes(t.state.current));
const runsOf = (e: Exec, taskId: string) => e.taskRunList.filter((t) => t.taskId === taskId);
const stateOf = (e: Exec, taskId: string) => runsOf(e, taskId)[0]?.state.current;
const countIn = (h: Array<{ state: string }>, s: string) => h.filter((x) => x.state === s).length;

/** A scenario: how to run a row and which facts to check beyond state and count. */
type Scenario = {
  pending?: string;
  /** The row's count is about an intermediate moment, checked inside `run`. */
  countCheckedInRun?: boolean;
  inputs?: Record<string, unknown>;
  /** Custom run: returns the final execution (state and count are still checked). */
  run?: () => Promise<Exec>;
  facts?: (e: Exec, l: Log[]) => Promise<void> | void;
};

const NS = 'io.kestra.tests';
const SCENARIOS: Record<string, Scenario> = {
  ...triggerScenarios<Exec>({
    call,
    request: (path, init) => orch.app.request(`${base}${path}`, init),
    run,
    get,
    logs,
    until,
    settled,
  }),
  // Kestra InputsTest.allValidInputs: the typed map through the engine (no HTTP), with a FILE upload.
  'inputs.yaml|engine': {
    run: async () => {
      const engine = orch.engine();
      const flow = engine.liveFlow(NS, 'inputs');
      const refused = (extra: Record<string, unknown>) => {
        try {
          engine.createWithInputs(flow, { ...INPUTS, ...extra });
        } catch (err) {
          return (err as InvalidInputsError).issues.map((i) => i.message);
        }
        return [];
      };
      expect(refused({ string: null })).toContain(
        'Invalid input for `string`, missing required input, but received `null`',
      );
      expect(refused({ validatedInt: '9' })).toContain(
        'Invalid input for `validatedInt`, it must be more than `10`, but received `9`',
      );
      const created = engine.createWithInputs(flow, { ...INPUTS, file: APPLICATION_TEST_YML() });
      await engine.waitSettled(created.id, 15_000);
      return get(created.id);
    },
    facts: (e) => {
      const out = (taskId: string) => runsOf(e, taskId)[0]?.outputs?.value;
      expect(out('file')).toMatch(
        /^kestra:\/\/\/io\/kestra\/tests\/inputs\/executions\/.*\/inputs\/file\/application-test\.yml$/,
      );
      expect(out('secret')).toBe('secret');
      expect(out('optional')).toBe('');
      const inputs = (e as Exec & { inputs: Record<string, unknown> }).inputs;
      expect(inputs.int).toBe(42);
      expect(inputs.float).toBe(42.42);
      expect(dig(inputs, 'nested', 'more', 'int')).toBe(123);
      expect(inputs.array).toEqual([1, 2, 3]);
      expect(inputs.yaml).toMatchObject({ property: 'something' });
      expect(runsOf(e, 'log').map((t) => t.value)).toEqual(['1', '2', '3']);
    },
  },
  // Kestra ExecutionControllerTest.trigger / triggerAndWait / invalidInputs: multipart over HTTP.
  'inputs.yaml|http': {
    run: async () => {
      const form = () => {
        const f = new FormData();
        for (const [k, v] of Object.entries(INPUTS)) if (k !== 'bool') f.append(k, String(v));
        const file = APPLICATION_TEST_YML();
        f.append('file', new Blob([file.data]), file.name);
        return f;
      };
      const post = (path: string, body: FormData) =>
        orch.app.request(`${base}${path}`, { method: 'POST', body });
      const r = await post(`/executions/${NS}/inputs?labels=a:label-1&labels=b:label-2`, form());
      expect(r.status).toBe(200);
      const created = (await r.json()) as Exec & { inputs: Record<string, unknown> };
      expect(created.state.current).toBe('CREATED');
      expect(created.inputs.float).toBe(42.42);
      expect(String(created.inputs.file)).toMatch(/^kestra:\/\/\/io\/kestra\/tests\/inputs\/executions\//);
      expect(Object.hasOwn(created.inputs, 'bool') && created.inputs.bool === null).toBe(true);
      expect(created.labels.filter((l) => !l.key.startsWith('system.'))).toEqual([
        { key: 'flow-label-1', value: 'flow-label-1' },
        { key: 'flow-label-2', value: 'flow-label-2' },
        { key: 'a', value: 'label-1' },
        { key: 'b', value: 'label-2' },
      ]);
      expect((await post(`/executions/${NS}/no-such-flow`, form())).status).toBe(404);
      const badForm = form();
      badForm.set('validatedString', 'B123');
      const bad = await post(`/executions/${NS}/inputs`, badForm);
      expect(bad.status).toBe(422);
      const message = ((await bad.json()) as { message: string }).message;
      expect(message).toContain('Invalid entity');
      expect(message).toContain('Invalid input for `validatedString`');
      const waited = await post(`/executions/${NS}/inputs?wait=true`, form());
      const done = (await waited.json()) as Exec;
      expect(done.state.current).toBe('SUCCESS');
      await until(created.id, settled);
      return done;
    },
  },
  'minimal.yaml': {
    // SK runs it while the server skips another execution by id (a Kestra server setting Silo has no
    // equivalent of); what is checked here is that the flow runs, with its system label kept.
    facts: (e) => {
      expect(e.labels).toContainEqual({ key: 'system.readOnly', value: 'true' });
      expect(stateOf(e, 'date')).toBe('SUCCESS');
    },
  },
  'sequential-with-global-errors.yaml': {
    facts: (e) => {
      expect(['t2-t1', 'error-t1', 'error-t2'].map((id) => stateOf(e, id))).toEqual([
        'FAILED',
        'SUCCESS',
        'SUCCESS',
      ]);
      expect(runsOf(e, 't2-t2')).toEqual([]);
    },
  },
  'sequential-with-local-errors.yaml': {
    facts: (e) => {
      expect(['t2-t1', 'error-t1', 'error-t2'].map((id) => stateOf(e, id))).toEqual([
        'FAILED',
        'SUCCESS',
        'SUCCESS',
      ]);
      expect(runsOf(e, 't2-t2')).toEqual([]);
      // The errors branch is t2_seq's own: its task runs hang under t2_seq.
      const seq = runsOf(e, 't2_seq')[0];
      expect(runsOf(e, 'error-t1')[0]?.parentTaskRunId).toBe(seq?.id);
    },
  },
  'if-condition.yaml|truthy': {
    run: async () => {
      let last: Exec | undefined;
      for (const param of [true, 'true', 1]) {
        last = await run(NS, 'if-condition', { param });
        expect([param, last.state.current, stateOf(last, 'when-true'), last.taskRunList.length]).toEqual([
          param,
          'SUCCESS',
          'SUCCESS',
          2,
        ]);
      }
      return last!;
    },
  },
  'if-condition.yaml|falsy': {
    run: async () => {
      let last: Exec | undefined;
      for (const param of [false, 'false', 0, '-0']) {
        last = await run(NS, 'if-condition', { param });
        expect([param, last.state.current, stateOf(last, 'when-false'), last.taskRunList.length]).toEqual([
          param,
          'SUCCESS',
          'SUCCESS',
          2,
        ]);
      }
      return last!;
    },
  },
  'full.yaml': { facts: (e) => expect(runsOf(e, 't2')[0]?.outputs?.value).toContain('value1') },
  'logs.yaml': {
    facts: (e, l) => {
      const byRun = (i: number) => l.filter((x) => x.taskRunId === e.taskRunList[i]!.id);
      expect(byRun(0).map((x) => [x.level, x.message])).toEqual([['TRACE', 'first t1']]);
      expect(byRun(1).map((x) => [x.level, x.message])).toEqual([
        ['WARN', 'second io.kestra.plugin.core.log.Log'],
      ]);
      expect(byRun(2).map((x) => [x.level, x.message])).toEqual([['ERROR', 'third logs']]);
      expect(byRun(3)).toEqual([]);
    },
  },
  'return.yaml': {
    facts: (e) => {
      const d = Date.parse(String(runsOf(e, 'date')[0]?.outputs?.value));
      expect(Math.abs(Date.now() - d)).toBeLessThan(10_000);
      expect(runsOf(e, 'task-id')[0]?.outputs?.value).toBe('task-id');
      expect(runsOf(e, 'flow-id')[0]?.outputs?.value).toBe('return');
    },
  },
  'execution.yaml': {
    facts: (e) => {
      // The whole rendered value is the execution's start date, as Kestra renders it.
      const value = String(runsOf(e, 'hello')[0]?.outputs?.value);
      expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(value).toBe(e.state.histories[0]?.date);
    },
  },
  'output-values.yml': {
    facts: (e) => {
      expect(dig(e.taskRunList[0]?.outputs, 'values', 'output1')).toBe('xyz');
      expect(dig(e.taskRunList[0]?.outputs, 'values', 'output2')).toBe('abc');
    },
  },
  'flow-with-outputs.yml': {
    facts: (e) => {
      expect(Object.keys(e.outputs ?? {})).toEqual(['key']);
      expect(JSON.parse(String(e.outputs?.key))).toEqual({ value: 'flow-with-outputs' });
    },
  },
  'flow-with-outputs-failed.yml': { facts: (e) => expect(e.outputs ?? null).toBeNull() },
  'empty-variables.yml': {
    inputs: { emptyKey: '{ "foo": "" }', emptySubObject: '{"json":{"someEmptyObject":{}}}' },
  },
  'variables-invalid.yaml': {
    facts: (e, l) => {
      expect(e.taskRunList[1]?.state.current).toBe('FAILED');
      const run1 = l.filter((x) => x.taskRunId === e.taskRunList[1]!.id).map((x) => x.message);
      expect(run1.join('\n')).toContain(
        'Unable to find `inputs` used in the expression `{{inputs.invalid}}`',
      );
    },
  },
  'failed-first.yaml': {
    facts: async (e) => {
      expect(e.taskRunList[0]?.state.current).toBe('FAILED');
      for (let i = 1; i <= 2; i++) {
        const r = await call('POST', `/executions/${e.id}/restart`);
        expect(r.status).toBe(200);
        // Restarted for real: one more RESTARTED in the history, one more attempt of run 0, failed again.
        const again = await until(
          e.id,
          (x) => countIn(x.state.histories, 'RESTARTED') === i && x.state.current === 'FAILED' && settled(x),
        );
        expect([
          countIn(again.state.histories, 'RESTARTED'),
          again.state.current,
          again.taskRunList.length,
          again.taskRunList[0]?.attempts?.length,
          again.taskRunList[0]?.state.current,
        ]).toEqual([i, 'FAILED', 1, i + 1, 'FAILED']);
      }
    },
  },
  'each-sequential.yaml': {
    facts: (e) => {
      expect(runsOf(e, 'failed').map((t) => t.state.current)).toContain('WARNING');
      expect(runsOf(e, '1-2').map((t) => t.state.current)).toContain('FAILED');
    },
  },
  'each-sequential-nested.yaml': {
    facts: (e) => {
      // The output of `task` at loop values (outer, inner): its own value is `inner`, an ancestor's `outer`.
      const at = (task: string, outer: string, inner?: string): string => {
        const byId = new Map(e.taskRunList.map((t) => [t.id, t]));
        const ancestors = (t: Exec['taskRunList'][number]) => {
          const out: string[] = [];
          for (let p = byId.get(t.parentTaskRunId ?? ''); p; p = byId.get(p.parentTaskRunId ?? ''))
            out.push(String(p.value));
          return out;
        };
        const hit = runsOf(e, task).filter((t) =>
          inner === undefined ? t.value === outer : t.value === inner && ancestors(t).includes(outer),
        );
        expect(hit, `${task} at (${outer}, ${inner ?? ''})`).toHaveLength(1);
        return String(hit[0]?.outputs?.value);
      };
      const v121 = at('1-2-1_return', 's1', 'a a');
      expect(v121).toMatch(/^1-2-1_return > a a > \d{4}-/);
      expect(String(runsOf(e, '2_return')[0]?.outputs?.value)).toContain(v121);
      expect(at('1-2-2_return', 's1', 'a a')).toContain(`get ${v121}`);
      expect(at('1-2-2_return', 's2', 'a a'), 'reads the s1 value from s2 too').toContain(`get ${v121}`);
      const v11 = at('1-1_return', 's1');
      expect(v11).toMatch(/^1-1_return > s1 > \d{4}-/);
      expect(at('1-3_return', 's1')).toContain(v11);
    },
  },
  'each-null.yaml': {
    facts: (_e, l) =>
      expect(l.map((x) => x.message).join('\n')).toContain(
        "Found '1' null values on Each, with values=[1, null, {key=my-key, value=my-value}]",
      ),
  },
  'each-object.yaml': {
    facts: (e) => expect(String(e.taskRunList[6]?.outputs?.value)).toContain('json > JSON > ["my-complex"]'),
  },
  'current-output.yaml': {
    facts: (e) => {
      const v = (task: string, value: string) => runsOf(e, task).filter((t) => t.value === value);
      for (const a of ['v11', 'v12'])
        for (const b of ['v21', 'v22'])
          for (const c of ['v31', 'v32']) {
            const hit = runsOf(e, '1-1-1_return').filter((t) => t.value === c);
            expect(hit.some((t) => t.outputs?.value === `return-${a}-${b}-${c}`)).toBe(true);
          }
      expect(v('2-1_return', 'v41')[0]?.outputs?.value).toBe('return-v41');
      expect(v('2-1_return', 'v42')[0]?.outputs?.value).toBe('return-v42');
    },
  },
  'switch.yaml|string=FIRST': {
    inputs: { string: 'FIRST' },
    facts: (e) => {
      expect(e.taskRunList[1]?.taskId).toBe('t1');
      expect(e.taskRunList[0]?.outputs).toEqual({ value: 'FIRST', defaults: false });
    },
  },
  'switch.yaml|string=SECOND': {
    inputs: { string: 'SECOND' },
    facts: (e) => {
      expect(e.taskRunList.slice(1, 3).map((t) => t.taskId)).toEqual(['t2', 't2_sub']);
      expect(e.taskRunList[0]?.outputs?.defaults).toBe(false);
    },
  },
  'switch.yaml|string=THIRD': {
    inputs: { string: 'THIRD' },
    facts: (e) =>
      expect(e.taskRunList.slice(1, 4).map((t) => t.taskId)).toEqual(['t3', 'failed', 'error-t1']),
  },
  'switch.yaml|string=DEFAULT': {
    inputs: { string: 'DEFAULT' },
    facts: (e) => {
      expect(e.taskRunList[1]?.taskId).toBe('default');
      expect(e.taskRunList[0]?.outputs?.defaults).toBe(true);
    },
  },
  'fail-on-condition.yaml|param=fail': {
    inputs: { param: 'fail' },
    facts: (e) => expect(stateOf(e, 'fail')).toBe('FAILED'),
  },
  'fail-on-condition.yaml|param=success': {
    inputs: { param: 'success' },
    facts: (e) => expect(stateOf(e, 'fail')).toBe('SUCCESS'),
  },
  'errors.yaml': {
    facts: (_e, l) => expect(l.map((x) => x.message)).toContain('- task: failed, message: Task failure'),
  },
  // Kestra runs this row with runOne(ns, id) and null inputs: no input is read or validated. The
  // engine path with `inputs: null` mirrors it; over HTTP the required `crash` input would be a 422.
  'allow-failure.yaml|none': {
    run: async () => {
      const engine = orch.engine();
      const created = engine.createWithInputs(engine.liveFlow(NS, 'allow-failure'), null);
      await engine.waitSettled(created.id, 15_000);
      const r = await call('POST', `/executions/${NS}/allow-failure`, {});
      expect(r.status).toBe(422);
      return get(created.id);
    },
    facts: (e) => {
      for (const [t, s] of Object.entries({
        first: 'WARNING',
        '1-1-allow-failure': 'WARNING',
        '1-1-1_seq': 'FAILED',
        '1-1-1-1': 'SUCCESS',
        ko: 'FAILED',
        'local-error': 'SUCCESS',
        '1-2-todo': 'SUCCESS',
        last: 'SUCCESS',
      }))
        expect([t, stateOf(e, t)]).toEqual([t, s]);
      expect(runsOf(e, 'global-error')).toHaveLength(0);
    },
  },
  'allow-failure.yaml|crash=1': {
    inputs: { crash: '1' },
    facts: (e) => {
      // Everything of the row without inputs, then the Switch takes `crash`, and the flow's errors run.
      states({
        first: 'WARNING',
        '1-1-allow-failure': 'WARNING',
        '1-1-1_seq': 'FAILED',
        '1-1-1-1': 'SUCCESS',
        ko: 'FAILED',
        'local-error': 'SUCCESS',
        '1-2-todo': 'SUCCESS',
        switch: 'FAILED',
        crash: 'FAILED',
        'global-error': 'SUCCESS',
      })(e);
      expect([runsOf(e, 'last'), runsOf(e, '1-1-1-3')]).toEqual([[], []]);
    },
  },
  'task-allow-failure-runnable.yml': { facts: (e) => expect(runsOf(e, 'fail')[0]?.attempts).toHaveLength(3) },
  'task-runif.yml': {
    facts: (e) => {
      expect(stateOf(e, 'executed')).toBe('SUCCESS');
      expect(stateOf(e, 'notexecuted')).toBe('SKIPPED');
      expect(stateOf(e, 'willfailedtheflow')).toBe('FAILED');
    },
  },
  'retry-success.yaml': {
    facts: (e) => {
      expect(e.taskRunList[0]?.attempts).toHaveLength(4);
      expect(runsOf(e, 'never-happen')).toHaveLength(0);
    },
  },
  'retry-failed.yaml': { facts: (e) => expect(e.taskRunList[0]?.attempts).toHaveLength(5) },
  'retry-fail.yaml': {
    facts: (e) => {
      expect(e.taskRunList[0]?.attempts).toHaveLength(3);
      expect(runsOf(e, 'thisTaskShouldNotBeExecuted')).toHaveLength(0);
    },
  },
  'retry-failed-flow-attempts.yml': { facts: (e) => expect(e.taskRunList[0]?.attempts).toHaveLength(4) },
  'pause.yaml': {
    countCheckedInRun: true,
    run: async () => {
      const e0 = await run(NS, 'pause', {}, false);
      const p = await until(e0.id, (x) => x.state.current === 'PAUSED');
      expect(p.state.current).toBe('PAUSED');
      expect(p.taskRunList).toHaveLength(1);
      expect(p.taskRunList[0]?.state.current).toBe('PAUSED');
      expect((await call('POST', `/executions/${e0.id}/resume`)).status).toBe(204);
      return until(e0.id, settled);
    },
  },
  'pause-delay.yaml': {
    run: async () => {
      const e0 = await run(NS, 'pause-delay', {}, false);
      const p = await until(e0.id, (x) => x.state.current === 'PAUSED');
      expect(p.taskRunList).toHaveLength(1);
      return until(e0.id, settled);
    },
    facts: (e) => {
      const h = runsOf(e, 'pause')[0]!.state.histories;
      expect([countIn(h, 'PAUSED'), countIn(h, 'RUNNING')]).toEqual([1, 2]);
    },
  },
  'pause-timeout.yaml': {
    run: async () => {
      const e0 = await run(NS, 'pause-timeout', {}, false);
      await until(e0.id, (x) => x.state.current === 'PAUSED');
      return until(e0.id, settled);
    },
    facts: (e) => {
      const h = runsOf(e, 'pause')[0]!.state.histories;
      expect([countIn(h, 'PAUSED'), countIn(h, 'RUNNING'), countIn(h, 'FAILED')]).toEqual([1, 1, 1]);
      expect(runsOf(e, 'last')).toHaveLength(0);
    },
  },
  'sleep.yml': {
    run: async () => {
      const e0 = await run(NS, 'sleep', {}, false);
      await until(e0.id, (x) => x.taskRunList.length > 0 && x.state.current === 'RUNNING');
      expect((await call('DELETE', `/executions/${e0.id}/kill`)).status).toBe(202);
      return until(e0.id, settled);
    },
    facts: (e) => {
      expect(e.state.histories.map((h) => h.state)).toContain('KILLING');
      expect(e.taskRunList[0]?.state.current).toBe('KILLED');
    },
  },
  'labels-update-task.yml': {
    run: async () => {
      const r = await orch.app.request(
        `${base}/executions/${NS}/labels-update-task?wait=true&labels=keyFromExecution:valueFromExecution&labels=overriddenExecutionLabelKey:executionValueThatWillGetOverridden`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            labelsJson: '{"keyFromJson": "valueFromJson"}',
            labelsMapKey: 'keyFromMap',
            labelsMapValue: 'valueFromMap',
            labelsListKey: 'keyFromList',
            labelsListValue: 'valueFromList',
          }),
        },
      );
      return (await r.json()) as Exec;
    },
    facts: (e) => {
      const m = Object.fromEntries(e.labels.map((l) => [l.key, l.value]));
      expect(m).toEqual({
        'system.correlationId': e.id,
        flowLabelKey: 'flowLabelValue',
        overriddenFlowLabelKey: 'io.kestra.tests.labels-update-task',
        keyFromJson: 'valueFromJson',
        keyFromMap: 'valueFromMap',
        keyFromList: 'valueFromList',
        keyFromExecution: 'valueFromExecution',
        overriddenExecutionLabelKey: runsOf(e, 'override-labels')[0]?.id,
      });
    },
  },
  'restart_last_failed.yaml': {
    run: async () => {
      const e0 = await run(NS, 'restart_last_failed');
      expect(e0.state.current).toBe('FAILED');
      expect(e0.taskRunList).toHaveLength(3);
      expect(e0.taskRunList[2]?.state.current).toBe('FAILED');
      const r = await call('POST', `/executions/${e0.id}/restart`);
      const re = (await r.json()) as Exec;
      expect([re.id, re.parentId, re.state.current]).toEqual([e0.id, undefined, 'RESTARTED']);
      expect(re.taskRunList.map((t) => t.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'RESTARTED']);
      return until(e0.id, settled);
    },
    facts: (e) => {
      expect(e.taskRunList.map((t) => t.state.current)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
      expect(e.taskRunList.map((t) => t.attempts?.length)).toEqual([1, 1, 2, 1]);
    },
  },
  'flow-concurrency-queue.yml': {
    run: async () => {
      const first = await run(NS, 'flow-concurrency-queue', {}, false);
      await until(first.id, (x) => x.state.current === 'RUNNING');
      const second = await run(NS, 'flow-concurrency-queue', {}, false);
      const a = await until(first.id, settled);
      const b = await until(second.id, settled);
      expect(a.state.current).toBe('SUCCESS');
      expect(b.state.histories.map((h) => h.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
      return b;
    },
  },
  'newer/finally-sequential.yaml|failed=false': {
    inputs: { failed: false },
    facts: states({ ok: 'SUCCESS', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/finally-sequential.yaml|failed=true': {
    inputs: { failed: true },
    facts: states({ ko: 'FAILED', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/finally-sequential-error.yaml|failed=false': {
    inputs: { failed: false },
    facts: states({ ok: 'SUCCESS', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/finally-sequential-error.yaml|failed=true': {
    inputs: { failed: true },
    facts: states({ ko: 'FAILED', e1: 'SUCCESS', e2: 'SUCCESS', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/finally-sequential-error-first.yaml': {
    facts: (e) => {
      states({ ko: 'FAILED', a1: 'SUCCESS' })(e);
      expect(runsOf(e, 'ok')).toHaveLength(0);
    },
  },
  'newer/finally-allowfailure.yaml|failed=false': { inputs: { failed: false } },
  'newer/finally-allowfailure.yaml|failed=true': {
    inputs: { failed: true },
    facts: states({ ko: 'FAILED', e1: 'SUCCESS', e2: 'SUCCESS', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/finally-parallel.yaml|failed=false': { inputs: { failed: false } },
  'newer/finally-parallel.yaml|failed=true': {
    inputs: { failed: true },
    facts: states({ ko: 'FAILED', e1: 'SUCCESS', e2: 'SUCCESS', a1: 'SUCCESS', a2: 'SUCCESS' }),
  },
  'newer/after-execution.yaml': {
    facts: (e) => {
      const end = e.taskRunList.at(-1)!;
      expect(end.taskId).toBe('end');
      const ended = e.state.histories.find((h) => h.state === 'SUCCESS')!.date;
      expect(Date.parse(end.state.histories[0]!.date)).toBeGreaterThanOrEqual(Date.parse(ended));
      expect(dig(end.outputs, 'values', 'state')).toBe('SUCCESS');
      expect(dig(end.outputs, 'values', 'output')).toBe('this is a task output used as a final flow output');
    },
  },
  'newer/after-execution-finally.yaml': {
    facts: (e) => {
      const [main, fin, end] = e.taskRunList;
      expect(Date.parse(fin!.state.histories[0]!.date)).toBeGreaterThanOrEqual(
        Date.parse(main!.state.histories.at(-1)!.date),
      );
      expect(end?.taskId).toBe('end');
      expect(Date.parse(end!.state.histories[0]!.date)).toBeGreaterThanOrEqual(
        Date.parse(fin!.state.histories.at(-1)!.date),
      );
      expect(dig(end?.outputs, 'values', 'state')).toBe('SUCCESS');
    },
  },
  'newer/after-execution-error.yaml': {
    facts: (e) => {
      expect(stateOf(e, 'fail')).toBe('FAILED');
      expect(stateOf(e, 'hello'), 'the error task').toBe('SUCCESS');
      expect(e.taskRunList.map((t) => t.taskId)).toEqual(['fail', 'hello', 'end']);
      expect(stateOf(e, 'end')).toBe('SUCCESS');
      expect(dig(runsOf(e, 'end')[0]?.outputs, 'values', 'state')).toBe('FAILED');
    },
  },
};

/** Kestra InputsTest's map of valid inputs (strings, as a form would send them). */
const INPUTS: Record<string, unknown> = {
  string: 'myString',
  enum: 'ENUM_VALUE',
  int: '42',
  float: '42.42',
  bool: 'false',
  instant: '2019-10-06T18:27:49Z',
  instantDefaults: '2013-08-09T14:19:00Z',
  date: '2019-10-06',
  time: '18:27:49',
  duration: 'PT5M6S',
  json: '{"a":"b"}',
  uri: 'https://www.google.com',
  'nested.string': 'a string',
  'nested.more.int': '123',
  'nested.bool': 'true',
  validatedString: 'A123',
  validatedInt: '12',
  validatedDate: '2023-01-02',
  validatedDateTime: '2023-01-01T00:00:10Z',
  validatedDuration: 'PT15S',
  validatedFloat: '0.42',
  validatedTime: '11:27:49',
  secret: 'secret',
  array: '[1, 2, 3]',
};
/** Kestra uploads its test resource `application-test.yml`; any content does. */
const APPLICATION_TEST_YML = () => ({
  name: 'application-test.yml',
  data: new TextEncoder().encode('kestra:\n  url: http://localhost:8080\n'),
});

function states(want: Record<string, string>) {
  return (e: Exec) => {
    for (const [t, s] of Object.entries(want)) expect([t, stateOf(e, t)]).toEqual([t, s]);
  };
}

/** The inputs written in a setup cell: `a=1, b=two` (values in backticks or bare). */
function inputsOf(setup: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of setup.replace(/`/g, '').matchAll(/([A-Za-z][\w.]*)=([^,\s]+)/g)) out[m[1]!] = m[2]!;
  return out;
}

function keyOf(row: ExpectedRow): string {
  if (row.file === 'inputs.yaml') return `${row.file}|${row.test.includes('trigger') ? 'http' : 'engine'}`;
  if (row.file === 'kv.yaml') return `${row.file}|${row.setup.includes('no key') ? 'missing' : 'stored'}`;
  const setup = row.setup.replace(/`/g, '').trim();
  if (row.file === 'if-condition.yaml')
    return `${row.file}|${row.test.includes('Falsy') ? 'falsy' : 'truthy'}`;
  const simple = /^[\w.]+=[^,]+$/.test(setup) || setup === 'none' ? setup : '';
  return simple ? `${row.file}|${setup}` : row.file;
}

const rows = readExpectedMd(join(CORPUS, 'EXPECTED.md'));
const unchecked: string[] = [];
const results: Array<{ key: string; status: 'passed' | 'failed' | 'pending'; why?: string }> = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silo-conformance-'));
  orch = createOrchestrator(
    loadConfig({ SILO_TENANT_ID: 'conformance', SILO_DATA_DIR: dir, SILO_SHUTDOWN_GRACE_MS: '100' }),
    pino({ level: 'silent' }),
  );
  await orch.start();
  const files = [
    ...readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)),
    ...readdirSync(join(CORPUS, 'newer')).map((f) => `newer/${f}`),
  ];
  for (const f of files) {
    const r = await orch.app.request(`${base}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: readFileSync(join(CORPUS, f), 'utf8'),
    });
    if (r.status !== 200)
      console.log(`conformance: deploy ${f} → ${r.status} ${(await r.text()).slice(0, 200)}`);
  }
}, 60_000);

afterAll(async () => {
  await orch.stop();
  rmSync(dir, { recursive: true, force: true });
  const passed = results.filter((r) => r.status === 'passed').length;
  const pending = results.filter((r) => r.status === 'pending');
  const failed = results.filter((r) => r.status === 'failed');
  const lines = [
    `conformance: ${passed}/${results.length - pending.length} passed, ${pending.length} pending`,
  ];
  for (const p of pending) lines.push(`  pending ${p.key}: waits for ${p.why}`);
  for (const f of failed) lines.push(`  FAILED  ${f.key}: ${f.why}`);
  for (const u of unchecked) lines.push(`  facts not checked (state and count are): ${u}`);
  console.log(lines.join('\n'));
});

describe('Kestra conformance corpus (EXPECTED.md)', () => {
  for (const row of rows) {
    const key = keyOf(row);
    const scenario: Scenario =
      SCENARIOS[key] ?? SCENARIOS[row.file] ?? SCENARIOS[row.file.split(' ')[0]!] ?? {};
    const label = `${key} [${row.test}]`;
    if (scenario.pending) {
      it(`${label} is pending`, () => {
        results.push({ key, status: 'pending', why: scenario.pending! });
      });
      continue;
    }
    const factsText = row.facts.replace(/[—\s]/g, '');
    if (!scenario.facts && !scenario.run && factsText !== '') unchecked.push(`${key}: ${row.facts}`);
    it(label, async () => {
      try {
        const doc = readFileSync(join(CORPUS, row.file.split(' ')[0]!), 'utf8');
        const id = /^id:\s*"?([\w-]+)"?/m.exec(doc)![1]!;
        const ns = /^namespace:\s*"?([\w.]+)"?/m.exec(doc)![1]!;
        const e = scenario.run
          ? await scenario.run()
          : await run(ns, id, scenario.inputs ?? inputsOf(row.setup));
        const final = settled(e) ? e : await until(e.id, settled, 30_000);
        const state = expectedState(row.finalState);
        if (state) expect(final.state.current, 'final state').toBe(state);
        const n = expectedCount(row.n);
        if (n !== undefined && !scenario.countCheckedInRun)
          expect(final.taskRunList.length, 'task runs').toBe(n);
        if (scenario.facts) await scenario.facts(final, await logs(final.id));
        results.push({ key, status: 'passed' });
      } catch (err) {
        results.push({ key, status: 'failed', why: (err as Error).message.split('\n')[0] });
        throw err;
      }
    });
  }
});
