import { isTerminal, type StateType } from '@silo/contracts';
import type { Flow, Task } from '../flow/flow-model.js';
import type { Branch, Execution, TaskRun } from '../model/execution.js';
import { endState } from '../model/final-state.js';
import { initialState } from '../model/state.js';
import { transition } from '../model/transitions.js';
import type { Expressions } from '../ports/expressions.js';
import type { Command } from './events.js';
import { withLoopVariables } from './loop-vars.js';
import { SLEEP_TYPE, type TaskPlace, taskIndex } from './task-index.js';
import { executionVariables, taskRunVariables } from './variables.js';

/** What `decide` needs besides its data; all deterministic in tests. */
export type DecideDeps = {
  /** New task run ids. */
  newId(): string;
  expressions: Expressions;
  /** Jitter of `random` retries. @default Math.random */
  random?: () => number;
  /** The folder shared by the tasks of a WorkingDirectory task run (`{{ workingDir }}`); absent: no such variable. */
  workingDir?: (executionId: string, workingDirectoryTaskRunId: string) => string;
};

const WORKING_DIRECTORY = 'io.kestra.plugin.core.flow.WorkingDirectory';

/** Where new child task runs go: under `parent`, with the iteration `value`/`iteration`. */
export type Scope = { parent?: TaskRun; value?: string; iteration?: number };

/**
 * The working state of one decision: a private copy of the execution, task
 * runs by id and by place, the commands so far, the ids of changed task runs.
 */
export class DecisionContext {
  readonly exec: Execution;
  readonly index: Map<string, TaskPlace>;
  readonly commands: Command[] = [];
  readonly changed = new Set<string>();
  readonly byId = new Map<string, TaskRun>();
  private readonly byPlace = new Map<string, TaskRun>();
  private baseVars: Record<string, unknown> | undefined;

  constructor(
    readonly flow: Flow,
    execution: Execution,
    readonly now: Date,
    readonly deps: DecideDeps,
    /** `execution` is the caller's private copy: changed in place instead of cloned. */
    owned = false,
  ) {
    this.exec = owned ? execution : structuredClone(execution);
    this.index = taskIndex(flow);
    for (const tr of this.exec.taskRunList) this.track(tr);
  }

  private track(tr: TaskRun): void {
    this.byId.set(tr.id, tr);
    this.byPlace.set(placeKey(tr.parentTaskRunId, tr.taskId, tr.value, tr.iteration), tr);
  }

  /** Rebuilds the lookups after task runs were removed (restart). */
  retrack(): void {
    this.byId.clear();
    this.byPlace.clear();
    for (const tr of this.exec.taskRunList) this.track(tr);
  }

  task(taskId: string): Task | undefined {
    return this.index.get(taskId)?.task;
  }

  find(taskId: string, scope: Scope): TaskRun | undefined {
    return this.byPlace.get(placeKey(scope.parent?.id, taskId, scope.value, scope.iteration));
  }

  /** Children of a task run (any branch). */
  children(parent: TaskRun): TaskRun[] {
    return this.exec.taskRunList.filter((t) => t.parentTaskRunId === parent.id);
  }

  /** A new task run in CREATED. */
  create(task: Task, scope: Scope, branch: Branch): TaskRun {
    const tr: TaskRun = {
      id: this.deps.newId(),
      executionId: this.exec.id,
      namespace: this.exec.namespace,
      flowId: this.exec.flowId,
      taskId: task.id,
      ...(scope.parent ? { parentTaskRunId: scope.parent.id } : {}),
      ...(scope.value !== undefined ? { value: scope.value } : {}),
      ...(scope.iteration !== undefined ? { iteration: scope.iteration } : {}),
      attempts: [],
      outputs: null,
      state: initialState('CREATED', this.now),
      branch,
    };
    this.exec.taskRunList.push(tr);
    this.track(tr);
    this.touch(tr);
    this.baseVars = undefined;
    return tr;
  }

  touch(tr: TaskRun): void {
    this.changed.add(tr.id);
  }

  /** Guarded move of a task run. */
  move(tr: TaskRun, to: StateType): void {
    if (tr.state.current === to) return;
    tr.state = transition('taskRun', tr.state, to, this.now);
    this.touch(tr);
    if (isTerminal(to)) this.baseVars = undefined;
  }

  /** Guarded move of the execution. */
  moveExecution(to: StateType): void {
    if (this.exec.state.current === to) return;
    this.exec.state = transition('execution', this.exec.state, to, this.now);
    this.baseVars = undefined;
  }

  /** Ends a task run, applying `allowFailure`, `allowWarning` and `warningOnRetry`. */
  end(tr: TaskRun, task: Task, raw: StateType): void {
    let s = raw;
    if (s === 'SUCCESS' && tr.attempts.length > 1 && this.retryPolicy(task)?.warningOnRetry) s = 'WARNING';
    s = endState(s, task);
    this.move(tr, s);
  }

  /** The retry that applies to a failed task run: its own, else the flow's (Kestra's precedence), whatever its behavior. */
  retryPolicy(task: Task) {
    return task.retry ?? this.flow.retry;
  }

  log(level: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', message: string, tr?: TaskRun): void {
    this.commands.push({
      kind: 'log',
      level,
      message,
      ...(tr ? { taskRunId: tr.id, taskId: tr.taskId, attempt: Math.max(1, tr.attempts.length) } : {}),
    });
  }

  /** Variables of the execution (cached until a task run ends or is created). */
  executionVars(): Record<string, unknown> {
    this.baseVars ??= executionVariables(this.flow, this.exec, this.byId, (id) => this.task(id));
    return this.baseVars;
  }

  varsFor(tr: TaskRun, task: Task, attemptsCount = tr.attempts.length): Record<string, unknown> {
    const vars = withLoopVariables(
      taskRunVariables(this.executionVars(), tr, task, this.byId, attemptsCount),
      tr,
      this.exec.taskRunList,
      this.byId,
      (id) => this.task(id),
    );
    // Inside a WorkingDirectory, every task shares its folder: Kestra's `{{ workingDir }}`.
    for (let p = this.byId.get(tr.parentTaskRunId ?? ''); p && this.deps.workingDir; ) {
      if (this.task(p.taskId)?.type === WORKING_DIRECTORY)
        return { ...vars, workingDir: this.deps.workingDir(this.exec.id, p.id) };
      p = p.parentTaskRunId ? this.byId.get(p.parentTaskRunId) : undefined;
    }
    return vars;
  }

  render(template: string, tr: TaskRun, task: Task): string {
    return this.deps.expressions.render(template, this.varsFor(tr, task));
  }

  isSleep(task: Task): boolean {
    return task.type === SLEEP_TYPE;
  }
}

function placeKey(
  parentId: string | undefined,
  taskId: string,
  value: string | undefined,
  iteration?: number,
): string {
  return `${parentId ?? ''}\u0000${taskId}\u0000${value ?? ''}\u0000${iteration ?? ''}`;
}

/** The message of an unknown thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
