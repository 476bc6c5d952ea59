import type { TaskLogLevel } from '../flow/flow-model.js';
import type { Clock } from '../ports/clock.js';
import type { Expressions } from '../ports/expressions.js';
import type { Job } from '../ports/job-queue.js';
import { LEVEL_NO, type LogRow } from '../ports/log-store.js';
import { LogBudget, StorageQuota } from '../quota/storage-quota.js';
import type { AttemptAbort } from './attempt-abort.js';
import type { RunContext, TaskServices } from './runnable-task.js';

/** Masks secret values in what an attempt leaves behind (logs, outputs, error, labels). */
export type Masker = { maskText(text: string): string; mask<T>(value: T): T };

/** What one attempt collects while it runs, committed with its result. */
export type AttemptRecord = {
  logs: LogRow[];
  labels: Array<{ key: string; value: string }> | undefined;
  /** Task logs count towards the storage quota: past it they are dropped and `logBudget.error` is set. */
  logBudget: LogBudget;
};

/**
 * The `RunContext` of one attempt of `job`: rendering with its variables,
 * logs filtered by the task's `logLevel` (masked, stamped by the clock) and
 * `setLabels`, both collected in the returned record.
 *
 * @example
 * const { ctx, record } = attemptContext(job, new AttemptAbort(), { expressions, clock, dataDir });
 * await task.run(job.payload.task, ctx); record.logs; // the lines to commit
 */
export function attemptContext(
  job: Job,
  abort: AttemptAbort,
  o: {
    expressions: Expressions;
    clock: Clock;
    dataDir: string;
    services?: Omit<TaskServices, 'setLabels'> | undefined;
    mask?: Masker | undefined;
  },
): { ctx: RunContext; record: AttemptRecord } {
  const { payload } = job;
  const record: AttemptRecord = {
    logs: [],
    labels: undefined,
    logBudget: new LogBudget(StorageQuota.of(o.dataDir)),
  };
  const minLevel = LEVEL_NO[(payload.task.logLevel ?? 'TRACE') as TaskLogLevel];
  const vars = payload.variables;
  const ctx: RunContext = {
    // Made on first use: most tasks never read it (attempt-abort.ts).
    get signal() {
      return abort.signal;
    },
    render: (t) => o.expressions.render(t, vars),
    renderValue: (v) => o.expressions.renderValue(v, vars),
    log: (level, raw) => {
      if (LEVEL_NO[level] < minLevel) return;
      const message = o.mask ? o.mask.maskText(raw) : raw;
      if (!record.logBudget.admit(message)) return;
      record.logs.push({
        executionId: job.executionId,
        namespace: payload.namespace,
        flowId: payload.flowId,
        taskId: payload.taskId,
        taskRunId: job.taskRunId,
        attempt: job.attempt,
        level,
        timestamp: o.clock.now().toISOString(),
        message,
      });
    },
    executionId: job.executionId,
    taskRunId: job.taskRunId,
    namespace: payload.namespace,
    flowId: payload.flowId,
    attempt: job.attempt,
    dataDir: o.dataDir,
    variables: vars,
    services: {
      ...o.services,
      setLabels: (l) => {
        record.labels = o.mask ? o.mask.mask(l) : l;
      },
    },
  };
  return { ctx, record };
}
