import type { Condition, Trigger } from '../flow/flow-model.js';
import { parseIsoDuration } from '../flow/iso-duration.js';
import { lookupType } from '../flow/task-registry.js';
import type { ConditionWindow, ConditionWindowStore } from '../ports/condition-windows.js';

const P = 'io.kestra.plugin.core.condition';
export const MULTIPLE_CONDITION = `${P}.MultipleCondition`;
const DAY_MS = 86_400_000;

/** Kestra's `TimeWindow` of a multiple condition (times of day in seconds, UTC). */
export type TimeWindow =
  | { type: 'DURATION_WINDOW'; windowMs: number; advanceMs: number | undefined }
  | { type: 'SLIDING_WINDOW'; windowMs: number }
  | { type: 'DAILY_TIME_WINDOW'; startS: number; endS: number }
  | { type: 'DAILY_TIME_DEADLINE'; deadlineS: number };

/** One test of a multiple condition, named by its key: does it hold for the execution being evaluated? */
export type KeyedTest = { key: string; holds: () => boolean };

/** A multiple condition ready to evaluate: its id (the window's key), window, keyed tests. */
export type MultipleSpec = { id: string; window: TimeWindow; tests: KeyedTest[]; resetOnSuccess: boolean };

/**
 * The window `now` falls in (Kestra's `MultipleConditionStorageInterface.getOrCreate`):
 * a DURATION_WINDOW is aligned on the day, hour or minute multiple of its length, plus
 * `windowAdvance`; a SLIDING_WINDOW starts now; the daily ones span today's times (UTC).
 */
export function windowAt(w: TimeWindow, now: Date): { start: Date; end: Date } {
  const t = now.getTime() - (now.getTime() % 1000);
  const day = t - (t % DAY_MS);
  switch (w.type) {
    case 'DURATION_WINDOW': {
      const n = new Date(t);
      if (w.windowMs >= DAY_MS) n.setUTCHours(0, 0, 0);
      else if (w.windowMs >= 3_600_000) n.setUTCMinutes(0, 0);
      else if (w.windowMs >= 60_000) {
        const minutes = w.windowMs / 60_000;
        n.setUTCMinutes(Math.floor(n.getUTCMinutes() / minutes) * minutes, 0);
      }
      const start = n.getTime() + (w.advanceMs ?? 0);
      return { start: new Date(start), end: new Date(start + w.windowMs - 1) };
    }
    case 'SLIDING_WINDOW':
      return { start: new Date(t), end: new Date(t + w.windowMs) };
    case 'DAILY_TIME_WINDOW':
      return { start: new Date(day + w.startS * 1000), end: new Date(day + w.endS * 1000) };
    case 'DAILY_TIME_DEADLINE':
      return { start: new Date(day), end: new Date(day + w.deadlineS * 1000) };
  }
}

/**
 * Evaluates a multiple condition for one execution: the keys whose test holds
 * are recorded in the current window (kept in `store`, so it spans executions
 * and restarts); answers true when every key has held in that window, and
 * then forgets the window (`resetOnSuccess`, Kestra's default). An execution
 * outside a daily window or after a daily deadline records nothing.
 */
export function evaluateMultiple(
  spec: MultipleSpec,
  store: ConditionWindowStore,
  key: { namespace: string; flowId: string; triggerId: string },
  now: Date,
): boolean {
  const storeKey = {
    namespace: key.namespace,
    flowId: key.flowId,
    conditionId: `${key.triggerId}/${spec.id}`,
  };
  const at = now.getTime();
  const stored = store.get(storeKey);
  let window: ConditionWindow;
  if (stored && Date.parse(stored.start) <= at && at <= Date.parse(stored.end)) window = stored;
  else {
    const { start, end } = windowAt(spec.window, now);
    if (at < start.getTime() || at > end.getTime()) return false;
    window = { start: start.toISOString(), end: end.toISOString(), results: {} };
  }
  const held = spec.tests.filter((t) => window.results[t.key] === undefined && t.holds());
  for (const t of held) window.results[t.key] = now.toISOString();
  const complete = spec.tests.every((t) => window.results[t.key] !== undefined);
  if (held.length === 0 && stored === window) return complete;
  if (complete && spec.resetOnSuccess) store.delete(storeKey);
  else store.save(storeKey, window);
  return complete;
}

/** A `window` / `windowAdvance` / `timeWindow` block as a TimeWindow (already checked at save). */
export function parseTimeWindow(props: Record<string, unknown>): TimeWindow {
  const tw = (props.timeWindow ?? {}) as Record<string, unknown>;
  const ms = (v: unknown) => (typeof v === 'string' ? parseIsoDuration(v) : undefined);
  const seconds = (v: unknown) => {
    const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(String(v));
    return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : 0;
  };
  const type = String(tw.type ?? 'DURATION_WINDOW');
  if (type === 'SLIDING_WINDOW') return { type, windowMs: ms(tw.window) ?? DAY_MS };
  if (type === 'DAILY_TIME_WINDOW') return { type, startS: seconds(tw.startTime), endS: seconds(tw.endTime) };
  if (type === 'DAILY_TIME_DEADLINE') return { type, deadlineS: seconds(tw.deadline) };
  return {
    type: 'DURATION_WINDOW',
    windowMs: ms(tw.window ?? props.window) ?? DAY_MS,
    advanceMs: ms(tw.windowAdvance ?? props.windowAdvance),
  };
}

/** A condition written in YAML (`{type, ...props}`) as the registry names it. */
export function asCondition(x: Record<string, unknown>): Condition {
  const { type, ...props } = x;
  const t = String(type);
  return { type: lookupType(t, 'condition')?.type ?? t, props };
}

/** The multiple conditions of a Flow trigger: its MultipleCondition conditions and its `preconditions`. */
export function isMultiple(c: Condition): boolean {
  return c.type === MULTIPLE_CONDITION;
}

/** The `preconditions` block of a Flow trigger, if any. */
export function preconditionsOf(trigger: Trigger): Record<string, unknown> | undefined {
  const p = trigger.props.preconditions;
  return p && typeof p === 'object' ? (p as Record<string, unknown>) : undefined;
}
