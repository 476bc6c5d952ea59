import type { Flow, Trigger } from '../flow/flow-model.js';
import { parseIsoDuration } from '../flow/iso-duration.js';
import type { Execution } from '../model/execution.js';
import type { ExecutionStore } from '../ports/execution-store.js';
import { isTruthy } from '../template/index.js';

/** One `dependsOn` entry of a Kestra 2.0 Flow trigger; every field optional. */
type Entry = {
  namespace?: string;
  flowId?: string;
  states?: string[];
  labels?: Record<string, unknown> | Array<{ key: string; value: unknown }>;
  when?: string;
};

type Window = {
  deadline?: string;
  from?: string;
  to?: string;
  every?: string;
  offset?: string;
  lookback?: string;
  timezone?: string;
  fireOnce?: boolean;
};

export type DependsOnContext = {
  executions: Pick<ExecutionStore, 'search'>;
  render(template: string, variables: Record<string, unknown>): string;
  now: Date;
  /** The upstream trigger variables (`trigger.*` in the entries' `when`). */
  trigger: Record<string, unknown>;
  /** The trigger-level `states`: an execution found in the store counts only in one of them. */
  states: readonly string[];
};

const DAY_MS = 86_400_000;
const ms = (d: string | undefined) => (d === undefined ? undefined : parseIsoDuration(d));

/** How far `timezone` is ahead of UTC at `now`, in ms (0 for UTC or an unknown zone). */
function zoneOffset(timezone: string | undefined, now: Date): number {
  if (!timezone) return 0;
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(now);
    const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
    return local - Math.floor(now.getTime() / 1000) * 1000;
  } catch {
    return 0;
  }
}

/** `HH:mm[:ss]` of the local day of `now` (`offset` ms ahead of UTC), in epoch ms. */
function timeOfDay(now: Date, text: string, offset: number): number {
  const [h = 0, m = 0, s = 0] = text.split(':').map(Number);
  const day = Math.floor((now.getTime() + offset) / DAY_MS) * DAY_MS;
  return day + ((h * 60 + m) * 60 + s) * 1000 - offset;
}

/**
 * Where the trigger's window starts now, or `undefined` when it is closed
 * (past `deadline`, outside `from`–`to`). Without a window: the last 24 hours
 * (1.3's default `DURATION_WINDOW`). Times of day are read in `timezone` (default UTC).
 */
function windowStart(w: Window | undefined, now: Date): number | undefined {
  const t = now.getTime();
  if (!w) return t - DAY_MS;
  const zone = zoneOffset(w.timezone, now);
  if (w.lookback) return t - (ms(w.lookback) ?? DAY_MS);
  if (w.every) {
    const every = ms(w.every) ?? DAY_MS;
    const offset = ms(w.offset) ?? 0;
    return Math.floor((t - offset) / every) * every + offset;
  }
  if (w.deadline) return t <= timeOfDay(now, w.deadline, zone) ? timeOfDay(now, '00:00', zone) : undefined;
  if (w.from && w.to) {
    const from = timeOfDay(now, w.from, zone);
    return t >= from && t <= timeOfDay(now, w.to, zone) ? from : undefined;
  }
  return t - DAY_MS;
}

function labelsOf(e: Entry['labels']): Array<{ key: string; value: string }> {
  if (!e) return [];
  if (Array.isArray(e)) return e.map((l) => ({ key: String(l.key), value: String(l.value) }));
  return Object.entries(e).map(([key, value]) => ({ key, value: String(value) }));
}

/** Whether one execution satisfies one entry (exact namespace/flowId, states, all labels, `when`). */
function holds(e: Entry, x: Execution, ctx: DependsOnContext): boolean {
  if (e.namespace !== undefined && x.namespace !== e.namespace) return false;
  if (e.flowId !== undefined && x.flowId !== e.flowId) return false;
  if (e.states && !e.states.includes(x.state.current)) return false;
  for (const want of labelsOf(e.labels))
    if (!x.labels.some((l) => l.key === want.key && l.value === want.value)) return false;
  if (e.when === undefined) return true;
  const labels: Record<string, string> = {};
  for (const l of x.labels) labels[l.key] = l.value;
  const hasRetryAttempt = x.taskRunList.some((t) => (t.attempts ?? []).length > 1);
  const vars = {
    namespace: x.namespace,
    flowId: x.flowId,
    state: x.state.current,
    labels,
    outputs: x.outputs ?? {},
    hasRetryAttempt,
    trigger: ctx.trigger,
  };
  return isTruthy(ctx.render(e.when, vars).trim());
}

/** When this trigger last created an execution of `flow` (epoch ms), or 0. */
function lastFire(flow: Flow, trigger: Trigger, ctx: DependsOnContext): number {
  const { results } = ctx.executions.search({
    page: 1,
    size: 100,
    namespace: flow.namespace,
    flowId: flow.id,
  });
  let last = 0;
  for (const x of results)
    if (x.flowId === flow.id && x.trigger?.id === trigger.id)
      last = Math.max(last, Date.parse(x.state.histories[0]?.date ?? '') || 0);
  return last;
}

/**
 * Kestra 2.0's Flow trigger `dependsOn` + `mode` + `window`: whether the end
 * of `upstream` makes the trigger fire, and the executions that satisfied
 * its entries (their outputs become `trigger.outputs.<flowId>`). `ANY`: one
 * entry is enough. `ALL` (default) and `AT_LEAST` (`minSatisfied`): the other
 * entries must have been satisfied by executions that started inside the
 * window and after the trigger's last fire (a fire resets the window), found
 * in the execution store, so nothing is kept in memory.
 */
export function dependsOnFires(
  flow: Flow,
  trigger: Trigger,
  upstream: Execution,
  ctx: DependsOnContext,
): Execution[] | undefined {
  const entries = (trigger.props.dependsOn ?? []) as Entry[];
  const own = entries.map((e) => holds(e, upstream, ctx));
  if (!own.some(Boolean)) return undefined;
  const mode = String(trigger.props.mode ?? 'ALL');
  if (mode === 'ANY' || entries.length === 1) return [upstream];
  const need = mode === 'AT_LEAST' ? Number(trigger.props.minSatisfied ?? 1) : entries.length;
  const window = trigger.props.window as Window | undefined;
  const start = windowStart(window, ctx.now);
  if (start === undefined) return undefined;
  const fired = lastFire(flow, trigger, ctx);
  if (window?.fireOnce && fired >= start) return undefined;
  const since = Math.max(start, fired);
  const found: Execution[] = [upstream];
  let satisfied = own.filter(Boolean).length;
  entries.forEach((e, i) => {
    if (own[i]) return;
    const { results } = ctx.executions.search({
      page: 1,
      size: 100,
      ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
      ...(e.flowId !== undefined ? { flowId: e.flowId } : {}),
      startDate: new Date(since).toISOString(),
    });
    const match = results.find(
      (x) =>
        x.id !== upstream.id &&
        ctx.states.includes(x.state.current) &&
        Date.parse(x.state.histories[0]?.date ?? '') >= since &&
        holds(e, x, ctx),
    );
    if (!match) return;
    satisfied++;
    found.push(match);
  });
  return satisfied >= need ? found : undefined;
}
