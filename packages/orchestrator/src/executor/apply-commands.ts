import type { Flow } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import type { EngineStores } from '../ports/engine-stores.js';
import type { Job } from '../ports/job-queue.js';
import type { Command } from './events.js';
import type { ExecutorHooks } from './executor-hooks.js';

/** What one committed decision leaves for after the commit: jobs queued, attempts to abort, jobs leased. */
export type Committed = { execution: Execution; jobs: number; aborts: string[]; leased: Job[] };

export type ApplyDeps = {
  stores: EngineStores;
  hooks: ExecutorHooks | undefined;
  /** A lease for a job queued now, while the worker has a free slot (the job is stored claimed). */
  lease: (() => { owner: string; until: number } | undefined) | undefined;
  /** The tenant's `maxConcurrentExecutions` slot of an ended execution goes to the oldest QUEUED one. */
  releaseTenantSlot: (() => void) | undefined;
};

/**
 * Applies the commands of one decision of `next` (jobs, timers, aborts,
 * logs, follow-up events, hooks), inside the decision's transaction.
 *
 * @example
 * const committed = applyCommands(d.commands, d.execution, flow, now, { stores, hooks, lease: undefined, releaseTenantSlot: undefined });
 */
export function applyCommands(
  commands: readonly Command[],
  next: Execution,
  flow: Flow,
  now: Date,
  o: ApplyDeps,
): Committed {
  const { executions, events, jobs, timers, logs } = o.stores;
  let jobCount = 0;
  const aborts: string[] = [];
  const leased: Job[] = [];
  for (const c of commands) {
    switch (c.kind) {
      case 'runTask': {
        const job = jobs.enqueue(
          next.id,
          c.taskRunId,
          c.attempt,
          {
            taskId: c.taskId,
            task: c.task,
            variables: c.variables,
            namespace: next.namespace,
            flowId: next.flowId,
            ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}),
          },
          o.lease?.(),
        );
        if (job) leased.push(job);
        jobCount++;
        break;
      }
      case 'setTimer':
        timers.set(next.id, c.taskRunId, c.timer, Date.parse(c.dueAt));
        break;
      case 'cancelTimers':
        if (c.taskRunIds) for (const id of c.taskRunIds) timers.cancelTaskRun(id);
        else timers.cancelExecution(next.id);
        break;
      case 'abortTask': {
        const attempt = jobs.dropQueued(c.taskRunId);
        if (attempt !== undefined) {
          events.append(next.id, {
            type: 'taskResult',
            taskRunId: c.taskRunId,
            attempt,
            outcome: 'KILLED',
          });
        } else aborts.push(c.taskRunId);
        break;
      }
      case 'log':
        logs.append({
          executionId: next.id,
          namespace: next.namespace,
          flowId: next.flowId,
          taskId: c.taskId,
          taskRunId: c.taskRunId,
          attempt: c.attempt,
          level: c.level,
          timestamp: now.toISOString(),
          message: c.message,
        });
        break;
      case 'executionEnded': {
        o.hooks?.executionEnded?.(next, flow);
        if (flow.concurrency) {
          const queued = executions.oldestQueued(next.namespace, next.flowId);
          if (queued) events.append(queued, { type: 'start', runningInFlow: 0 });
        }
        o.releaseTenantSlot?.();
        break;
      }
      case 'continue':
        events.append(next.id, { type: 'continue' });
        break;
      case 'createSubflow':
        o.hooks?.createSubflow?.(next, c);
        break;
      case 'killExecution':
        o.hooks?.killExecution?.(c.executionId);
        break;
      case 'createForEachItem':
        o.hooks?.createForEachItem?.(next, c);
        break;
      case 'restartExecutions':
        o.hooks?.restartExecutions?.(c.executionIds);
        break;
      case 'retryExecution':
        o.hooks?.retryExecution?.(next);
        break;
    }
  }
  return { execution: next, jobs: jobCount, aborts, leased };
}
