import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IN_SCOPE_20, RENAMED_IN_20 } from '../testing/kestra20-scope.js';
import { sharedPath } from '../testing/shared-corpus.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { OPERATION_HEADER, ROUTE_HEADER } from './operation.js';
import { PROBLEM_CONTENT_TYPE } from './problem-json.js';

/**
 * Every operation of Kestra 2.0 in scope (API-SCOPE-2.0.md), looked up by
 * operationId in `kestra-ee-2.0.0-snapshot.yml`, sent to a 2.0 instance with
 * sample path values: the handler that answers must carry that operation
 * (the `x-silo-operation` header; 2.0's renamed ids map to the handler's
 * 1.3 id) and be registered under that path (the `x-silo-route` header), so
 * no path is caught by a wider one. The 2.0-only paths are then sent to a
 * 1.3 instance, and the 1.3-only paths to the 2.0 one: both dialects serve
 * both where the paths do not collide.
 */
/** Paths only 2.0 has (served by a 1.3 instance too). */
const ONLY_20 = (path: string) => path.includes('/actions/') || path.includes('/outputs/');

/** 1.3 paths gone from 2.0 (CHANGES.md B.4), served by a 2.0 instance too. */
const ONLY_13: Operation[] = [
  ['DELETE', 'kill', 'killExecution'],
  ['POST', 'restart', 'restartExecution'],
  ['POST', 'replay', 'replayExecution'],
  ['POST', 'resume', 'resumeExecution'],
  ['POST', 'pause', 'pauseExecution'],
  ['POST', 'labels', 'setLabelsOnTerminatedExecution'],
  ['POST', 'change-status', 'updateExecutionStatus'],
  ['POST', 'replay-with-inputs', 'replayExecutionWithinputs'],
].map(([method, action, operationId]) => ({
  operationId: operationId!,
  method: method!,
  path: `/api/v1/{tenant}/executions/{executionId}/${action}`,
}));
ONLY_13.push({ operationId: 'listKeys', method: 'GET', path: '/api/v1/{tenant}/namespaces/{namespace}/kv' });

const SAMPLE: Record<string, string> = {
  tenant: 'main',
  namespace: 'company.team',
  id: 'hello',
  flowId: 'hello',
  executionId: 'exec1',
  taskRunId: 'tr1',
  key: 'k1',
  path: 'p',
};

type Operation = { operationId: string; method: string; path: string };

function specOperations(): Map<string, Operation> {
  const file = sharedPath('conformance', 'kestra-2.0', 'kestra-ee-2.0.0-snapshot.yml');
  const spec = parse(readFileSync(file, 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string; 'x-kestra'?: unknown }>>;
  };
  const out = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, o] of Object.entries(methods))
      if (o?.operationId && !o['x-kestra'])
        out.set(o.operationId, { operationId: o.operationId, method: method.toUpperCase(), path });
  return out;
}

/** A route pattern with its parameters blanked: `/executions/{executionId}/x` and `/executions/:id/x` compare equal. */
const shape = (path: string) => path.replace(/\{\w+\}|:\w+(\{[^}]*\})?/g, '*');

async function send(orch: TestOrchestrator, o: Operation) {
  const url = o.path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? `x-${name}`);
  const r = await orch.app.request(url, { method: o.method });
  const where = `${o.method} ${url} (${r.status}): ${(await r.clone().text()).slice(0, 300)}`;
  expect(r.status, where).not.toBe(500);
  expect(r.headers.get(OPERATION_HEADER), where).toBe(RENAMED_IN_20[o.operationId] ?? o.operationId);
  expect(shape(r.headers.get(ROUTE_HEADER) ?? ''), where).toBe(shape(o.path));
  return r;
}

let v20: TestOrchestrator;
let v13: TestOrchestrator;
beforeAll(async () => {
  v20 = await startTestOrchestrator('routes-20', {
    exposeOperationIds: true,
    env: { SILO_KESTRA_VERSION: '2.0' },
  });
  v13 = await startTestOrchestrator('routes-13', { exposeOperationIds: true });
});
afterAll(async () => {
  await v20.close();
  await v13.close();
});

describe('route table of Kestra 2.0 in scope', () => {
  const spec = specOperations();
  const operations = IN_SCOPE_20.map((id) => {
    const o = spec.get(id);
    if (!o) throw new Error(`${id} is not an OSS operation of kestra-ee-2.0.0-snapshot.yml`);
    return o;
  });

  it('lists each operation once, none marked EE', () => {
    expect(new Set(IN_SCOPE_20).size).toBe(IN_SCOPE_20.length);
    expect(operations.length).toBe(64);
  });

  it.each(operations)('2.0 instance: $method $path is answered by $operationId', async (o) => {
    const r = await send(v20, o);
    // Every error a 2.0 instance answers is a problem document.
    if (r.status >= 400 && r.status !== 404) {
      expect(r.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    }
  });

  it.each(operations.filter((o) => ONLY_20(o.path)))(
    '1.3 instance: the 2.0-only $method $path is answered by $operationId',
    async (o) => {
      await send(v13, o);
    },
  );

  it.each(ONLY_13)('2.0 instance: the 1.3-only $method $path is answered by $operationId', async (o) => {
    await send(v20, o);
  });

  it('answers an unknown route with a not-found problem on 2.0, Kestra 1.3 JSON on 1.3', async () => {
    const r20 = await v20.app.request('/api/v1/main/no/such/route');
    expect(r20.status).toBe(404);
    expect(r20.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
    expect(await r20.json()).toMatchObject({
      type: 'https://kestra.io/docs/api-reference/problems/not-found',
      status: 404,
      instance: '/api/v1/main/no/such/route',
    });
    const r13 = await v13.app.request('/api/v1/main/no/such/route');
    expect(r13.headers.get('content-type')).toContain('application/json');
    expect(await r13.json()).toHaveProperty('message');
  });
});
