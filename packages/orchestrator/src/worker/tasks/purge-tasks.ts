import { NonRetryableTaskError, type RunContext, type RunnableTask } from '../runnable-task.js';
import { renderBoolean, renderOptionalString, renderStringList } from './kv/render-props.js';

const P = 'io.kestra.plugin.core';
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * A date property as an ISO-8601 instant (`...Z`): Kestra parses it as a
 * `ZonedDateTime` (`2025-01-01T00:00:00+01:00`, `...Z[Europe/Paris]`).
 */
function renderDate(ctx: RunContext, props: Record<string, unknown>, name: string): string | undefined {
  const text = renderOptionalString(ctx, props, name);
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text.replace(/\[[^\]]*\]$/, ''));
  if (Number.isNaN(ms))
    throw new NonRetryableTaskError(`Property '${name}' must be an ISO-8601 date-time, got '${text}'`);
  return new Date(ms).toISOString();
}

/** `batchSize` (default 100): how many executions one read of the purge selects. */
function renderBatchSize(ctx: RunContext, props: Record<string, unknown>): number {
  const raw = props.batchSize;
  const n = typeof raw === 'string' ? Number(ctx.render(raw)) : (raw ?? 100);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new NonRetryableTaskError(`Property 'batchSize' must be a positive integer, got '${String(raw)}'`);
  return n;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new NonRetryableTaskError(`Property '${name}' is required`);
  return value;
}

/**
 * `execution.PurgeExecutions`: removes the ended executions started between
 * `startDate` and `endDate` (required) of `namespace` (a prefix, or the
 * flow's namespace with `flowId`), optionally only in `states`; the flags
 * `purgeExecution`, `purgeLog`, `purgeMetric`, `purgeStorage` (all default
 * true) say what goes. Outputs Kestra's counts.
 *
 * @example
 * { endDate: "{{ now() | dateAdd(-1, 'MONTHS') }}", purgeLog: false, states: ['SUCCESS'] }
 */
export const purgeExecutionsTask: RunnableTask = {
  type: `${P}.execution.PurgeExecutions`,
  async run(task, ctx) {
    const purge = ctx.services.purgeExecutions;
    if (!purge) throw new NonRetryableTaskError('Purging executions is not available in this instance');
    const p = task.props;
    const states = renderStringList(ctx, p, 'states')?.map((s) => s.toUpperCase());
    const counts = purge({
      namespace: renderOptionalString(ctx, p, 'namespace') || undefined,
      flowId: renderOptionalString(ctx, p, 'flowId') || undefined,
      startDate: renderDate(ctx, p, 'startDate'),
      endDate: required(renderDate(ctx, p, 'endDate'), 'endDate'),
      states,
      purgeExecution: renderBoolean(ctx, p, 'purgeExecution', true),
      purgeLog: renderBoolean(ctx, p, 'purgeLog', true),
      purgeMetric: renderBoolean(ctx, p, 'purgeMetric', true),
      purgeStorage: renderBoolean(ctx, p, 'purgeStorage', true),
      batchSize: renderBatchSize(ctx, p),
    });
    return { outputs: { ...counts } };
  },
};

/**
 * `log.PurgeLogs`: removes the log lines written between `startDate` and
 * `endDate` (required), of `namespace` (and below), `flowId`, `executionId`,
 * at `logLevels` when given. Outputs `count`.
 */
export const purgeLogsTask: RunnableTask = {
  type: `${P}.log.PurgeLogs`,
  async run(task, ctx) {
    const purge = ctx.services.purgeLogs;
    if (!purge) throw new NonRetryableTaskError('Purging logs is not available in this instance');
    const p = task.props;
    const levels = renderStringList(ctx, p, 'logLevels')?.map((l) => l.toUpperCase());
    for (const l of levels ?? [])
      if (!LEVELS.includes(l))
        throw new NonRetryableTaskError(`Property 'logLevels' must hold ${LEVELS.join(', ')}, got '${l}'`);
    const optional = (name: string) => renderOptionalString(ctx, p, name) || undefined;
    const [namespace, flowId, executionId] = [
      optional('namespace'),
      optional('flowId'),
      optional('executionId'),
    ];
    const startDate = renderDate(ctx, p, 'startDate');
    const count = purge({
      ...(namespace !== undefined && { namespace }),
      ...(flowId !== undefined && { flowId }),
      ...(executionId !== undefined && { executionId }),
      ...(levels !== undefined && { levels }),
      ...(startDate !== undefined && { startDate }),
      endDate: required(renderDate(ctx, p, 'endDate'), 'endDate'),
    });
    return { outputs: { count } };
  },
};

export const PURGE_TASKS: readonly RunnableTask[] = [purgeExecutionsTask, purgeLogsTask];
