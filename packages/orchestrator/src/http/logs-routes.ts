import type { KestraLogLevel, LogEntryJson } from '@silo/contracts';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, NotFoundError } from '../errors.js';
import { LEVEL_NO, type StoredLog } from '../ports/log-store.js';
import type { Engine } from '../runner/engine.js';
import { countedStream, followExecution } from './follow-execution.js';

/** One stored log row as Kestra's `LogEntry` (the shape of `@silo/contracts`). */
export function logEntryJson(r: StoredLog): LogEntryJson {
  return {
    namespace: r.namespace,
    flowId: r.flowId,
    taskId: r.taskId ?? null,
    executionId: r.executionId,
    taskRunId: r.taskRunId ?? null,
    attemptNumber: r.attempt ?? null,
    timestamp: r.timestamp,
    level: r.level as KestraLogLevel,
    thread: 'worker',
    message: r.message,
  };
}

function minLevelOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = (LEVEL_NO as Record<string, number>)[raw.toUpperCase()];
  if (n === undefined)
    throw new BadRequestError(`Invalid minLevel '${raw}': use TRACE, DEBUG, INFO, WARN or ERROR`);
  return n;
}

const logQuery = (minLevel: string | undefined, taskRunId: string | undefined) => ({
  minLevel: minLevelOf(minLevel),
  taskRunId: taskRunId ?? null,
});

/** Kestra's logs API: list (`minLevel`, `taskRunId`), follow (SSE), download (text). */
export function createLogsRoutes(deps: { engine: () => Engine }): Hono {
  const api = new Hono();
  const check = (id: string) => {
    const e = deps.engine().get(id);
    if (!e) throw new NotFoundError('execution', id);
    return e;
  };

  api.get('/logs/:executionId/follow', (c) => {
    const engine = deps.engine();
    const execution = check(c.req.param('executionId'));
    const minLevel = minLevelOf(c.req.query('minLevel'));
    return streamSSE(c, (stream) =>
      countedStream(engine, async () => {
        let after = 0;
        const flush = async () => {
          for (const r of engine.logs.list(execution.id, { minLevel, after })) {
            after = r.id;
            await stream.writeSSE({ data: JSON.stringify(logEntryJson(r)), event: 'message' });
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

  api.get('/logs/:executionId/download', (c) => {
    const e = check(c.req.param('executionId'));
    const rows = deps.engine().logs.list(e.id, logQuery(c.req.query('minLevel'), c.req.query('taskRunId')));
    const text = rows.map((r) => `${r.timestamp} ${r.level} ${r.taskId ?? ''} ${r.message}`).join('\n');
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  api.get('/logs/:executionId', (c) => {
    const e = check(c.req.param('executionId'));
    const rows = deps.engine().logs.list(e.id, logQuery(c.req.query('minLevel'), c.req.query('taskRunId')));
    return c.json(rows.map(logEntryJson));
  });

  return api;
}
