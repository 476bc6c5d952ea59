import { isTerminal } from '@silo/contracts';
import { createExecution, type Execution, type TaskRun } from '../model/execution.js';
import { mergeLabels } from '../model/labels.js';

/**
 * Kestra's replay, as a pure function: a new execution from `original`,
 * restarted from `taskRunId` when given (the terminal task runs of the main
 * branch before it are kept with new ids, its ancestors set back to RUNNING),
 * or from the start. Also the next attempt of a flow retry with behavior
 * CREATE_NEW_EXECUTION. The caller stores it with a `start` event.
 *
 * @example
 * const next = replayExecution(failed, failed.taskRunList[2]!.id, { newId, now: new Date() });
 * next.parentId === failed.id; // true; labels include system.restarted=true
 */
export function replayExecution(
  original: Execution,
  taskRunId: string | undefined,
  deps: { newId(): string; now: Date },
): Execution {
  const id = deps.newId();
  const taskRunList = taskRunId ? keptTaskRuns(original.taskRunList, taskRunId, id, deps) : [];
  return {
    ...createExecution(
      {
        id,
        namespace: original.namespace,
        flowId: original.flowId,
        flowRevision: original.flowRevision,
        inputs: original.inputs,
        // Kestra's replay marks the new execution `system.restarted: true`.
        labels: mergeLabels(original.labels, [{ key: 'system.restarted', value: 'true' }]),
        parentId: original.id,
        originalId: original.originalId ?? original.id,
        ...(original.trigger ? { trigger: original.trigger } : {}),
      },
      deps.now,
    ),
    taskRunList,
    // Kestra `metadata.nextAttempt()`: one more attempt, same original creation date.
    attemptNumber: (original.attemptNumber ?? 1) + 1,
    originalCreatedDate: original.originalCreatedDate ?? original.state.histories[0]!.date,
  };
}

/** The task runs a replay from `taskRunId` keeps, copied under new ids into execution `executionId`. */
function keptTaskRuns(
  all: TaskRun[],
  taskRunId: string,
  executionId: string,
  deps: { newId(): string; now: Date },
): TaskRun[] {
  const index = all.findIndex((t) => t.id === taskRunId);
  if (index < 0) return [];
  const ancestors = new Set<string>();
  let cur = all[index];
  while (cur?.parentTaskRunId) {
    ancestors.add(cur.parentTaskRunId);
    cur = all.find((t) => t.id === cur!.parentTaskRunId);
  }
  const keep = all
    .slice(0, index)
    .filter((t) => isTerminal(t.state.current) || ancestors.has(t.id))
    .filter((t) => t.branch === 'tasks');
  const idMap = new Map<string, string>();
  for (const t of keep) idMap.set(t.id, deps.newId());
  const now = deps.now.toISOString();
  return keep
    .filter((t) => !t.parentTaskRunId || idMap.has(t.parentTaskRunId))
    .map((t) => {
      const copy = structuredClone(t);
      copy.id = idMap.get(t.id)!;
      copy.executionId = executionId;
      if (t.parentTaskRunId) copy.parentTaskRunId = idMap.get(t.parentTaskRunId)!;
      if (ancestors.has(t.id)) {
        copy.state = { current: 'RUNNING', histories: [{ state: 'RUNNING', date: now }] };
      }
      return copy;
    });
}
