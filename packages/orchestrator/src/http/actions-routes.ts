import { Hono } from 'hono';
import { NotFoundError } from '../errors.js';
import type { Execution } from '../model/execution.js';
import { execution20Json } from './api-json.js';
import { ExecutionActions, type ExecutionActionsDeps } from './execution-actions.js';
import { jsonBody, LabelsBody, stateParam } from './execution-actions-routes.js';
import { op } from './operation.js';

/**
 * Kestra 2.0's execution actions, `/executions/{executionId}/actions/<action>`
 * (kestra-ee-2.0.0-snapshot.yml; CHANGES.md B.1 rows 12–15, B.3): every one
 * answers 200 and the 2.0 `Execution` (kill and resume too, where 1.3 said
 * 202 and 204), 404 for an unknown execution, 409 when the execution is not
 * in a state the action takes. Served by both dialects: the paths collide
 * with no 1.3 path (one segment more than `POST /executions/{namespace}/{id}`).
 */
export function createActionsRoutes(deps: ExecutionActionsDeps): Hono {
  const api = new Hono();
  const actions = new ExecutionActions(deps);
  const json = (e: Execution) => execution20Json(e, new Date());
  const id = (c: { req: { param(name: 'id'): string } }) => c.req.param('id');

  // 2.0 declares `text/json` for kill's 200; JSON clients read it either way.
  api.delete('/executions/:id/actions/kill', op('killExecution'), async (c) =>
    c.json(json(await actions.kill(id(c), true))),
  );
  api.post('/executions/:id/actions/resume', op('resumeExecution'), async (c) =>
    c.json(json(await actions.resume(c, id(c), true))),
  );
  api.post('/executions/:id/actions/restart', op('restartExecution'), async (c) =>
    c.json(json(await actions.restart(id(c)))),
  );
  api.post('/executions/:id/actions/replay', op('replayExecution'), (c) =>
    c.json(json(actions.replay(id(c), c.req.query('taskRunId') || undefined))),
  );
  api.post('/executions/:id/actions/replay-with-inputs', op('replayExecutionWithinputs'), async (c) =>
    c.json(json(await actions.replayWithInputs(c, id(c), c.req.query('taskRunId') || undefined))),
  );
  api.post('/executions/:id/actions/labels', op('setLabelsOnTerminatedExecution'), async (c) => {
    const labels = await jsonBody(c, LabelsBody, 'a list of labels');
    return c.json(json(actions.setLabels(id(c), labels)));
  });
  api.post('/executions/:id/actions/change-status', op('updateExecutionStatus'), (c) =>
    c.json(json(actions.changeStatus(id(c), stateParam(c, 'status')))),
  );
  api.post('/executions/:id/actions/pause', op('pauseExecution'), (c) => actions.pause(id(c)));
  api.post('/executions/:id/actions/force-run', op('forceRunExecution'), (c) => actions.forceRun(id(c)));
  api.post('/executions/:id/actions/unqueue', op('unqueueExecution'), (c) =>
    actions.unqueue(id(c), stateParam(c, 'state')),
  );
  return api;
}

/**
 * Kestra 2.0's outputs endpoints (CHANGES.md B.3): task-run outputs are no
 * longer inside the execution.
 * - `GET /outputs/{executionId}` → `[OutputController.TaskOutputInformation]`,
 *   one per task run that has outputs, in the execution's order;
 * - `GET /outputs/{executionId}/{taskRunId}` → the outputs map (`{}` when the
 *   task run has none yet), 404 for an unknown task run.
 * Served by both dialects (no 1.3 path starts with `/outputs`).
 */
export function createOutputsRoutes(deps: ExecutionActionsDeps): Hono {
  const api = new Hono();
  const actions = new ExecutionActions(deps);
  api.get('/outputs/:executionId', op('getTaskOutputsInformation'), (c) => {
    const e = actions.find(c.req.param('executionId'));
    return c.json(
      e.taskRunList
        .filter((t) => t.outputs && Object.keys(t.outputs).length > 0)
        .map((t) => ({
          taskId: t.taskId,
          taskRunId: t.id,
          ...(t.value !== undefined ? { value: t.value } : {}),
          ...(t.iteration !== undefined ? { iteration: t.iteration } : {}),
          // Silo keeps outputs in the execution's row: always inline (no internal-storage indirection).
          inline: true,
        })),
    );
  });
  api.get('/outputs/:executionId/:taskRunId', op('getTaskRunOutputs'), (c) => {
    const e = actions.find(c.req.param('executionId'));
    const taskRunId = c.req.param('taskRunId');
    const t = e.taskRunList.find((x) => x.id === taskRunId);
    if (!t) throw new NotFoundError('task run', taskRunId);
    return c.json(t.outputs ?? {});
  });
  return api;
}
