import { type ExecutionJson, isTerminal, type TaskRunJson } from '@silo/contracts';
import type { Execution, TaskRun } from './execution.js';
import { stateJson } from './state.js';

/*
 * The mappers from the engine's model to the wire shapes of the executions
 * API. The shapes themselves (zod schemas and types) live in
 * `@silo/contracts` (`api/executions.ts`), where tests, the console and other
 * dialects read them too.
 */

/** The execution as Kestra's API answers it (internal fields dropped, state dates derived). */
export function executionJson(execution: Execution, now: Date): ExecutionJson {
  return {
    id: execution.id,
    namespace: execution.namespace,
    flowId: execution.flowId,
    flowRevision: execution.flowRevision,
    labels: execution.labels,
    taskRunList: execution.taskRunList.map((t) => taskRunJson(t, now)),
    inputs: execution.inputs,
    ...(execution.outputs ? { outputs: execution.outputs } : {}),
    state: stateJson(execution.state, isTerminal(execution.state.current), now),
    ...(execution.parentId ? { parentId: execution.parentId } : {}),
    ...(execution.originalId ? { originalId: execution.originalId } : {}),
    ...(execution.trigger ? { trigger: execution.trigger } : {}),
    ...(execution.scheduleDate ? { scheduleDate: execution.scheduleDate } : {}),
    deleted: false,
    metadata: {
      attemptNumber: execution.attemptNumber ?? 1,
      originalCreatedDate: execution.originalCreatedDate ?? execution.state.histories[0]?.date,
    },
  };
}

/** One task run as Kestra's API answers it. */
export function taskRunJson(t: TaskRun, now: Date): TaskRunJson {
  return {
    id: t.id,
    executionId: t.executionId,
    namespace: t.namespace,
    flowId: t.flowId,
    taskId: t.taskId,
    ...(t.parentTaskRunId ? { parentTaskRunId: t.parentTaskRunId } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.iteration !== undefined ? { iteration: t.iteration } : {}),
    attempts: t.attempts.map((a) => ({
      state: stateJson(a.state, isTerminal(a.state.current), now),
      ...(a.workerId ? { workerId: a.workerId } : {}),
    })),
    outputs: t.outputs ?? null,
    state: stateJson(t.state, isTerminal(t.state.current), now),
  };
}
