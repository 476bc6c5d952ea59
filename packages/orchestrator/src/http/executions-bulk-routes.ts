import { isTerminal } from '@silo/contracts';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { BulkInvalidError, DomainError } from '../errors.js';
import { type Execution, isSettled } from '../model/execution.js';
import type { Engine } from '../runner/engine.js';
import { boolParam, jsonBody, LabelsBody } from './execution-actions-routes.js';
import { executionSearchQuery } from './execution-search-query.js';
import { op } from './operation.js';

/** Executions one by-query operation may touch (a bound on the loop over pages). */
export const MAX_BULK = 10_000;

const Ids = z.array(z.string().min(1)).max(MAX_BULK);
const SetLabelsByIds = z.object({
  executionsId: z.array(z.string().min(1)).max(MAX_BULK),
  executionLabels: LabelsBody,
});

/** What one bulk operation does to one execution; a string is the reason it cannot (an `invalids` entry). */
type Action = (engine: Engine, e: Execution) => string | undefined;

const kill: Action = (engine, e) => {
  if (isTerminal(e.state.current)) return `execution already finished (${e.state.current})`;
  engine.send(e.id, { type: 'kill' });
  return undefined;
};

const restart: Action = (engine, e) => {
  const s = e.state.current;
  if (s !== 'FAILED' && s !== 'KILLED' && s !== 'WARNING')
    return `execution cannot be restarted from state ${s}`;
  engine.send(e.id, { type: 'restart' });
  return undefined;
};

/** Domain errors of the admin become an `invalids` reason; anything else stays an error. */
const reasonOf = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return err.message;
    throw err;
  }
};

/**
 * Kestra 1.3's bulk execution operations, `by-ids` (a JSON list of ids) and
 * `by-query` (the search `filters`): kill, restart, delete, labels. By ids,
 * every id is checked first: if any cannot be acted on, nothing is done and
 * the answer is 422 `BulkErrorResponse` `{message, invalids: {id: reason}}`;
 * else `BulkResponse` `{count}`. By query, the executions that can be acted
 * on are, and `{count}` says how many. Registered before the routes with an
 * `{executionId}` in the same place.
 */
export function createExecutionsBulkRoutes(deps: { engine: () => Engine }): Hono {
  const api = new Hono();

  const byIds = (c: Context, ids: string[], check: (e: Execution) => string | undefined, act: Action) => {
    const engine = deps.engine();
    const invalids: Record<string, string> = {};
    const found: Execution[] = [];
    for (const id of new Set(ids)) {
      const e = engine.get(id);
      const why = e ? check(e) : 'execution not found';
      if (why !== undefined) invalids[id] = why;
      else if (e) found.push(e);
    }
    if (Object.keys(invalids).length > 0)
      throw new BulkInvalidError(
        'Invalid entity: some executions cannot be acted on; nothing was done',
        invalids,
      );
    let count = 0;
    for (const e of found) if (act(engine, e) === undefined) count++;
    return c.json({ count });
  };

  const byQuery = (c: Context, act: Action) => {
    const engine = deps.engine();
    const query = { ...executionSearchQuery(c, engine.clock.now()), page: 1, size: 500 };
    const matched: Execution[] = [];
    for (let page = 1; matched.length < MAX_BULK && page <= MAX_BULK / query.size; page++) {
      const r = engine.executions.search({ ...query, page });
      matched.push(...r.results);
      if (r.results.length < query.size) break;
    }
    let count = 0;
    for (const e of matched) if (act(engine, e) === undefined) count++;
    return c.json({ count });
  };

  const unfinished = (e: Execution) =>
    isTerminal(e.state.current) ? 'execution already finished' : undefined;
  const restartable = (e: Execution) =>
    ['FAILED', 'KILLED', 'WARNING'].includes(e.state.current)
      ? undefined
      : `execution cannot be restarted from state ${e.state.current}`;
  const settled = (e: Execution) =>
    isSettled(e) ? undefined : `execution is not terminated (${e.state.current})`;

  api.delete('/executions/kill/by-ids', op('killExecutionsByIds'), async (c) =>
    byIds(c, await jsonBody(c, Ids, 'a list of execution ids'), unfinished, kill),
  );
  api.delete('/executions/kill/by-query', op('killExecutionsByQuery'), (c) => byQuery(c, kill));

  api.post('/executions/restart/by-ids', op('restartExecutionsByIds'), async (c) =>
    byIds(c, await jsonBody(c, Ids, 'a list of execution ids'), restartable, restart),
  );
  api.post('/executions/restart/by-query', op('restartExecutionsByQuery'), (c) => byQuery(c, restart));

  const deleter = (c: Context): Action => {
    const options = {
      deleteLogs: boolParam(c, 'deleteLogs', true),
      deleteStorage: boolParam(c, 'deleteStorage', true),
    };
    boolParam(c, 'deleteMetrics', true);
    return (engine, e) => reasonOf(() => engine.admin.delete(e.id, options));
  };
  const deletable = (c: Context) => {
    // Unfinished executions are never deleted under the executor; with includeNonTerminated they are skipped, not refused.
    const include = boolParam(c, 'includeNonTerminated', false);
    return (e: Execution) => (include ? undefined : settled(e));
  };
  api.delete('/executions/by-ids', op('deleteExecutionsByIds'), async (c) =>
    byIds(c, await jsonBody(c, Ids, 'a list of execution ids'), deletable(c), deleter(c)),
  );
  api.delete('/executions/by-query', op('deleteExecutionsByQuery'), (c) => {
    deletable(c);
    return byQuery(c, deleter(c));
  });

  api.post('/executions/labels/by-ids', op('setLabelsOnTerminatedExecutionsByIds'), async (c) => {
    const body = await jsonBody(c, SetLabelsByIds, '{executionsId, executionLabels}');
    return byIds(c, body.executionsId, settled, (engine, e) =>
      reasonOf(() => engine.admin.setLabels(e.id, body.executionLabels)),
    );
  });
  api.post('/executions/labels/by-query', op('setLabelsOnTerminatedExecutionsByQuery'), async (c) => {
    const labels = await jsonBody(c, LabelsBody, 'a list of labels');
    return byQuery(c, (engine, e) => reasonOf(() => engine.admin.setLabels(e.id, labels)));
  });

  return api;
}
