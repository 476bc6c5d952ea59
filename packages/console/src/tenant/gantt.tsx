import { useEffect, useState } from 'preact/hooks';
import type { Execution, StateBlock, TaskRun } from '../types';
import { durationMs, stateClass } from '../ui';

const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED', 'RETRIED']);
export const isTerminal = (state: string): boolean => TERMINAL.has(state);

/** Start and end (ms) of a state block; an open block ends `now`. */
export function span(state: StateBlock, now: number): { start: number; end: number } {
  const dates = (state.histories ?? []).map((h) => Date.parse(h.date)).filter((d) => !Number.isNaN(d));
  const start = state.startDate ? Date.parse(state.startDate) : (dates[0] ?? now);
  const end = state.endDate
    ? Date.parse(state.endDate)
    : isTerminal(state.current)
      ? (dates[dates.length - 1] ?? now)
      : now;
  return { start, end: Math.max(end, start) };
}

/** A clock that ticks every `ms` while `running`, so open bars grow. */
function useNow(running: boolean, ms = 500): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [running, ms]);
  return running ? now : Date.now();
}

/** The label of a task run: its task id, and the iteration value when it has one. */
const runLabel = (tr: TaskRun) => (tr.value ? `${tr.taskId} [${tr.value}]` : tr.taskId);

/**
 * A Gantt chart of the execution's task runs: one bar per task run from its
 * start to its end (growing while it runs), split into its attempts,
 * coloured by state. A list, so that each bar is an item people (and tests)
 * can count and read.
 */
export function Gantt({ execution }: { execution: Execution }) {
  const runs = execution.taskRunList ?? [];
  const now = useNow(!isTerminal(execution.state.current));
  const whole = span(execution.state, now);
  const total = Math.max(whole.end - whole.start, 1);
  const pct = (t: number) => `${(((t - whole.start) / total) * 100).toFixed(2)}%`;
  if (runs.length === 0) return <p class="muted">No task run yet.</p>;
  return (
    <ol class="gantt" aria-label="Task runs timeline">
      {runs.map((tr) => {
        const s = span(tr.state, now);
        const attempts = tr.attempts ?? [];
        return (
          <li key={tr.id} aria-label={`${runLabel(tr)}: ${tr.state.current}, ${durationMs(s.end - s.start)}`}>
            <span>{runLabel(tr)}</span>
            <span class="track">
              <span
                class={`bar ${stateClass(tr.state.current)}`}
                style={{ left: pct(s.start), width: `${(((s.end - s.start) / total) * 100).toFixed(2)}%` }}
                title={`${tr.state.current}${attempts.length > 1 ? `, ${attempts.length} attempts` : ''}`}
              >
                {attempts.length > 1
                  ? attempts.map((a, i) => (
                      <span key={i} class="attempt" title={`attempt ${i + 1}: ${a.state.current}`} />
                    ))
                  : null}
              </span>
            </span>
            <span class="muted">{durationMs(s.end - s.start)}</span>
          </li>
        );
      })}
    </ol>
  );
}
