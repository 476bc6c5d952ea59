import type { Flow, Task } from '../flow/flow-model.js';
import { createExecution, type Execution } from '../model/execution.js';
import type { Expressions } from '../ports/expressions.js';
import { decide } from './decide.js';
import type { Command, ExecutorEvent, TimerKind } from './events.js';

/**
 * A tiny strict renderer for decision tests: `{{ a.b }}` path lookups and
 * `{{ 'x' }}` literals; an undefined path throws. The real engine is `template/`.
 */
export const pathExpressions: Expressions = {
  render(template, vars) {
    return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
      if (/^'.*'$/.test(expr)) return expr.slice(1, -1);
      let node: unknown = vars;
      for (const part of expr.split('.')) {
        if (node === null || typeof node !== 'object' || !(part in (node as object))) {
          throw new Error(`Unable to find \`${part}\` used in the expression \`{{${expr}}}\``);
        }
        node = (node as Record<string, unknown>)[part];
      }
      return typeof node === 'string' ? node : JSON.stringify(node);
    });
  },
  renderValue(value, vars) {
    if (typeof value === 'string') return this.render(value, vars);
    if (Array.isArray(value)) return value.map((v) => this.renderValue(v, vars));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderValue(v, vars)]));
    }
    return value;
  },
};

export function task(
  id: string,
  type: string,
  props: Record<string, unknown> = {},
  extra: Partial<Task> = {},
): Task {
  return { id, type, disabled: false, allowFailure: false, allowWarning: false, props, ...extra };
}

const T = 'io.kestra.plugin.core.';
export const log = (id: string, extra: Partial<Task> = {}) => task(id, `${T}log.Log`, { message: id }, extra);
export const fail = (id: string, extra: Partial<Task> = {}) => task(id, `${T}execution.Fail`, {}, extra);
export const flowable = (
  kind: string,
  id: string,
  props: Record<string, unknown>,
  extra: Partial<Task> = {},
) => task(id, `${T}flow.${kind}`, props, extra);

export function flowOf(tasks: Task[], extra: Partial<Flow> = {}): Flow {
  return {
    id: 'f',
    namespace: 'ns',
    revision: 1,
    labels: [],
    inputs: [],
    variables: {},
    tasks,
    errors: [],
    finally: [],
    afterExecution: [],
    triggers: [],
    outputs: [],
    disabled: false,
    pluginDefaults: [],
    ...extra,
  };
}

/** What the fake worker answers for one attempt. */
export type Outcome = 'SUCCESS' | 'WARNING' | 'FAILED' | { outputs: Record<string, unknown> } | 'HANG';

/**
 * Drives `decide` like the real loop, with a manual clock: runs every
 * `runTask` through `worker(taskId, attempt)`, fires timers in due order
 * (advancing the clock), and records every decision.
 */
export class Harness {
  now = new Date('2025-01-01T00:00:00.000Z');
  exec: Execution;
  commands: Command[] = [];
  timers: Array<{ taskRunId: string; timer: TimerKind; dueAt: number }> = [];
  hanging: Array<{ taskRunId: string; attempt: number }> = [];
  private ids = 0;
  private queue: ExecutorEvent[] = [];

  constructor(
    readonly flow: Flow,
    readonly worker: (taskId: string, attempt: number) => Outcome = () => 'SUCCESS',
    inputs: Record<string, unknown> = {},
  ) {
    this.exec = createExecution(
      { id: 'e1', namespace: flow.namespace, flowId: flow.id, flowRevision: 1, inputs, labels: [] },
      this.now,
    );
  }

  send(event: ExecutorEvent): void {
    this.queue.push(event);
    this.drain();
  }

  /** Processes queued events until quiet (timers not fired). */
  drain(): void {
    for (let guard = 0; guard < 10_000 && this.queue.length > 0; guard++) {
      const event = this.queue.shift()!;
      const d = decide(this.flow, this.exec, event, this.now, {
        newId: () => `tr${++this.ids}`,
        expressions: pathExpressions,
        random: () => 0.5,
      });
      this.exec = d.execution;
      this.commands.push(...d.commands);
      for (const c of d.commands) this.applyCommand(c);
    }
  }

  private applyCommand(c: Command): void {
    switch (c.kind) {
      case 'runTask': {
        const o = this.worker(c.taskId, c.attempt);
        if (o === 'HANG') this.hanging.push({ taskRunId: c.taskRunId, attempt: c.attempt });
        else if (typeof o === 'string') {
          this.queue.push({ type: 'taskResult', taskRunId: c.taskRunId, attempt: c.attempt, outcome: o });
        } else {
          this.queue.push({
            type: 'taskResult',
            taskRunId: c.taskRunId,
            attempt: c.attempt,
            outcome: 'SUCCESS',
            outputs: o.outputs,
          });
        }
        return;
      }
      case 'setTimer':
        this.timers.push({ taskRunId: c.taskRunId, timer: c.timer, dueAt: Date.parse(c.dueAt) });
        return;
      case 'cancelTimers':
        this.timers = c.taskRunIds ? this.timers.filter((t) => !c.taskRunIds!.includes(t.taskRunId)) : [];
        return;
      case 'abortTask': {
        const h = this.hanging.find((x) => x.taskRunId === c.taskRunId);
        if (h)
          this.queue.push({
            type: 'taskResult',
            taskRunId: h.taskRunId,
            attempt: h.attempt,
            outcome: 'KILLED',
          });
        return;
      }
      case 'continue':
        this.queue.push({ type: 'continue' });
        return;
      default:
        return;
    }
  }

  /** Fires the earliest timer, moving the clock to its due time. */
  fireNextTimer(): boolean {
    this.timers.sort((a, b) => a.dueAt - b.dueAt);
    const t = this.timers.shift();
    if (!t) return false;
    this.now = new Date(Math.max(this.now.getTime(), t.dueAt));
    this.send({ type: 'timer', taskRunId: t.taskRunId, kind: t.timer });
    return true;
  }

  /** Starts and runs to quiet, firing timers while any are left. */
  run(): this {
    this.send({ type: 'start', runningInFlow: 0 });
    while (this.fireNextTimer()) {}
    return this;
  }

  get state() {
    return this.exec.state.current;
  }

  taskRun(taskId: string, value?: string) {
    const tr = this.exec.taskRunList.find(
      (t) => t.taskId === taskId && (value === undefined || t.value === value),
    );
    if (!tr) throw new Error(`no task run for ${taskId}`);
    return tr;
  }

  states(): Record<string, string> {
    return Object.fromEntries(
      this.exec.taskRunList.map((t) => [
        `${t.taskId}${t.value !== undefined ? `@${t.value}` : ''}`,
        t.state.current,
      ]),
    );
  }
}
