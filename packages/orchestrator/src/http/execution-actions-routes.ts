import { isStateType, type StateType } from '@silo/contracts';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import type { Label } from '../flow/flow-model.js';
import type { Execution } from '../model/execution.js';
import { executionJson } from '../model/execution-json.js';
import { isCreateRequest } from './action-or-create.js';
import { dialectOf } from './dialect.js';
import { ExecutionActions, type ExecutionActionsDeps } from './execution-actions.js';
import { flowGraph } from './flow-graph.js';
import { toFlowJson } from './flow-json.js';
import { op } from './operation.js';

/** Kestra's `Label` (key pattern of the 1.3 spec: a lowercase letter, then letters, digits, `._-`). */
const LabelBody = z.object({
  key: z
    .string()
    .regex(/^\p{Ll}[\p{L}0-9._-]*$/u, 'must start with a lowercase letter, then letters, digits, . _ -'),
  value: z.string().min(1, 'must not be empty'),
});
export const LabelsBody = z.array(LabelBody);

/** A JSON body read with a zod schema; 400 naming the field for bad JSON or a bad shape. */
export async function jsonBody<T>(c: Context, schema: z.ZodType<T>, what: string): Promise<T> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new BadRequestError(`Bad Request: the body must be JSON (${what})`, [
      { message: 'must be JSON', path: 'body' },
    ]);
  }
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new BadRequestError(
      `Bad Request: ${r.error.issues.map((i) => `${['body', ...i.path].join('.')}: ${i.message}`).join('; ')}`,
      r.error.issues.map((i) => ({ message: i.message, path: ['body', ...i.path].join('.') })),
    );
  return r.data;
}

/** A boolean query parameter with a default; anything but true/false is a 400 naming it. */
export function boolParam(c: Context, name: string, fallback: boolean): boolean {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new BadRequestError(`Bad Request: ${name} must be true or false, got '${raw}'`, [
    { message: 'must be true or false', path: name },
  ]);
}

/** `status` / `newStatus`: a Kestra `State.Type`, else a 400 naming the parameter. */
export function stateParam(c: Context, name: string): StateType {
  const raw = c.req.query(name);
  if (raw === undefined || !isStateType(raw))
    throw new BadRequestError(
      `Bad Request: ${name} must be a state (SUCCESS, FAILED, ...), got '${raw ?? ''}'`,
      [{ message: 'must be a State.Type', path: name }],
    );
  return raw;
}

/**
 * Kestra 1.3's per-execution operations beside the core ones: delete (with
 * `deleteLogs`, `deleteMetrics`, `deleteStorage`), labels, change-status,
 * pause, replay-with-inputs, the flow of an execution and its graph.
 * Registered before the create route (`POST /executions/{namespace}/{id}`),
 * which would otherwise catch `/{id}/labels` and the like.
 */
export function createExecutionActionsRoutes(deps: ExecutionActionsDeps): Hono {
  const api = new Hono();
  const json = (e: Execution) => executionJson(e, new Date());
  const actions = new ExecutionActions(deps);

  api.delete('/executions/:id', op('deleteExecution'), (c) => {
    const id = c.req.param('id');
    // Metrics are not kept by this instance: deleteMetrics is read (and checked) and has nothing to delete.
    boolParam(c, 'deleteMetrics', true);
    deps.engine().admin.delete(id, {
      deleteLogs: boolParam(c, 'deleteLogs', true),
      deleteStorage: boolParam(c, 'deleteStorage', true),
    });
    return c.body(null, 204);
  });

  api.post('/executions/:id/labels', op('setLabelsOnTerminatedExecution'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    const labels: Label[] = await jsonBody(c, LabelsBody, 'a list of labels');
    return c.json(json(actions.setLabels(c.req.param('id'), labels)));
  });

  api.post('/executions/:id/change-status', op('updateExecutionStatus'), (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    return c.json(json(actions.changeStatus(c.req.param('id'), stateParam(c, 'status'))));
  });

  api.post('/executions/:id/pause', op('pauseExecution'), (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    return actions.pause(c.req.param('id'));
  });

  api.post('/executions/:id/replay-with-inputs', op('replayExecutionWithinputs'), async (c, next) => {
    if (isCreateRequest(c, deps)) return next();
    const e = await actions.replayWithInputs(c, c.req.param('id'), c.req.query('taskRunId') || undefined);
    return c.json(json(e));
  });

  api.get('/executions/:id/flow', op('flowFromExecutionById'), (c) => {
    const out = toFlowJson(actions.flowOf(actions.find(c.req.param('id'))), {
      dialect: dialectOf(c),
    }) as Record<string, unknown>;
    // FlowForExecution types `labels` as a map (the Python client's model reads a dict).
    const labels = out.labels as Label[] | undefined;
    if (labels) out.labels = Object.fromEntries(labels.map((l) => [l.key, l.value]));
    return c.json(out);
  });

  api.get('/executions/:id/graph', op('executionFlowGraph'), (c) => {
    const e = actions.find(c.req.param('id'));
    return c.json(flowGraph(actions.flowOf(e).flow, e));
  });

  return api;
}
