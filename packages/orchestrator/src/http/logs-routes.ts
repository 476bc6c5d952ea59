import type { KestraLogLevel, LogEntryJson } from '@silo/contracts';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, NotFoundError } from '../errors.js';
import type { Engine } from '../executor/engine.js';
import { LEVEL_NO } from '../sqlite/execution-store.js';
import { countedStream, followExecution } from './follow-execution.js';

/** One stored log row as Kestra's `LogEntry` (the shape of `@silo/contracts`). */
export function logEntryJson(r: Record<string, unknown>): LogEntryJson {
  return {
    namespace: r.namespace as string,
    flowId: r.flow_id as string,
    taskId: (r.task_id as string | null | undefined) ?? null,
    executionId: r.execution_id as string,
    taskRunId: (r.task_run_id as string | null | undefined) ?? null,
    attemptNumber: (r.attempt as number | null | undefined) ?? null,
    timestamp: r.timestamp as string,
    level: r.level as KestraLogLevel,
    thread: 'worker',
    message: r.message as string,
  };
}

function minLevelOf(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = (LEVEL_NO as Record<string, number>)[raw.toUpperCase()];
  if (n === undefined)
    throw new BadRequestError(`Invalid minLevel '${raw}': use TRACE, DEBUG, INFO, WARN or ERROR`);
  return n;
}

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
          for (const r of engine.store.logs(execution.id, minLevel, null, after)) {
            after = Number(r.id);
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
    const rows = deps
      .engine()
      .store.logs(e.id, minLevelOf(c.req.query('minLevel')), c.req.query('taskRunId') ?? null);
    const text = rows.map((r) => `${r.timestamp} ${r.level} ${r.task_id ?? ''} ${r.message}`).join('\n');
    return c.body(text, 200, { 'content-type': 'text/plain; charset=utf-8' });
  });

  api.get('/logs/:executionId', (c) => {
    const e = check(c.req.param('executionId'));
    const rows = deps
      .engine()
      .store.logs(e.id, minLevelOf(c.req.query('minLevel')), c.req.query('taskRunId') ?? null);
    return c.json(rows.map(logEntryJson));
  });

  return api;
}
