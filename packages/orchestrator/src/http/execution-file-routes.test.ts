import type { ExecutionJson } from '@silo/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

let orch: TestOrchestrator;
const base = '/api/v1/main';

beforeEach(async () => {
  orch = await startTestOrchestrator('exec-file');
});
afterEach(async () => {
  await orch.close();
});

const upload = `id: upload
namespace: company.team
inputs:
  - id: doc
    type: FILE
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.doc }}"
`;

async function run(content: string): Promise<ExecutionJson> {
  const form = new FormData();
  form.append('doc', new Blob([content]), 'notes.txt');
  const r = await orch.app.request(`${base}/executions/company.team/upload?wait=true`, {
    method: 'POST',
    body: form,
  });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as ExecutionJson;
}

describe('GET /executions/{id}/file', () => {
  it("downloads a file of the execution, and refuses another execution's file, a bad URI and a missing path", async () => {
    const deploy = await orch.app.request(`${base}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: upload,
    });
    expect(deploy.status).toBe(200);
    const a = await run('file of A');
    const b = await run('file of B');
    const uriA = String(a.inputs?.doc);
    expect(uriA).toMatch(/^kestra:\/\/\/company\/team\/upload\/executions\//);
    const ok = await orch.app.request(`${base}/executions/${a.id}/file?path=${encodeURIComponent(uriA)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="notes.txt"');
    expect(await ok.text()).toBe('file of A');

    const cross = await orch.app.request(`${base}/executions/${b.id}/file?path=${encodeURIComponent(uriA)}`);
    expect(cross.status).toBe(403);
    const traversal = await orch.app.request(
      `${base}/executions/${a.id}/file?path=${encodeURIComponent('kestra:///../x')}`,
    );
    expect(traversal.status).toBe(400);
    const missing = await orch.app.request(`${base}/executions/${a.id}/file`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('path');
    const gone = await orch.app.request(
      `${base}/executions/${a.id}/file?path=${encodeURIComponent(`${uriA}.nope`)}`,
    );
    expect(gone.status).toBe(404);
  });
});
