import type { KestraLogLevel, LogEntryJson } from '@silo/contracts';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { StoredLog } from '../ports/log-store.js';
import type { Engine } from '../runner/engine.js';
import { dialectOf, tenantOf } from './dialect.js';
import { countedStream, followExecution } from './follow-execution.js';
import { searchLogs20 } from './log-cursor.js';
import { logFilter } from './log-filters.js';
import { logSearchQuery, minLevelOf } from './log-search-query.js';
import { op } from './operation.js';

/** One stored log row as Kestra's `LogEntry` (the shape of `@silo/contracts`). */
export function logEntryJson(r: StoredLog): LogEntryJson {
  return {
    namespace: r.namespace,
    flowId: r.flowId,
    taskId: r.taskId ?? null,
    executionId: r.executionId,
    taskRunId: r.taskRunId ?? null,
    // Kestra counts attempts from 0 (its UI indexes `taskRun.attempts` with it); the worker stores them from 1.
    attemptNumber: r.attempt !== undefined ? r.attempt - 1 : null,
    timestamp: r.timestamp,
    level: r.level as KestraLogLevel,
    thread: 'worker',
    message: r.message,
  };
}

/** `attempt`: Kestra's 0-based attempt number, or absent. */
function attemptOf(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new BadRequestError(`Bad Request: attempt must be an integer ≥ 0, got '${raw}'`, [
      { message: 'must be an integer ≥ 0', path: 'attempt' },
    ]);
  return n + 1;
}

/**
 * The 1.3 parameters of the per-execution routes: `minLevel`, `taskRunId`,
 * `taskId`, `attempt` (both dialects honour them; 2.0's `filters[...]` are
 * applied on top, `logFilter`).
 */
const logQuery = (c: Context) => ({
  minLevel: minLevelOf(c.req.query('minLevel')),
  taskRunId: c.req.query('taskRunId') || null,
  taskId: c.req.query('taskId') || null,
  attempt: attemptOf(c.req.query('attempt')),
});

/**
 * Kestra's logs API: search (across executions), list (`minLevel`,
 * `taskRunId`, `taskId`, `attempt`), delete, follow (SSE), download (text).
 * `/logs/search` is registered before `/logs/{executionId}`, which would catch it.
 */
export function createLogsRoutes(deps: { engine: () => Engine }): Hono {
  const api = new Hono();
  const check = (id: string) => {
    const e = deps.engine().get(id);
    if (!e) throw new NotFoundError('execution', id);
    return e;
  };

  api.get('/logs/:executionId/follow', op('followLogsFromExecution'), (c) => {
    const engine = deps.engine();
    const execution = check(c.req.param('executionId'));
    const minLevel = minLevelOf(c.req.query('minLevel'));
    const keep = logFilter(c, dialectOf(c));
    // 2.0's `FollowLogEvent` adds `tenantId` to `LogEntry`.
    const extra = dialectOf(c) === '2.0' ? { tenantId: tenantOf(c) } : {};
    return streamSSE(c, (stream) =>
      countedStream(engine, async () => {
        let after = 0;
        const flush = async () => {
          for (const r of engine.logs.list(execution.id, { minLevel, after })) {
            after = r.id;
            if (!keep(r)) continue;
            await stream.writeSSE({
              data: JSON.stringify({ ...logEntryJson(r), ...extra }),
              event: 'message',
            });
          }
        };
        let writes = flush();
        await followExecution(engine, stream, execution, () => {
          writes = writes.then(flush);
        });
        await writes;
        await flush();
      }),
    );
  });

  api.get('/logs/search', op('searchLogs'), (c) => {
    const dialect = dialectOf(c);
    const q = logSearchQuery(c, dialect);
    const logs = deps.engine().logs;
    if (dialect !== '2.0') {
      const { results, total } = logs.search(q);
      return c.json({ results: results.map(logEntryJson), total });
    }
    return c.json(searchLogs20(logs, q, c.req.query('cursor'), logEntryJson));
  });

  api.delete('/logs/:executionId', op('deleteLogsFromExecution'), (c) => {
    const e = check(c.req.param('executionId'));
    deps.engine().logs.deleteByExecution(e.id, logQuery(c));
    return c.body(null, 200);
  });

  api.get('/logs/:executionId/download', op('downloadLogsFromExecution'), (c) => {
    const e = check(c.req.param('executionId'));
    const rows = deps
      .engine()
      .logs.list(e.id, logQuery(c))
      .filter(logFilter(c, dialectOf(c)));
    const text = rows.map((r) => `${r.timestamp} ${r.level} ${r.taskId ?? ''} ${r.message}`).join('\n');
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  api.get('/logs/:executionId', op('listLogsFromExecution'), (c) => {
    const e = check(c.req.param('executionId'));
    const rows = deps
      .engine()
      .logs.list(e.id, logQuery(c))
      .filter(logFilter(c, dialectOf(c)));
    return c.json(rows.map(logEntryJson));
  });

  return api;
}
