import { check, json, type Loose, problem, type Scenario } from './scenario-kit.js';

/**
 * Kestra 2.0 API scenarios, written from the docs digest
 * (`shared/conformance/kestra-2.0/CHANGES.md`, sections B and C.3), each one
 * thing a 2.0 client relies on; the source is on each.
 */
export const SCENARIOS: Scenario[] = [
  {
    name: 'kill moved under /actions answers 200 and the execution',
    source: 'B.1 row 12',
    async run(api) {
      const { id } = await json(await api.call('POST', '/executions/conformance.api/waiter'), 200, 'create');
      await api.waitFor(id, 'PAUSED');
      const killed = await json(await api.call('DELETE', `/executions/${id}/actions/kill`), 200, 'kill');
      check(
        killed.id === id && ['KILLING', 'KILLED'].includes(killed.state.current),
        `kill: ${killed.state.current}`,
      );
      await api.waitFor(id, 'KILLED');
      await problem(
        await api.call('DELETE', `/executions/${id}/actions/kill`),
        409,
        'conflict',
        'kill again',
      );
    },
  },
  {
    name: 'resume moved under /actions answers 200 and the execution, 409 when not paused',
    source: 'B.1 row 15',
    async run(api) {
      const { id } = await json(await api.call('POST', '/executions/conformance.api/waiter'), 200, 'create');
      await api.waitFor(id, 'PAUSED');
      const form = new FormData();
      const resumed = await json(
        await api.call('POST', `/executions/${id}/actions/resume`, { body: form }),
        200,
        'resume',
      );
      check(resumed.id === id, 'resume answers the execution');
      await api.waitFor(id, 'SUCCESS');
      await problem(
        await api.call('POST', `/executions/${id}/actions/resume`, { body: form }),
        409,
        'conflict',
        'resume again',
      );
    },
  },
  {
    name: 'restart and replay under /actions; a replay names its original',
    source: 'B.1 rows 13–14',
    async run(api) {
      const failed = await api.run('failing');
      check(failed.state.current === 'FAILED', 'the failing flow fails');
      const restarted = await json(
        await api.call('POST', `/executions/${failed.id}/actions/restart`),
        200,
        'restart',
      );
      check(restarted.id === failed.id, 'restart keeps the id');
      const ok = await api.run('hello');
      const replay = await json(await api.call('POST', `/executions/${ok.id}/actions/replay`), 200, 'replay');
      check(replay.id !== ok.id && replay.originalId === ok.id, `replay originalId ${replay.originalId}`);
    },
  },
  {
    name: 'labels and change-status under /actions answer the execution',
    source: 'B.3',
    async run(api) {
      const e = await api.run('hello');
      const labelled = await json(
        await api.call('POST', `/executions/${e.id}/actions/labels`, {
          body: JSON.stringify([{ key: 'reviewed', value: 'yes' }]),
          type: 'application/json',
        }),
        200,
        'labels',
      );
      check(
        labelled.labels.some((l: Loose) => l.key === 'reviewed'),
        'label set',
      );
      const changed = await json(
        await api.call('POST', `/executions/${e.id}/actions/change-status?status=WARNING`),
        200,
        'change-status',
      );
      check(changed.state.current === 'WARNING', 'status changed');
    },
  },
  {
    name: 'a 1.3 action path still answers on a 2.0 instance (paths do not collide)',
    source: 'B.5, DESIGN.md Wave 2',
    async run(api) {
      const { id } = await json(await api.call('POST', '/executions/conformance.api/waiter'), 200, 'create');
      await api.waitFor(id, 'PAUSED');
      const r = await api.call('DELETE', `/executions/${id}/kill`);
      check(r.status === 202, `1.3 kill answers ${r.status}`);
      await api.waitFor(id, 'KILLED');
    },
  },
  {
    name: 'errors are RFC 9457 problem details: not-found',
    source: 'C.3',
    async run(api) {
      const body = await problem(
        await api.call('GET', '/executions/no-such-id'),
        404,
        'not-found',
        'get unknown',
      );
      check(body.instance === '/api/v1/main/executions/no-such-id', 'instance is the request path');
      check(!String(body.detail).startsWith('Not Found:'), 'detail is the sentence alone');
    },
  },
  {
    name: 'unknown filter fields are rejected as invalid-query-filters, naming the field',
    source: 'C.3, B.0',
    async run(api) {
      const body = await problem(
        await api.call('GET', '/executions/search?filters[colour][EQUALS]=red'),
        400,
        'invalid-query-filters',
        'unknown filter',
      );
      check(body.errors?.[0]?.path === 'colour', `errors[0].path ${body.errors?.[0]?.path}`);
      await problem(
        await api.call('GET', '/logs/search?filters[level][EQUALS]=WARN'),
        400,
        'invalid-query-filters',
        'level EQUALS',
      );
    },
  },
  {
    name: 'an invalid flow is a validation problem with errors[]',
    source: 'C.3',
    async run(api) {
      const body = await problem(
        await api.call('POST', '/flows', {
          body: 'id: x\nnamespace: conformance.api\n',
          type: 'application/x-yaml',
        }),
        422,
        'validation-failed',
        'invalid flow',
      );
      check(Array.isArray(body.errors) && body.errors.length > 0, 'errors[] lists what is wrong');
    },
  },
  {
    name: 'search answers light executions with tenantId; get answers ApiExecution; outputs have their own endpoint',
    source: 'B.1 rows 10–11, B.3',
    async run(api) {
      const e = await api.run('hello');
      const page = await json(
        await api.call('GET', `/executions/search?filters[flowId][EQUALS]=hello`),
        200,
        'search',
      );
      const item = page.results.find((x: Loose) => x.id === e.id);
      check(
        item && typeof item.tenantId === 'string' && !('taskRunList' in item) && !('deleted' in item),
        'light item',
      );
      const full = await json(await api.call('GET', `/executions/${e.id}`), 200, 'get');
      check(typeof full.tenantId === 'string' && !('deleted' in full), 'ApiExecution');
      check(
        full.taskRunList.every((t: Loose) => !('outputs' in t) && !('executionId' in t)),
        'ApiTaskRun',
      );
      const infos = await json(await api.call('GET', `/outputs/${e.id}`), 200, 'outputs');
      const ret = infos.find((o: Loose) => o.taskId === 'ret');
      const out = await json(
        await api.call('GET', `/outputs/${e.id}/${ret?.taskRunId}`),
        200,
        'task run outputs',
      );
      check(out.value === 'forty-two', `outputs ${JSON.stringify(out)}`);
    },
  },
  {
    name: 'execution search takes filter groups (filters[or][n][...])',
    source: 'B.0 QueryFilter logical/children, PR #16170',
    async run(api) {
      const ok = await api.run('hello');
      const failed = await api.run('failing');
      const page = await json(
        await api.call(
          'GET',
          '/executions/search?size=100&filters[namespace][EQUALS]=conformance.api' +
            `&filters[or][0][state][EQUALS]=FAILED&filters[or][1][flowId][EQUALS]=hello`,
        ),
        200,
        'grouped search',
      );
      const ids = page.results.map((x: Loose) => x.id);
      check(ids.includes(ok.id) && ids.includes(failed.id), 'both branches of the OR match');
      check(
        page.results.every((x: Loose) => x.flowId === 'hello' || x.state.current === 'FAILED'),
        'nothing else',
      );
    },
  },
  {
    name: 'KV listing is a page of entries with revision',
    source: 'B.1 rows 24, 29',
    async run(api) {
      const put = await api.call('PUT', '/namespaces/conformance.api/kv/cursor', {
        body: '"a"',
        type: 'text/plain',
      });
      check(put.status === 200, `put ${put.status}`);
      await api.call('PUT', '/namespaces/conformance.api/kv/cursor', { body: '"b"', type: 'text/plain' });
      const page = await json(
        await api.call('GET', '/kv?filters[namespace][EQUALS]=conformance.api'),
        200,
        'kv',
      );
      const entry = page.results.find((x: Loose) => x.key === 'cursor');
      check(
        typeof page.total === 'number' && entry?.revision === 2 && !('version' in entry),
        'KVEntry.revision',
      );
    },
  },
  {
    name: 'trigger search answers {trigger, state} with ApiTriggerState',
    source: 'B.1 rows 30–31',
    async run(api) {
      const page = await json(
        await api.call('GET', '/triggers/search?filters[flowId][EQUALS]=hello'),
        200,
        'triggers',
      );
      const t = page.results.find((x: Loose) => x.trigger?.id === 'nightly');
      check(t && typeof t.state.updatedAt === 'string' && t.state.kind === 'SCHEDULE', 'trigger + state');
      check(typeof t.state.nextEvaluationDate === 'string' && !('triggerContext' in t), 'renamed fields');
      const forFlow = await json(await api.call('GET', '/triggers/conformance.api/hello'), 200, 'for flow');
      check(
        forFlow.results[0]?.triggerId === 'nightly' && 'updatedAt' in forFlow.results[0],
        'ApiTriggerState page',
      );
    },
  },
  {
    name: 'log search pages with a cursor: every line once, then no nextCursor',
    source: 'B.1 adjacent (searchLogs cursor)',
    async run(api) {
      await api.run('hello');
      const all = await json(await api.call('GET', '/logs/search?size=1000'), 200, 'offset');
      check(all.type === 'OFFSET' && typeof all.total === 'number', 'offset page');
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 1000; i++) {
        const page = await json(await api.call('GET', `/logs/search?size=2&cursor=${cursor}`), 200, 'cursor');
        check(page.type === 'CURSOR' && page.results.length <= 2, 'cursor page');
        for (const l of page.results) seen.push(`${l.timestamp} ${l.executionId} ${l.message}`);
        if (!page.nextCursor) break;
        cursor = encodeURIComponent(page.nextCursor);
      }
      check(seen.length === all.total, `cursor pages hold ${seen.length} lines, offset total ${all.total}`);
    },
  },
  {
    name: 'logs take filters: level range, task, and groups (one execution and search)',
    source: 'B.1 row 21, PR #16202',
    async run(api) {
      const e = await api.run('hello');
      const warn = await json(
        await api.call('GET', `/logs/${e.id}?filters[level][GREATER_THAN_OR_EQUAL_TO]=WARN`),
        200,
        'level',
      );
      check(
        warn.length > 0 && warn.every((l: Loose) => l.level === 'WARN' || l.level === 'ERROR'),
        'level ≥ WARN',
      );
      const either = await json(
        await api.call(
          'GET',
          `/logs/${e.id}?filters[or][0][taskId][EQUALS]=log&filters[or][1][taskId][EQUALS]=warn`,
        ),
        200,
        'group',
      );
      const tasks = new Set(either.map((l: Loose) => l.taskId));
      check(tasks.size === 2 && tasks.has('log') && tasks.has('warn'), `tasks ${[...tasks].join(',')}`);
      const searched = await json(
        await api.call(
          'GET',
          `/logs/search?size=100&filters[executionId][EQUALS]=${e.id}` +
            '&filters[or][0][q][CONTAINS]=careful&filters[or][1][q][CONTAINS]=hello',
        ),
        200,
        'grouped search',
      );
      const messages = new Set(searched.results.map((l: Loose) => l.message));
      check(messages.size === 2 && messages.has('careful') && messages.has('hello'), 'OR across log search');
    },
  },
];
