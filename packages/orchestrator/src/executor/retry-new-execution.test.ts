import type { ExecutionJson, ExecutionPageJson } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

let orch: TestOrchestrator;
const base = '/api/v1/main';

beforeEach(async () => {
  orch = await startTestOrchestrator('retry-new');
});
afterEach(async () => {
  await orch.close();
});

const FLOW = `id: flaky
namespace: company.team
labels:
  team: data
retry:
  type: constant
  interval: PT0.05S
  maxAttempts: 3
  behavior: CREATE_NEW_EXECUTION
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`;

describe('flow retry with behavior CREATE_NEW_EXECUTION', () => {
  it('each failure ends its execution RETRIED and replays it as a new one, until the last attempt FAILS', async () => {
    const deployed = await orch.app.request(`${base}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBe(200);
    const first = (await (
      await orch.app.request(`${base}/executions/company.team/flaky?wait=true`, { method: 'POST' })
    ).json()) as ExecutionJson;
    expect(first.state.current).toBe('RETRIED');
    expect(first.taskRunList.map((t) => t.state.current)).toEqual(['RETRIED']);

    const chain = async (): Promise<ExecutionJson[]> =>
      (
        (await (
          await orch.app.request(`${base}/executions/search?flowId=flaky&sort=state.startDate:asc`)
        ).json()) as ExecutionPageJson
      ).results;
    const end = Date.now() + 5000;
    let all = await chain();
    while ((all.length < 3 || all.at(-1)?.state.current !== 'FAILED') && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
      all = await chain();
    }
    expect(all.map((e) => e.state.current)).toEqual(['RETRIED', 'RETRIED', 'FAILED']);
    expect(all.map((e) => e.metadata.attemptNumber)).toEqual([1, 2, 3]);
    expect(all[1]?.parentId).toBe(all[0]?.id);
    expect(all[2]?.parentId).toBe(all[1]?.id);
    for (const e of all) {
      expect(e.originalId).toBe(first.id);
      expect(e.metadata.originalCreatedDate).toBe(first.metadata.originalCreatedDate);
    }
    const labels = Object.fromEntries(all[2]!.labels.map((l) => [l.key, l.value]));
    expect(labels).toMatchObject({ team: 'data', 'system.restarted': 'true' });
    expect(all[2]!.taskRunList.map((t) => t.state.current)).toEqual(['FAILED']);
  });
});
