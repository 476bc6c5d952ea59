import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../flow/flow-model.js';
import { fail, flowable, flowOf, Harness, log, task } from './decide-harness.js';

const retry = (p: Partial<RetryPolicy>): RetryPolicy => ({
  type: 'constant',
  warningOnRetry: false,
  behavior: 'RETRY_FAILED_TASK',
  ...p,
});
const failWhen = (ids: string[]) => (taskId: string) => (ids.includes(taskId) ? 'FAILED' : 'SUCCESS');

describe('decide: sequential and final state', () => {
  it('runs tasks one after the other and ends SUCCESS', () => {
    const h = new Harness(flowOf([log('a'), log('b'), log('c')])).run();
    expect(h.state).toBe('SUCCESS');
    expect(h.exec.taskRunList.map((t) => t.taskId)).toEqual(['a', 'b', 'c']);
    expect(h.exec.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(h.taskRun('a').state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });

  it('stops at the first failure; later tasks get no task run', () => {
    const h = new Harness(flowOf([log('a'), fail('b'), log('c')]), failWhen(['b'])).run();
    expect(h.state).toBe('FAILED');
    expect(h.states()).toEqual({ a: 'SUCCESS', b: 'FAILED' });
  });

  it.each([
    [['SUCCESS', 'WARNING'], 'WARNING'],
    [['WARNING', 'FAILED'], 'FAILED'],
    [['SUCCESS', 'SUCCESS'], 'SUCCESS'],
  ] as const)('final state of %j is %s', (outcomes, expected) => {
    const tasks = outcomes.map((_, i) => log(`t${i}`));
    const p = flowable('Parallel', 'p', { tasks });
    const h = new Harness(flowOf([p]), (id) => outcomes[Number(id.slice(1))]!).run();
    expect(h.state).toBe(expected);
  });

  it('a disabled task gets no task run; a false runIf gives SKIPPED; a broken runIf fails', () => {
    const flow = flowOf([
      log('off', { disabled: true }),
      log('skip', { runIf: "{{ 'false' }}" }),
      log('run', { runIf: "{{ 'true' }}" }),
      log('broken', { runIf: '{{ nope }}' }),
    ]);
    const h = new Harness(flow).run();
    expect(h.states()).toEqual({ skip: 'SKIPPED', run: 'SUCCESS', broken: 'FAILED' });
    expect(h.state).toBe('FAILED');
  });

  it('allowFailure turns FAILED into WARNING, allowWarning WARNING into SUCCESS', () => {
    const h = new Harness(flowOf([fail('a', { allowFailure: true }), log('b')]), failWhen(['a'])).run();
    expect(h.states()).toEqual({ a: 'WARNING', b: 'SUCCESS' });
    expect(h.state).toBe('WARNING');
    const h2 = new Harness(
      flowOf([fail('a', { allowFailure: true, allowWarning: true })]),
      failWhen(['a']),
    ).run();
    expect(h2.state).toBe('SUCCESS');
  });
});

/** If's props; built with a computed key because an object with a `then` reads like a promise to linters. */
const ifProps = (cond: string) => ({ condition: cond, ['th' + 'en']: [log('yes')], else: [log('no')] });

describe('decide: flowable tasks', () => {
  it('Sequential nests and counts one task run per task', () => {
    const h = new Harness(
      flowOf([
        flowable('Sequential', 's', {
          tasks: [log('a'), flowable('Sequential', 's2', { tasks: [log('b')] })],
        }),
      ]),
    ).run();
    expect(h.exec.taskRunList).toHaveLength(4);
    expect(h.taskRun('b').parentTaskRunId).toBe(h.taskRun('s2').id);
    expect(h.state).toBe('SUCCESS');
  });

  it('Parallel with concurrent: 2 never has more than 2 children running', () => {
    const kids = [log('a'), log('b'), log('c'), log('d')];
    const h = new Harness(flowOf([flowable('Parallel', 'p', { tasks: kids, concurrent: 2 })]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.exec.taskRunList.map((t) => t.taskId)).toEqual(['p', 'a', 'b']);
    const first = h.hanging.shift()!;
    h.send({ type: 'taskResult', taskRunId: first.taskRunId, attempt: 1, outcome: 'SUCCESS' });
    expect(h.exec.taskRunList.map((t) => t.taskId)).toEqual(['p', 'a', 'b', 'c']);
  });

  it('If runs then or else', () => {
    const mk = (cond: string) => new Harness(flowOf([flowable('If', 'if', ifProps(cond))])).run();
    expect(Object.keys(mk("{{ 'true' }}").states())).toEqual(['if', 'yes']);
    expect(Object.keys(mk("{{ 'false' }}").states())).toEqual(['if', 'no']);
    expect(Object.keys(mk("{{ '0' }}").states())).toEqual(['if', 'no']);
  });

  it('Switch picks a case or defaults and outputs value/defaults', () => {
    const sw = (v: string) =>
      new Harness(
        flowOf([
          flowable('Switch', 'sw', {
            value: `{{ inputs.v }}`,
            cases: { A: [log('a')] },
            defaults: [log('d')],
          }),
        ]),
        undefined,
        { v },
      ).run();
    const a = sw('A');
    expect(Object.keys(a.states())).toEqual(['sw', 'a']);
    expect(a.taskRun('sw').outputs).toEqual({ value: 'A', defaults: false });
    expect(sw('Z').taskRun('sw').outputs).toEqual({ value: 'Z', defaults: true });
  });

  it('Switch on an undefined variable fails the Switch with the message logged', () => {
    const h = new Harness(
      flowOf([flowable('Switch', 'sw', { value: '{{inputs.invalid}}', cases: {} })]),
    ).run();
    expect(h.state).toBe('FAILED');
    const logCmd = h.commands.find((c) => c.kind === 'log');
    expect(logCmd && 'message' in logCmd ? logCmd.message : '').toContain('{{inputs.invalid}}');
  });

  it('ForEach over a JSON string runs the children per value, concurrencyLimit at a time', () => {
    const fe = flowable('ForEach', 'fe', { values: '["a","b","c"]', concurrencyLimit: 2, tasks: [log('x')] });
    const h = new Harness(flowOf([fe]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.exec.taskRunList.map((t) => `${t.taskId}@${t.value ?? ''}`)).toEqual(['fe@', 'x@a', 'x@b']);
    for (let i = 0; i < 3; i++) {
      const next = h.hanging.shift()!;
      h.send({ type: 'taskResult', taskRunId: next.taskRunId, attempt: 1, outcome: 'SUCCESS' });
    }
    expect(h.state).toBe('SUCCESS');
    expect(h.exec.taskRunList).toHaveLength(4);
  });

  it('ForEach over a list with objects, and empty lists, and null values', () => {
    const h = new Harness(
      flowOf([flowable('ForEach', 'fe', { values: ['a', { k: 1 }], tasks: [log('x')] })]),
    ).run();
    expect(h.exec.taskRunList.map((t) => t.value)).toEqual([undefined, 'a', '{"k":1}']);
    expect(
      new Harness(flowOf([flowable('ForEach', 'fe', { values: '[]', tasks: [log('x')] })])).run().state,
    ).toBe('SUCCESS');
    const n = new Harness(
      flowOf([flowable('ForEach', 'fe', { values: '[1, null]', tasks: [log('x')] })]),
    ).run();
    expect(n.state).toBe('FAILED');
    expect(JSON.stringify(n.commands)).toContain("Found '1' null values on Each, with values=[1, null]");
  });

  it('EachSequential and EachParallel: every value, sequential vs all at once', () => {
    const seq = new Harness(
      flowOf([flowable('EachSequential', 'e', { value: '["1","2"]', tasks: [log('x'), log('y')] })]),
      () => 'HANG',
    );
    seq.send({ type: 'start', runningInFlow: 0 });
    expect(seq.exec.taskRunList).toHaveLength(2);
    const par = new Harness(
      flowOf([flowable('EachParallel', 'e', { value: '["1","2"]', tasks: [log('x'), log('y')] })]),
      () => 'HANG',
    );
    par.send({ type: 'start', runningInFlow: 0 });
    expect(par.exec.taskRunList).toHaveLength(5);
  });

  it('AllowFailure: the failing child fails, the AllowFailure ends WARNING, the flow goes on', () => {
    const af = flowable('AllowFailure', 'af', { tasks: [fail('ko')] }, { errors: [log('local')] });
    const h = new Harness(flowOf([af, log('next')]), failWhen(['ko'])).run();
    expect(h.states()).toEqual({ af: 'WARNING', ko: 'FAILED', local: 'SUCCESS', next: 'SUCCESS' });
    expect(h.state).toBe('WARNING');
  });

  it('Dag runs a task once all its dependencies succeeded', () => {
    const d = (id: string, dependsOn: string[] = []) => ({ task: log(id), dependsOn });
    const dag = flowable('Dag', 'dag', {
      tasks: [d('t1'), d('t2', ['t1']), d('t3', ['t1']), d('t4', ['t2', 't3'])],
    });
    const h = new Harness(flowOf([dag]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    expect(Object.keys(h.states())).toEqual(['dag', 't1']);
    const t1 = h.hanging.shift()!;
    h.send({ type: 'taskResult', taskRunId: t1.taskRunId, attempt: 1, outcome: 'SUCCESS' });
    expect(Object.keys(h.states())).toEqual(['dag', 't1', 't2', 't3']);
  });

  it('Pause with delay resumes by itself; history PAUSED once, RUNNING twice', () => {
    const h = new Harness(
      flowOf([flowable('Pause', 'p', { delay: 'PT1S', tasks: [log('sub')] }), log('last')]),
    );
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.state).toBe('PAUSED');
    expect(h.timers[0]?.dueAt).toBe(h.now.getTime() + 1000);
    h.fireNextTimer();
    expect(h.state).toBe('SUCCESS');
    const hist = h.taskRun('p').state.histories.map((x) => x.state);
    expect(hist).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(h.exec.taskRunList).toHaveLength(3);
  });

  it('Pause with timeout fails: PAUSED → FAILED, later tasks never run', () => {
    const h = new Harness(
      flowOf([flowable('Pause', 'p', { timeout: 'PT1S', tasks: [log('ko')] }), log('last')]),
    ).run();
    expect(h.state).toBe('FAILED');
    expect(h.taskRun('p').state.histories.map((x) => x.state)).toEqual([
      'CREATED',
      'RUNNING',
      'PAUSED',
      'FAILED',
    ]);
    expect(h.exec.taskRunList).toHaveLength(1);
  });

  it('Pause resumed by hand', () => {
    const h = new Harness(flowOf([flowable('Pause', 'p', {}), log('last')]));
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.state).toBe('PAUSED');
    h.send({ type: 'resume' });
    expect(h.state).toBe('SUCCESS');
    expect(h.states()).toEqual({ p: 'SUCCESS', last: 'SUCCESS' });
  });

  it('resume stores the onResume values and when it was resumed as the Pause task run outputs', () => {
    const h = new Harness(flowOf([flowable('Pause', 'p', {}), log('last')]));
    h.send({ type: 'start', runningInFlow: 0 });
    const p = h.taskRun('p');
    h.send({ type: 'resume', onResume: { [p.id]: { approved: true } } });
    expect(h.taskRun('p').outputs).toEqual({
      onResume: { approved: true },
      resumed: { on: '2025-01-01T00:00:00.000', to: 'SUCCESS' },
    });
    expect(h.state).toBe('SUCCESS');
  });

  it('Sleep is a durable timer of the executor, not a worker job', () => {
    const h = new Harness(flowOf([task('s', 'io.kestra.plugin.core.flow.Sleep', { duration: 'PT0.010S' })]));
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.commands.some((c) => c.kind === 'runTask')).toBe(false);
    expect(h.timers).toHaveLength(1);
    const start = h.now.getTime();
    h.fireNextTimer();
    expect(h.now.getTime() - start).toBe(10);
    expect(h.state).toBe('SUCCESS');
  });

  it('LoopUntil runs iterations until the condition holds', () => {
    let n = 0;
    const lu = flowable('LoopUntil', 'lu', {
      condition: '{{ outputs.r.done }}',
      checkFrequency: { interval: 'PT1S', maxIterations: 5 },
      tasks: [task('r', 'io.kestra.plugin.core.debug.Return')],
    });
    const h = new Harness(flowOf([lu]), () => ({ outputs: { done: ++n >= 3 } })).run();
    expect(h.state).toBe('SUCCESS');
    expect(h.exec.taskRunList.filter((t) => t.taskId === 'r').map((t) => t.iteration)).toEqual([0, 1, 2]);
  });
});

describe('decide: errors, finally, afterExecution', () => {
  it('flow errors run after a failure; the execution stays FAILED', () => {
    const h = new Harness(flowOf([fail('ko')], { errors: [log('e')] }), failWhen(['ko'])).run();
    expect(h.states()).toEqual({ ko: 'FAILED', e: 'SUCCESS' });
    expect(h.state).toBe('FAILED');
  });

  it('errors do not run on success; finally always runs', () => {
    const ok = new Harness(flowOf([log('ok')], { errors: [log('e')], finally: [log('f')] })).run();
    expect(Object.keys(ok.states())).toEqual(['ok', 'f']);
    const ko = new Harness(
      flowOf([fail('ko')], { errors: [log('e')], finally: [log('f')] }),
      failWhen(['ko']),
    ).run();
    expect(ko.states()).toEqual({ ko: 'FAILED', e: 'SUCCESS', f: 'SUCCESS' });
    expect(ko.state).toBe('FAILED');
  });

  it('flowable-level errors and finally', () => {
    const seq = flowable(
      'Sequential',
      's',
      { tasks: [fail('ko')] },
      { errors: [log('e1')], finally: [log('a1')] },
    );
    const h = new Harness(flowOf([seq]), failWhen(['ko'])).run();
    expect(h.states()).toEqual({ s: 'FAILED', ko: 'FAILED', e1: 'SUCCESS', a1: 'SUCCESS' });
  });

  it('afterExecution runs after the execution ended and sees its state', () => {
    const h = new Harness(flowOf([log('a')], { afterExecution: [log('end')] })).run();
    expect(h.state).toBe('SUCCESS');
    const end = h.taskRun('end');
    expect(end.state.current).toBe('SUCCESS');
    expect(Date.parse(end.state.histories[0]!.date)).toBeGreaterThanOrEqual(
      Date.parse(h.exec.state.histories.at(-1)!.date),
    );
  });

  it('flow outputs are rendered at the end; a broken one fails the execution', () => {
    const ok = new Harness(
      flowOf([log('a')], { outputs: [{ id: 'o', type: 'STRING', value: '{{ flow.id }}' }] }),
    ).run();
    expect(ok.exec.outputs).toEqual({ o: 'f' });
    const ko = new Harness(
      flowOf([log('a')], { outputs: [{ id: 'o', type: 'STRING', value: '{{ nope }}' }] }),
    ).run();
    expect(ko.state).toBe('FAILED');
    expect(ko.exec.outputs).toBeNull();
  });
});

describe('decide: retry and timeout', () => {
  it('constant retry adds attempts on the same task run, then FAILED', () => {
    const h = new Harness(
      flowOf([fail('f', { retry: retry({ maxAttempts: 5, intervalMs: 100 }) })], { errors: [log('e')] }),
      () => 'FAILED',
    ).run();
    expect(h.taskRun('f').attempts).toHaveLength(5);
    expect(h.exec.taskRunList).toHaveLength(2);
    expect(h.state).toBe('FAILED');
    expect(h.taskRun('f').state.histories.map((x) => x.state)).toContain('RETRYING');
  });

  it('warningOnRetry ends a task that needed retries in WARNING', () => {
    const h = new Harness(
      flowOf([log('t', { retry: retry({ maxAttempts: 4, intervalMs: 250, warningOnRetry: true }) })]),
      (_id, attempt) => (attempt < 4 ? 'FAILED' : 'SUCCESS'),
    ).run();
    expect(h.taskRun('t').attempts).toHaveLength(4);
    expect(h.state).toBe('WARNING');
  });

  it('exponential back-off doubles up to maxInterval; random stays in bounds', () => {
    const h = new Harness(
      flowOf([
        fail('f', {
          retry: retry({ type: 'exponential', maxAttempts: 4, intervalMs: 100, maxIntervalMs: 300 }),
        }),
      ]),
      () => 'FAILED',
    );
    h.send({ type: 'start', runningInFlow: 0 });
    const waits: number[] = [];
    while (h.timers.length > 0) {
      waits.push(h.timers[0]!.dueAt - h.now.getTime());
      h.fireNextTimer();
    }
    expect(waits).toEqual([100, 200, 300]);
    const r = new Harness(
      flowOf([
        fail('f', {
          retry: retry({ type: 'random', maxAttempts: 2, minIntervalMs: 100, maxIntervalMs: 200 }),
        }),
      ]),
      () => 'FAILED',
    );
    r.send({ type: 'start', runningInFlow: 0 });
    expect(r.timers[0]!.dueAt - r.now.getTime()).toBe(150);
  });

  it('maxDuration stops retrying', () => {
    const h = new Harness(
      flowOf([fail('f', { retry: retry({ maxDurationMs: 250, intervalMs: 100 }) })]),
      () => 'FAILED',
    ).run();
    expect(h.taskRun('f').attempts).toHaveLength(3);
  });

  it('flow-level retry (RETRY_FAILED_TASK) applies to tasks without their own', () => {
    const h = new Harness(
      flowOf([fail('f')], { retry: retry({ maxAttempts: 4, intervalMs: 0 }) }),
      () => 'FAILED',
    ).run();
    expect(h.taskRun('f').attempts).toHaveLength(4);
  });

  it('a non-retryable failure skips the remaining attempts', () => {
    const h = new Harness(
      flowOf([fail('f', { retry: retry({ maxAttempts: 4, intervalMs: 0 }) })]),
      () => 'HANG',
    );
    h.send({ type: 'start', runningInFlow: 0 });
    const j = h.hanging.shift()!;
    h.send({ type: 'taskResult', taskRunId: j.taskRunId, attempt: 1, outcome: 'FAILED', nonRetryable: true });
    expect(h.state).toBe('FAILED');
  });

  it('the task timeout travels with the job', () => {
    const h = new Harness(flowOf([log('t', { timeoutMs: 50 })])).run();
    const job = h.commands.find((c) => c.kind === 'runTask');
    expect(job && job.kind === 'runTask' ? job.timeoutMs : 0).toBe(50);
  });

  it('a stale result (old attempt) changes nothing', () => {
    const h = new Harness(flowOf([log('t')]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    const j = h.hanging[0]!;
    h.send({ type: 'taskResult', taskRunId: j.taskRunId, attempt: 7, outcome: 'SUCCESS' });
    expect(h.state).toBe('RUNNING');
  });
});

describe('decide: kill, restart, crash, concurrency', () => {
  it('kill: KILLING while the worker stops, then KILLED', () => {
    const h = new Harness(flowOf([log('t'), log('u')]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    h.hanging.length = 0; // the abort answers through the harness only when hanging; keep it running
    h.send({ type: 'kill' });
    expect(h.state).toBe('KILLING');
    h.send({ type: 'taskResult', taskRunId: h.taskRun('t').id, attempt: 1, outcome: 'KILLED' });
    expect(h.state).toBe('KILLED');
    expect(h.states()).toEqual({ t: 'KILLED' });
    expect(h.exec.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'KILLING', 'KILLED']);
  });

  it('kill during a Sleep: the timer is cancelled and the task run KILLED at once', () => {
    const h = new Harness(flowOf([task('s', 'io.kestra.plugin.core.flow.Sleep', { duration: 'PT1S' })]));
    h.send({ type: 'start', runningInFlow: 0 });
    h.send({ type: 'kill' });
    expect(h.state).toBe('KILLED');
    expect(h.timers).toHaveLength(0);
  });

  it('restart: same execution, failed run RESTARTED then a new attempt; errors runs dropped', () => {
    let first = true;
    const h = new Harness(flowOf([log('a'), log('c'), log('d')], { errors: [log('e')] }), (id) =>
      id === 'c' && first ? 'FAILED' : 'SUCCESS',
    ).run();
    expect(h.state).toBe('FAILED');
    first = false;
    h.send({ type: 'restart' });
    expect(h.states()).toEqual({ a: 'SUCCESS', c: 'SUCCESS', d: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
    expect(h.exec.state.histories.map((x) => x.state)).toContain('RESTARTED');
    expect(h.exec.taskRunList.map((t) => t.attempts.length)).toEqual([1, 2, 1]);
    expect(h.taskRun('c').state.histories.map((x) => x.state)).toContain('RESTARTED');
  });

  it('a worker lost in a crash gives the task run a new attempt', () => {
    const h = new Harness(flowOf([log('t')]), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    const tr = h.taskRun('t');
    h.send({ type: 'workerLost', taskRunId: tr.id, attempt: 1 });
    expect(h.taskRun('t').attempts.map((a) => a.state.current)).toEqual(['KILLED', 'RUNNING']);
    expect(h.commands.filter((c) => c.kind === 'runTask')).toHaveLength(2);
  });

  it.each([
    ['QUEUE', 'QUEUED'],
    ['CANCEL', 'CANCELLED'],
    ['FAIL', 'FAILED'],
  ] as const)('concurrency %s over the limit → %s', (behavior, state) => {
    const h = new Harness(flowOf([log('a')], { concurrency: { limit: 1, behavior } }));
    h.send({ type: 'start', runningInFlow: 1 });
    expect(h.state).toBe(state);
    if (state === 'QUEUED') {
      h.send({ type: 'start', runningInFlow: 0 });
      expect(h.state).toBe('SUCCESS');
      expect(h.exec.state.histories.map((x) => x.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
    }
  });

  it('maxConcurrentExecutions: at the cap the execution waits QUEUED (logged once), under it it runs', () => {
    const h = new Harness(flowOf([log('a')]));
    h.send({ type: 'start', runningInFlow: 0, tenantSlots: { running: 2, limit: 2 } });
    expect(h.state).toBe('QUEUED');
    h.send({ type: 'start', runningInFlow: 0, tenantSlots: { running: 3, limit: 2 } });
    expect(h.state).toBe('QUEUED');
    const queuedLogs = h.commands.filter(
      (c) => c.kind === 'log' && c.message.includes('maxConcurrentExecutions'),
    );
    expect(queuedLogs).toHaveLength(1);
    h.send({ type: 'start', runningInFlow: 0, tenantSlots: { running: 1, limit: 2 } });
    expect(h.state).toBe('SUCCESS');
    expect(h.exec.state.histories.map((x) => x.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
  });

  it("maxConcurrentExecutions: a Subflow child runs in its parent's slot, never queued by the cap", () => {
    const h = new Harness(flowOf([log('a')]));
    h.exec.parentId = 'parent';
    h.send({ type: 'start', runningInFlow: 0, tenantSlots: { running: 5, limit: 1 } });
    expect(h.state).toBe('SUCCESS');
  });

  it("a flow's concurrency FAIL still applies before the tenant's cap", () => {
    const h = new Harness(flowOf([log('a')], { concurrency: { limit: 1, behavior: 'FAIL' } }));
    h.send({ type: 'start', runningInFlow: 1, tenantSlots: { running: 0, limit: 5 } });
    expect(h.state).toBe('FAILED');
  });

  it('an execution end emits executionEnded once', () => {
    const h = new Harness(flowOf([log('a')])).run();
    expect(h.commands.filter((c) => c.kind === 'executionEnded')).toHaveLength(1);
  });
});

// Kestra RetryDecisionTest (behavior CREATE_NEW_EXECUTION): the execution's attempts are counted, not the task run's.
describe('decide: retry behavior CREATE_NEW_EXECUTION', () => {
  const newExec = (p: Partial<RetryPolicy> = {}) =>
    retry({ behavior: 'CREATE_NEW_EXECUTION', maxAttempts: 3, intervalMs: 60_000, ...p });

  it('flow retry: the failed task run and the execution become RETRIED, a timer creates the replay', () => {
    const h = new Harness(
      flowOf([log('a'), fail('f')], { retry: newExec(), errors: [log('e')] }),
      failWhen(['f']),
    );
    h.send({ type: 'start', runningInFlow: 0 });
    expect(h.state).toBe('RETRIED');
    expect(h.states()).toEqual({ a: 'SUCCESS', f: 'RETRIED' });
    expect(h.taskRun('f').attempts).toHaveLength(1);
    expect(h.timers).toEqual([
      { taskRunId: h.taskRun('f').id, timer: 'retryFlow', dueAt: Date.parse('2025-01-01T00:01:00.000Z') },
    ]);
    // No errors branch, no end notification: the retry's execution carries on.
    expect(h.commands.some((c) => c.kind === 'executionEnded')).toBe(false);
    h.fireNextTimer();
    expect(h.commands.filter((c) => c.kind === 'retryExecution')).toHaveLength(1);
  });

  it('the last attempt of the chain fails as usual (errors run, end notified)', () => {
    const h = new Harness(flowOf([fail('f')], { retry: newExec(), errors: [log('e')] }), failWhen(['f']));
    h.exec.attemptNumber = 3;
    h.run();
    expect(h.state).toBe('FAILED');
    expect(h.states()).toEqual({ f: 'FAILED', e: 'SUCCESS' });
    expect(h.commands.some((c) => c.kind === 'retryExecution')).toBe(false);
    expect(h.commands.some((c) => c.kind === 'executionEnded')).toBe(true);
  });

  it('maxDuration counts from the first execution of the chain', () => {
    const h = new Harness(
      flowOf([fail('f')], { retry: newExec({ maxAttempts: undefined, maxDurationMs: 100_000 }) }),
      failWhen(['f']),
    );
    h.exec.attemptNumber = 2;
    h.exec.originalCreatedDate = '2024-12-31T23:59:00.000Z'; // 60 s ago: the next try would start 120 s after it, past 100 s
    h.run();
    expect(h.state).toBe('FAILED');
  });

  it.each([
    [
      'task CREATE_NEW_EXECUTION over flow RETRY_FAILED_TASK',
      newExec(),
      retry({ maxAttempts: 5, intervalMs: 0 }),
      'RETRIED',
      1,
    ],
    [
      'task RETRY_FAILED_TASK over flow CREATE_NEW_EXECUTION',
      retry({ maxAttempts: 2, intervalMs: 0 }),
      newExec(),
      'FAILED',
      2,
    ],
  ] as const)('%s', (_name, taskRetry, flowRetry, state, attempts) => {
    const h = new Harness(flowOf([fail('f', { retry: taskRetry })], { retry: flowRetry }), failWhen(['f']));
    h.send({ type: 'start', runningInFlow: 0 });
    while (h.state !== 'RETRIED' && h.fireNextTimer()) {}
    expect(h.state).toBe(state);
    expect(h.taskRun('f').attempts).toHaveLength(attempts);
  });

  it('a non-retryable failure does not create a new execution', () => {
    const h = new Harness(flowOf([fail('f')], { retry: newExec() }), () => 'HANG');
    h.send({ type: 'start', runningInFlow: 0 });
    const tr = h.taskRun('f');
    h.send({ type: 'taskResult', taskRunId: tr.id, attempt: 1, outcome: 'FAILED', nonRetryable: true });
    expect(h.state).toBe('FAILED');
    expect(h.timers).toHaveLength(0);
  });

  it('a retryFlow timer after a kill does nothing', () => {
    const h = new Harness(flowOf([fail('f')], { retry: newExec() }), failWhen(['f']));
    h.send({ type: 'start', runningInFlow: 0 });
    h.exec.state.current = 'KILLED';
    h.fireNextTimer();
    expect(h.commands.some((c) => c.kind === 'retryExecution')).toBe(false);
  });
});
