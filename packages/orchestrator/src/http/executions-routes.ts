import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { executableRevision } from '../flow/drafts.js';
import type { Label } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import { executionJson } from '../model/execution-json.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { Engine } from '../runner/engine.js';
import { isCreateRequest } from './action-or-create.js';
import { execution20Json, executionFor, searchItemFor } from './api-json.js';
import { dialectOf } from './dialect.js';
import { ExecutionActions } from './execution-actions.js';
import { executionSearchQuery, parseLabelParams } from './execution-search-query.js';
import { countedStream, followExecution } from './follow-execution.js';
import { readInputsBody } from './inputs-body.js';
import { op } from './operation.js';
import { paging } from './query-params.js';
import { publicOrigin } from './webhook-routes.js';

export type ExecutionsRoutesDeps = {
  engine: () => Engine;
  flows: () => FlowRepository;
  dataDir: string;
};

const json = (e: Execution) => executionJson(e, new Date());

const parseLabels = (values: string[] | undefined): Label[] => parseLabelParams(values);

/** `revision`: an integer ≥ 1, or absent (the current revision). */
function revisionParam(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new BadRequestError(`Bad Request: revision must be an integer ≥ 1, got '${raw}'`, [
      { message: 'must be an integer ≥ 1', path: 'revision' },
    ]);
  return n;
}

/** An ISO-8601 date-time query parameter with an offset (`2025-01-01T10:00:00Z`), or absent. */
function dateParam(raw: string | undefined, name: string): Date | undefined {
  if (raw === undefined || raw === '') return undefined;
  const t = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(t))
    throw new BadRequestError(
      `Bad Request: ${name} must be an ISO-8601 date-time with an offset, got '${raw}'`,
      [{ message: 'must be an ISO-8601 date-time', path: name }],
    );
  return new Date(t);
}

/** A boolean query parameter (`true`/`false`, absent = false); anything else is a 400 naming it. */
function booleanParam(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new BadRequestError(`Bad Request: ${name} must be true or false, got '${raw}'`, [
    { message: 'must be true or false', path: name },
  ]);
}

/**
 * Kestra's executions API (SCOPE.md rows 9–16): create (JSON or multipart
 * inputs, `labels=k:v`, `wait=true`), get, search, kill, restart, replay,
 * resume, follow (SSE).
 */
export function createExecutionsRoutes(deps: ExecutionsRoutesDeps): Hono {
  const api = new Hono();
  const actions = new ExecutionActions(deps);
  const find = (id: string): Execution => actions.find(id);

  api.get('/executions/search', op('searchExecutions'), (c) => {
    const r = deps.engine().executions.search(executionSearchQuery(c, new Date()));
    return c.json({ results: r.results.map(searchItemFor(c)), total: r.total });
  });

  api.get('/executions', op('searchExecutionsByFlowId'), (c) => {
    const required = (name: string): string => {
      const v = c.req.query(name);
      if (!v)
        throw new BadRequestError(`Bad Request: ${name} is required`, [
          { message: 'is required', path: name },
        ]);
      return v;
    };
    const namespace = required('namespace');
    const flowId = required('flowId');
    const r = deps.engine().executions.search({
      ...paging(c),
      states: [],
      labels: [],
      where: [
        { field: 'namespace', op: 'EQUALS', values: [namespace] },
        { field: 'flowId', op: 'EQUALS', values: [flowId] },
      ],
    });
    return c.json({ results: r.results.map(searchItemFor(c)), total: r.total });
  });

  api.get('/executions/:id/follow', op('followExecution'), (c) => {
    const engine = deps.engine();
    const first = find(c.req.param('id'));
    const body = dialectOf(c) === '2.0' ? (e: Execution) => execution20Json(e, new Date()) : json;
    return streamSSE(c, (stream) =>
      countedStream(engine, async () => {
        const send = (e: Execution) =>
          stream.writeSSE({ data: JSON.stringify(body(e)), event: 'message', id: e.id });
        let writes = send(first);
        await followExecution(engine, stream, first, (e) => {
          writes = writes.then(() => send(e));
        });
        await writes;
      }),
    );
  });

  api.get('/executions/:id', op('execution'), (c) => c.json(executionFor(c, find(c.req.param('id')))));

  api.delete('/executions/:id/kill', op('killExecution'), async (c) => {
    await actions.kill(c.req.param('id'), false);
    return c.body(null, 202);
  });

  api.post('/executions/:id/resume', op('resumeExecution'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    await actions.resume(c, c.req.param('id'), false);
    return c.body(null, 204);
  });

  api.post('/executions/:id/restart', op('restartExecution'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    return c.json(json(await actions.restart(c.req.param('id'))));
  });

  api.post('/executions/:id/replay', op('replayExecution'), (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    return c.json(json(actions.replay(c.req.param('id'), c.req.query('taskRunId') || undefined)));
  });

  api.post('/executions/:namespace/:id', op('createExecution'), async (c) => {
    const { namespace, id } = c.req.param();
    const revision = revisionParam(c.req.query('revision'));
    const scheduleDate = dateParam(c.req.query('scheduleDate'), 'scheduleDate');
    const record = executableRevision(deps.flows(), namespace, id, revision);
    if (!record)
      throw new NotFoundError(
        'flow',
        `${namespace}.${id}${revision !== undefined ? ` revision ${revision}` : ''}`,
      );
    const flow = record.flow;
    if (flow.disabled) throw new ConflictError(`Cannot execute disabled flow ${namespace}.${id}`);
    const labels = parseLabels(c.req.queries('labels'));
    const wait = booleanParam(c.req.query('wait'), 'wait');
    const raw = await readInputsBody(c);
    const engine = deps.engine();
    // Answered once committed (grouped with the executor's next batch); `wait`: once settled.
    const { created, current } = await engine.createCommitted(flow, raw, {
      labels,
      ...(scheduleDate ? { scheduleDate } : {}),
    });
    const final = wait ? ((await engine.waitSettled(created.id, 60_000, current)) ?? current) : created;
    return c.json({
      ...(dialectOf(c) === '2.0' ? execution20Json(final, new Date()) : json(final)),
      deleted: false, // `url` is a `uri` in the 1.3 spec: absolute, from the origin the caller used (as webhooks answer it).
      url: `${publicOrigin(c)}/ui/executions/${namespace}/${id}/${created.id}`,
    });
  });

  return api;
}
