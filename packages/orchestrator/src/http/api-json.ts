import { type ExecutionJson, isTerminal } from '@silo/contracts';
import type { Context } from 'hono';
import type { Execution, TaskRun } from '../model/execution.js';
import { executionJson } from '../model/execution-json.js';
import { stateJson } from '../model/state.js';
import { dialectOf, tenantOf } from './dialect.js';

/*
 * Kestra 2.0's execution shapes (CHANGES.md B.2, kestra-ee-2.0.0-snapshot.yml),
 * mapped from the same model as 1.3's `executionJson`. Task-run outputs are
 * not inside 2.0 executions: clients read them from `/outputs/{executionId}`.
 */

/** 2.0 `ApiTaskRun`: no `executionId`, `namespace`, `flowId`, `outputs`. */
export function apiTaskRunJson(t: TaskRun, now: Date): Record<string, unknown> {
  return {
    id: t.id,
    taskId: t.taskId,
    ...(t.parentTaskRunId ? { parentTaskRunId: t.parentTaskRunId } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.iteration !== undefined ? { iteration: t.iteration } : {}),
    attempts: t.attempts.map((a) => ({
      state: stateJson(a.state, isTerminal(a.state.current), now),
      ...(a.workerId ? { workerId: a.workerId } : {}),
    })),
    state: stateJson(t.state, isTerminal(t.state.current), now),
  };
}

/**
 * 2.0 `Execution` (the answer of `/actions/*`, create, follow): 1.3's body
 * with `originalId` always set (2.0 requires it; an execution that is not a
 * replay is its own original, as in Kestra) and task runs without `outputs`.
 */
export function execution20Json(e: Execution, now: Date): ExecutionJson {
  const base = executionJson(e, now);
  return {
    ...base,
    originalId: base.originalId ?? e.id,
    taskRunList: base.taskRunList.map(({ outputs: _dropped, ...t }) => t) as ExecutionJson['taskRunList'],
  };
}

/** 2.0 `ApiLightExecution` (search results): no task runs, variables, metadata or `deleted`; with `tenantId`. */
export function apiLightExecutionJson(e: Execution, tenantId: string, now: Date): Record<string, unknown> {
  const base = executionJson(e, now);
  return {
    tenantId,
    id: base.id,
    namespace: base.namespace,
    flowId: base.flowId,
    flowRevision: base.flowRevision,
    inputs: base.inputs,
    ...(base.outputs ? { outputs: base.outputs } : {}),
    labels: base.labels,
    state: base.state,
    ...(base.parentId ? { parentId: base.parentId } : {}),
    originalId: base.originalId ?? e.id,
    ...(base.trigger ? { trigger: base.trigger } : {}),
    ...(base.scheduleDate ? { scheduleDate: base.scheduleDate } : {}),
  };
}

/** 2.0 `ApiExecution` (`GET /executions/{id}`): the light fields plus `ApiTaskRun`s and `metadata`; no `deleted`. */
export function apiExecutionJson(e: Execution, tenantId: string, now: Date): Record<string, unknown> {
  return {
    ...apiLightExecutionJson(e, tenantId, now),
    taskRunList: e.taskRunList.map((t) => apiTaskRunJson(t, now)),
    metadata: executionJson(e, now).metadata,
  };
}

/**
 * An execution on a path both dialects share (`GET /executions/{id}`):
 * `ApiExecution` on a 2.0 instance, 1.3's `Execution` on a 1.3 one.
 *
 * @example
 * api.get('/executions/:id', (c) => c.json(executionFor(c, find(c.req.param('id')))));
 */
export function executionFor(c: Context, e: Execution): unknown {
  const now = new Date();
  return dialectOf(c) === '2.0' ? apiExecutionJson(e, tenantOf(c), now) : executionJson(e, now);
}

/** A search result on a shared path: `ApiLightExecution` on 2.0, 1.3's full `Execution` on 1.3. */
export function searchItemFor(c: Context): (e: Execution) => unknown {
  const now = new Date();
  const tenantId = tenantOf(c);
  return dialectOf(c) === '2.0'
    ? (e) => apiLightExecutionJson(e, tenantId, now)
    : (e) => executionJson(e, now);
}
