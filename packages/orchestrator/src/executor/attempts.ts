import { isTerminal } from '@silo/contracts';
import type { Task } from '../flow/flow-model.js';
import type { TaskRun } from '../model/execution.js';
import type { DecisionContext } from './decision-context.js';

/** Ends the task run's current attempt in `to`, unless it has already ended. */
export function closeAttempt(
  ctx: DecisionContext,
  tr: TaskRun,
  to: 'SUCCESS' | 'WARNING' | 'FAILED' | 'KILLED',
): void {
  const a = tr.attempts[tr.attempts.length - 1];
  if (!a || isTerminal(a.state.current)) return;
  a.state = { current: to, histories: [...a.state.histories, { state: to, date: ctx.now.toISOString() }] };
  ctx.touch(tr);
}

/** Fails the current attempt and the task run with a logged reason, without retry (e.g. a property that cannot be read). */
export function failAttempt(ctx: DecisionContext, tr: TaskRun, task: Task, message: string): void {
  ctx.log('ERROR', message, tr);
  closeAttempt(ctx, tr, 'FAILED');
  ctx.end(tr, task, 'FAILED');
}
