import { isTerminal } from '@silo/contracts';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { fileStorer } from '../executor/input-files.js';
import { executableRevision } from '../flow/drafts.js';
import type { Label } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import { executionJson } from '../model/execution-json.js';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { Engine } from '../runner/engine.js';
import { isCreateRequest } from './action-or-create.js';
import { executionSearchQuery, parseLabelParams } from './execution-search-query.js';
import { countedStream, followExecution } from './follow-execution.js';
import { readInputsBody } from './inputs-body.js';
import { op } from './operation.js';
import { resolveOnResume } from './resume-inputs.js';
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
  const find = (id: string): Execution => {
    const e = deps.engine().get(id);
    if (!e) throw new NotFoundError('execution', id);
    return e;
  };

  api.get('/executions/search', op('searchExecutions'), (c) => {
    const r = deps.engine().executions.search(executionSearchQuery(c, new Date()));
    return c.json({ results: r.results.map(json), total: r.total });
  });

  api.get('/executions/:id/follow', op('followExecution'), (c) => {
    const engine = deps.engine();
    const first = find(c.req.param('id'));
    return streamSSE(c, (stream) =>
      countedStream(engine, async () => {
        const send = (e: Execution) =>
          stream.writeSSE({ data: JSON.stringify(json(e)), event: 'message', id: e.id });
        let writes = send(first);
        await followExecution(engine, stream, first, (e) => {
          writes = writes.then(() => send(e));
        });
        await writes;
      }),
    );
  });

  api.get('/executions/:id', op('execution'), (c) => c.json(json(find(c.req.param('id')))));

  api.delete('/executions/:id/kill', op('killExecution'), (c) => {
    const e = find(c.req.param('id'));
    if (isTerminal(e.state.current)) {
      throw new ConflictError(`Execution ${e.id} is already terminated (${e.state.current})`);
    }
    deps.engine().send(e.id, { type: 'kill' });
    return c.body(null, 202);
  });

  api.post('/executions/:id/resume', op('resumeExecution'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    const e = find(c.req.param('id'));
    if (e.state.current !== 'PAUSED')
      throw new ConflictError(`Execution ${e.id} is not paused (${e.state.current})`);
    const raw = await readInputsBody(c);
    const engine = deps.engine();
    const flow = engine.flow(e.namespace, e.flowId, e.flowRevision);
    const onResume = flow
      ? resolveOnResume(flow, e, raw, (tr) =>
          fileStorer(deps.dataDir, [
            ...e.namespace.split('.'),
            e.flowId,
            'executions',
            e.id,
            'tasks',
            tr.taskId,
            tr.id,
            'inputs',
          ]),
        )
      : {};
    engine.send(e.id, { type: 'resume', ...(Object.keys(onResume).length > 0 ? { onResume } : {}) });
    return c.body(null, 204);
  });

  api.post('/executions/:id/restart', op('restartExecution'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    const e = find(c.req.param('id'));
    const s = e.state.current;
    if (s !== 'FAILED' && s !== 'KILLED' && s !== 'WARNING') {
      throw new ConflictError(`Execution ${e.id} cannot be restarted from state ${s}`);
    }
    const engine = deps.engine();
    const changed = new Promise<Execution>((resolve) => {
      const off = engine.subscribe(e.id, (x) => {
        off();
        resolve(x);
      });
      setTimeout(() => {
        off();
        resolve(engine.get(e.id)!);
      }, 5000).unref();
    });
    engine.send(e.id, { type: 'restart' });
    return c.json(json(await changed));
  });

  api.post('/executions/:id/replay', op('replayExecution'), (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    const e = find(c.req.param('id'));
    const taskRunId = c.req.query('taskRunId');
    if (taskRunId && !e.taskRunList.some((t) => t.id === taskRunId))
      throw new NotFoundError('task run', taskRunId);
    return c.json(json(deps.engine().replay(e, taskRunId)));
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
    const created = engine.createWithInputs(flow, raw, {
      labels,
      ...(scheduleDate ? { scheduleDate } : {}),
    });
    const final = wait ? ((await engine.waitSettled(created.id)) ?? created) : created;
    return c.json({
      ...json(final),
      deleted: false, // `url` is a `uri` in the 1.3 spec: absolute, from the origin the caller used (as webhooks answer it).
      url: `${publicOrigin(c)}/ui/executions/${namespace}/${id}/${created.id}`,
    });
  });

  return api;
}
