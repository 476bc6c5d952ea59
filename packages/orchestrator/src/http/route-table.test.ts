import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedPath } from '../testing/shared-corpus.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { OPERATION_HEADER } from './operation.js';

/**
 * Every operation of Kestra 1.3 that this instance serves: the 34 of
 * SCOPE.md (shared/conformance/kestra-api), the adjacent ones it lists, and
 * those of issue 13 (API-SCOPE.md of this package). Each is looked up in
 * `kestra-1.3.0.yml` by operationId, sent with sample path values, and must
 * be answered by the handler that carries that operationId: no path may be
 * caught by a wider one (`/logs/search` by `/logs/{executionId}`,
 * `/executions/{id}/labels` by `/executions/{namespace}/{id}`, ...).
 */
const IN_SCOPE = [
  // SCOPE.md rows 1–34 (row 22, logs follow, is not in the 1.3.0 file: below).
  'createFlow',
  'flow',
  'updateFlow',
  'deleteFlow',
  'searchFlows',
  'listFlowRevisions',
  'validateFlows',
  'searchFlowsBySourceCode',
  'createExecution',
  'execution',
  'searchExecutions',
  'killExecution',
  'restartExecution',
  'replayExecution',
  'resumeExecution',
  'followExecution',
  'triggerExecutionByGetWebhook',
  'triggerExecutionByGetWebhookWithPath',
  'triggerExecutionByPostWebhookWithPath',
  'triggerExecutionByPutWebhookWithPath',
  'listLogsFromExecution',
  'downloadLogsFromExecution',
  'listKeys',
  'keyValue',
  'setKeyValue',
  'deleteKeyValue',
  'deleteKeyValues',
  'listKeysWithInheritence',
  'searchTriggers',
  'searchTriggersForFlow',
  'searchNamespaces',
  'namespace',
  'listDistinctNamespaces',
  // SCOPE.md's adjacent operations.
  'listFlowsByNamespace',
  'updateFlowsInNamespace',
  'deleteExecution',
  'replayExecutionWithinputs',
  'searchLogs',
  'deleteLogsFromExecution',
  // Issue 13 deliverable 7.
  'setLabelsOnTerminatedExecution',
  'pauseExecution',
  'updateExecutionStatus',
  'flowFromExecutionById',
  'executionFlowGraph',
  'generateFlowGraph',
  'bulkUpdateFlows',
  'importFlows',
  'exportFlowsByIds',
  'exportFlowsByQuery',
  'killExecutionsByIds',
  'killExecutionsByQuery',
  'restartExecutionsByIds',
  'restartExecutionsByQuery',
  'deleteExecutionsByIds',
  'deleteExecutionsByQuery',
  'setLabelsOnTerminatedExecutionsByIds',
  'setLabelsOnTerminatedExecutionsByQuery',
  'listAllKeys',
  'fileContent',
  'createNamespaceFile',
  'deleteFileDirectory',
  'moveFileDirectory',
  'listNamespaceDirectoryFiles',
  'createNamespaceDirectory',
  'fileMetadatas',
];

/** Routes Kestra serves that the 1.3.0 file does not describe (SCOPE.md row 22 and the webhook notes). */
const OUTSIDE_FILE = [
  {
    operationId: 'followLogsFromExecution',
    method: 'GET',
    path: '/api/v1/{tenant}/logs/{executionId}/follow',
  },
  {
    operationId: 'triggerExecutionByPostWebhook',
    method: 'POST',
    path: '/api/v1/{tenant}/executions/webhook/{namespace}/{id}/{key}',
  },
  {
    operationId: 'triggerExecutionByPutWebhook',
    method: 'PUT',
    path: '/api/v1/{tenant}/executions/webhook/{namespace}/{id}/{key}',
  },
];

const SAMPLE: Record<string, string> = {
  tenant: 'main',
  namespace: 'company.team',
  id: 'hello',
  flowId: 'hello',
  executionId: 'exec1',
  key: 'k1',
  path: 'p',
  taskId: 't',
};

type Operation = { operationId: string; method: string; path: string };

function specOperations(): Map<string, Operation> {
  const spec = parse(readFileSync(sharedPath('conformance', 'kestra-api', 'kestra-1.3.0.yml'), 'utf8')) as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const out = new Map<string, Operation>();
  for (const [path, methods] of Object.entries(spec.paths))
    for (const [method, o] of Object.entries(methods))
      if (o?.operationId)
        out.set(o.operationId, { operationId: o.operationId, method: method.toUpperCase(), path });
  return out;
}

let orch: TestOrchestrator;
beforeAll(async () => {
  orch = await startTestOrchestrator('routes', { exposeOperationIds: true });
});
afterAll(() => orch.close());

describe('route table of Kestra 1.3 in scope', () => {
  const spec = specOperations();
  const operations: Operation[] = [
    ...IN_SCOPE.map((id) => {
      const o = spec.get(id);
      if (!o) throw new Error(`${id} is not in kestra-1.3.0.yml`);
      return o;
    }),
    ...OUTSIDE_FILE,
  ];

  it('lists each operation once', () => {
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
    expect(operations.length).toBeGreaterThanOrEqual(68);
  });

  it.each(operations)('$method $path is answered by $operationId', async (o) => {
    const url = o.path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE[name] ?? `x-${name}`);
    const r = await orch.app.request(url, { method: o.method });
    expect(r.status, `${o.method} ${url}: ${await r.clone().text()}`).not.toBe(500);
    expect(r.headers.get(OPERATION_HEADER), `${o.method} ${url} (${r.status})`).toBe(o.operationId);
  });

  it('drops the header when not asked to expose it', async () => {
    const plain = await startTestOrchestrator('routes-plain');
    try {
      const r = await plain.app.request('/api/v1/main/logs/search');
      expect(r.status).toBe(200);
      expect(r.headers.get(OPERATION_HEADER)).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
