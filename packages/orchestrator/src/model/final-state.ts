import type { StateType } from '@silo/contracts';

/**
 * Kestra's `Execution.guessFinalState` over the task runs of one branch (the
 * `tasks` branch only; `errors` and `finally` never change the outcome):
 * KILLED, then FAILED, then WARNING, then PAUSED, else SUCCESS. SKIPPED and
 * CANCELLED count as success. `allowFailure`/`allowWarning` are already
 * applied to each task run's own state when it ended (see `endState`).
 *
 * @example
 * finalState(['SUCCESS', 'WARNING']); // 'WARNING'
 */
export function finalState(
  states: Iterable<StateType>,
): 'KILLED' | 'FAILED' | 'WARNING' | 'PAUSED' | 'SUCCESS' {
  let killed = false;
  let failed = false;
  let warning = false;
  let paused = false;
  for (const s of states) {
    if (s === 'KILLED') killed = true;
    else if (s === 'FAILED') failed = true;
    else if (s === 'WARNING') warning = true;
    else if (s === 'PAUSED') paused = true;
  }
  if (killed) return 'KILLED';
  if (failed) return 'FAILED';
  if (warning) return 'WARNING';
  if (paused) return 'PAUSED';
  return 'SUCCESS';
}

/**
 * The state a task run ends in, given the raw outcome and the task's flags:
 * `allowFailure` turns FAILED into WARNING, and `allowWarning` turns WARNING
 * into SUCCESS (Kestra `TaskRun`/`ExecutorService` rules).
 *
 * @example
 * endState('FAILED', { allowFailure: true, allowWarning: false }); // 'WARNING'
 */
export function endState(raw: StateType, flags: { allowFailure: boolean; allowWarning: boolean }): StateType {
  let s = raw;
  if (s === 'FAILED' && flags.allowFailure) s = 'WARNING';
  if (s === 'WARNING' && flags.allowWarning) s = 'SUCCESS';
  return s;
}
