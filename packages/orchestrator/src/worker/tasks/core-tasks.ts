import { isTruthy } from '../../template/index.js';
import type { RunContext, RunnableTask, TaskLogLevel } from '../runnable-task.js';

const P = 'io.kestra.plugin.core';
const LEVELS: readonly TaskLogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

function level(ctx: RunContext, raw: unknown): TaskLogLevel {
  if (raw === undefined) return 'INFO';
  const l = ctx.render(String(raw)).toUpperCase();
  return (LEVELS as readonly string[]).includes(l) ? (l as TaskLogLevel) : 'INFO';
}

/** `log.Log`: one log line per message (a string or a list), at `level` (default INFO). */
export const logTask: RunnableTask = {
  type: `${P}.log.Log`,
  async run(task, ctx) {
    const lv = level(ctx, task.props.level);
    const raw = task.props.message;
    const messages = Array.isArray(raw) ? raw : [raw];
    for (const m of messages)
      ctx.log(lv, typeof m === 'string' ? ctx.render(m) : JSON.stringify(ctx.renderValue(m)));
    return {};
  },
};

/** `debug.Return`: `outputs.value` = the rendered `format`. */
export const returnTask: RunnableTask = {
  type: `${P}.debug.Return`,
  async run(task, ctx) {
    const format = task.props.format;
    return { outputs: { value: typeof format === 'string' ? ctx.render(format) : (format ?? null) } };
  },
};

/** `debug.Echo` (deprecated): logs the rendered `format`. */
export const echoTask: RunnableTask = {
  type: `${P}.debug.Echo`,
  async run(task, ctx) {
    ctx.log(level(ctx, task.props.level), ctx.render(String(task.props.format ?? '')));
    return {};
  },
};

/** `output.OutputValues`: `outputs.values` = the rendered map. */
export const outputValuesTask: RunnableTask = {
  type: `${P}.output.OutputValues`,
  async run(task, ctx) {
    return { outputs: { values: ctx.renderValue(task.props.values ?? {}) as Record<string, unknown> } };
  },
};

/** `execution.Fail`: fails with `errorMessage` (default `Task failure`), only when `condition` is true if given. */
export const failTask: RunnableTask = {
  type: `${P}.execution.Fail`,
  async run(task, ctx) {
    const cond = task.props.condition;
    if (cond !== undefined) {
      const rendered = typeof cond === 'string' ? ctx.render(cond) : cond;
      if (!isTruthy(rendered)) return {};
    }
    const message = task.props.errorMessage;
    throw new Error(typeof message === 'string' ? ctx.render(message) : 'Task failure');
  },
};

/**
 * `execution.Labels`: sets execution labels from a JSON string, a map, or a
 * list of `{key, value}`; existing keys are overridden in place, new ones appended.
 */
export const labelsTask: RunnableTask = {
  type: `${P}.execution.Labels`,
  async run(task, ctx) {
    let raw = task.props.labels;
    if (typeof raw === 'string') raw = JSON.parse(ctx.render(raw)) as unknown;
    const add: Array<{ key: string; value: string }> = [];
    if (Array.isArray(raw)) {
      for (const item of raw as Array<Record<string, unknown>>) {
        add.push({ key: ctx.render(String(item.key)), value: ctx.render(String(item.value)) });
      }
    } else if (raw && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw))
        add.push({ key: ctx.render(k), value: ctx.render(String(v)) });
    } else throw new Error('labels must be a JSON string, a map or a list of {key, value}');
    const current = (ctx.variables.labels ?? {}) as Record<string, string>;
    const merged = new Map(Object.entries(current));
    for (const l of add) merged.set(l.key, l.value);
    if (!ctx.services.setLabels) throw new Error('this instance cannot set labels');
    ctx.services.setLabels([...merged].map(([key, value]) => ({ key, value })));
    return {};
  },
};

export const CORE_TASKS: readonly RunnableTask[] = [
  logTask,
  returnTask,
  echoTask,
  outputValuesTask,
  failTask,
  labelsTask,
];
