import type { Context } from 'hono';
import type { FlowRepository } from '../ports/flow-repository.js';
import type { Engine } from '../runner/engine.js';

/**
 * `POST /executions/{a}/{b}` is both Kestra's "create an execution of flow
 * `a`.`b`" and "action `b` (pause, labels, resume, restart, replay, …) on
 * execution `a`": the paths collide for a flow named like an action (Kestra's
 * own test corpus has a flow `pause`). An action route answers only when no
 * execution `a` exists but the flow `a`.`b` does; then the request goes on to
 * the create route (the action handler calls `next()`).
 *
 * @example
 * api.post('/executions/:id/pause', async (c, next) => { if (isCreateRequest(c, deps)) return next(); ... });
 */
export function isCreateRequest(
  c: Context,
  deps: { engine: () => Engine; flows: () => FlowRepository },
): boolean {
  const id = c.req.param('id');
  const action = c.req.path.split('/').at(-1);
  if (id === undefined || action === undefined) return false;
  return deps.engine().get(id) === undefined && deps.flows().get(id, action) !== undefined;
}
