import type { ExecutionPageJson, KestraErrorBody } from '@silo/contracts';
import { Hono } from 'hono';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecution } from '../model/execution.js';
import { Engine } from '../runner/engine.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { sqliteEngineStores } from '../sqlite/sqlite-engine-stores.js';
import { SqliteFlowRepository } from '../sqlite/sqlite-flow-repository.js';
import { createExecutionsRoutes } from './executions-routes.js';
import { makeOnError } from './on-error.js';

let db: SqliteDatabase;
let app: Hono;
const DAY = 86_400_000;

/** Executions stored directly (no engine loop): ids, flows, states and start dates chosen by the test. */
beforeEach(() => {
  db = openDatabase(':memory:');
  const flows = new SqliteFlowRepository(db);
  const engine = new Engine({
    stores: sqliteEngineStores(db),
    flows,
    dataDir: '/nonexistent',
    logger: pino({ level: 'silent' }),
  });
  const rows: Array<[string, string, string, string, number]> = [
    ['exec-alpha-1', 'company.team', 'alpha', 'SUCCESS', 60_000],
    ['exec-alpha-2', 'company.team', 'alpha', 'FAILED', 120_000],
    ['exec-beta-1', 'company.ops', 'beta', 'RUNNING', 180_000],
    ['exec-old-1', 'company.team', 'alpha', 'SUCCESS', 10 * DAY],
  ];
  const now = Date.now();
  for (const [id, namespace, flowId, state, ago] of rows) {
    const e = createExecution(
      { id, namespace, flowId, flowRevision: 1, inputs: {}, labels: [{ key: 'k', value: flowId }] },
      new Date(now - ago),
    );
    e.state.current = state as typeof e.state.current;
    engine.executions.insert(e);
  }
  app = new Hono();
  app.onError(makeOnError(pino({ level: 'silent' })));
  app.route(
    '/',
    createExecutionsRoutes({ engine: () => engine, flows: () => flows, dataDir: '/nonexistent' }),
  );
});
afterEach(() => db.close());

/** A 200 answers a page; the 400 test reads the body as an error (`search<KestraErrorBody>`). */
const search = async <Body = ExecutionPageJson>(query: string) => {
  const r = await app.request(`/executions/search?${query}`);
  return { status: r.status, body: (await r.json()) as Body };
};
const ids = (body: ExecutionPageJson) => body.results.map((e) => e.id);

describe('GET /executions/search', () => {
  it('q matches id, namespace or flow id, case-insensitively', async () => {
    expect(ids((await search('q=BETA')).body)).toEqual(['exec-beta-1']);
    expect((await search('filters[q][EQUALS]=ops')).body.total).toBe(1);
    expect((await search('q=alpha')).body.total).toBe(3);
    expect((await search('q=%25')).body.total).toBe(0); // LIKE wildcards are literal
  });

  it('timeRange keeps executions started within the duration', async () => {
    const r = await search('filters[timeRange][EQUALS]=PT168H&sort=state.startDate:asc');
    expect(ids(r.body)).toEqual(['exec-beta-1', 'exec-alpha-2', 'exec-alpha-1']);
    expect((await search('timeRange=P30D')).body.total).toBe(4);
  });

  it('sorts on state.startDate and state.current, and pages with the right total', async () => {
    expect(ids((await search('sort=state.startDate:desc')).body)).toEqual([
      'exec-alpha-1',
      'exec-alpha-2',
      'exec-beta-1',
      'exec-old-1',
    ]);
    const byState = await search('sort=state.current:asc,state.startDate:desc');
    expect(byState.body.results.map((e) => e.state.current)).toEqual([
      'FAILED',
      'RUNNING',
      'SUCCESS',
      'SUCCESS',
    ]);
    const page2 = await search('size=3&page=2&sort=state.startDate:desc');
    expect(page2.body).toMatchObject({ total: 4 });
    expect(ids(page2.body)).toEqual(['exec-old-1']);
    const beyond = await search('size=3&page=5');
    expect(beyond.body).toMatchObject({ total: 4, results: [] });
    const filtered = await search(
      'filters[state][IN]=SUCCESS,FAILED&filters[namespace][EQUALS]=company.team&size=1',
    );
    expect(filtered.body.total).toBe(3);
    expect(filtered.body.results).toHaveLength(1);
  });

  it('filter operations on namespace, flowId, state and labels', async () => {
    const total = async (query: string) => (await search(query)).body.total as number;
    expect(await total('filters[namespace][EQUALS]=company')).toBe(0);
    expect(await total('filters[namespace][EQUALS]=company.ops')).toBe(1);
    expect(await total('filters[namespace][PREFIX]=company')).toBe(4);
    expect(await total('namespace=company')).toBe(4);
    expect(await total('filters[namespace][NOT_EQUALS]=company.ops')).toBe(3);
    expect(await total('filters[namespace][STARTS_WITH]=comp')).toBe(4);
    expect(await total('filters[flowId][CONTAINS]=lph')).toBe(3);
    expect(await total('filters[flowId][IN]=alpha,beta')).toBe(4);
    expect(await total('filters[flowId][NOT_IN]=alpha')).toBe(1);
    expect(await total('filters[flowId][ENDS_WITH]=ta')).toBe(1);
    expect(await total('filters[state][NOT_IN]=SUCCESS,FAILED')).toBe(1);
    expect(await total('filters[state][NOT_EQUALS]=RUNNING')).toBe(3);
    expect(await total('filters[labels][NOT_EQUALS][k]=alpha')).toBe(1);
    expect(await total('filters[labels][EQUALS][k]=alpha&filters[state][EQUALS]=SUCCESS')).toBe(2);
  });

  it.each([
    ['state=NOPE', 'state'],
    ['filters[state][IN]=SUCCESS,WAT', 'state'],
    ['filters[timeRange][EQUALS]=1week', 'timeRange'],
    ['sort=nope:asc', 'sort'],
    ['sort=state.startDate:sideways', 'sort'],
    ['labels=novalue', 'labels'],
    ['page=-1', 'page'],
    ['size=0', 'size'],
    ['size=100000', 'size'],
    ['startDate=yesterday', 'startDate'],
    ['filters[bogus][EQUALS]=1', 'bogus'],
    ['filters[flowId][REGEX]=.*', 'flowId'],
    ['filters[state][CONTAINS]=RUN', 'state'],
    ['filters[labels][CONTAINS][k]=a', 'labels'],
    ['filters[timeRange][GREATER_THAN]=PT1H', 'timeRange'],
    ['filters[flowId][IN]=', 'flowId'],
  ])('%s → 400 naming %s', async (query, field) => {
    const r = await search<KestraErrorBody>(query);
    expect(r.status).toBe(400);
    expect(r.body._embedded?.errors[0]?.path).toBe(field);
    expect(r.body.message).toMatch(/^Bad Request/);
  });
});
