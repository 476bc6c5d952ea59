import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createOrchestrator, type Orchestrator } from '../orchestrator.js';

type Exec = {
  id: string;
  state: { current: string };
  taskRunList: Array<{
    taskId: string;
    state: { current: string };
    outputs?: Record<string, unknown> | null;
  }>;
};

const dir = mkdtempSync(join(tmpdir(), 'silo-subflow-restart-'));
const open = async (): Promise<Orchestrator> => {
  const o = createOrchestrator(
    loadConfig({ SILO_TENANT_ID: 'acme', SILO_DATA_DIR: dir, SILO_SHUTDOWN_GRACE_MS: '100' }),
    pino({ level: 'silent' }),
  );
  await o.start();
  return o;
};
const req = (o: Orchestrator, method: string, path: string, body?: string) =>
  o.app.request(`/api/v1/main${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/x-yaml' }, body } : {}),
  });
async function until(o: Orchestrator, id: string, pred: (e: Exec) => boolean, ms = 10_000): Promise<Exec> {
  const end = Date.now() + ms;
  for (;;) {
    const e = (await (await req(o, 'GET', `/executions/${id}`)).json()) as Exec;
    if (pred(e) || Date.now() > end) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Subflow across a restart of the instance', () => {
  it('a parent waiting on a sleeping child finishes after the instance stops and starts again', async () => {
    let o = await open();
    await req(
      o,
      'POST',
      '/flows',
      'id: nap\nnamespace: t.r\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1S\n',
    );
    await req(
      o,
      'POST',
      '/flows',
      'id: boss\nnamespace: t.r\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t.r\n    flowId: nap\n  - id: done\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ outputs.call.state }}"\n',
    );
    const e = (await (await req(o, 'POST', '/executions/t.r/boss')).json()) as Exec;
    await until(o, e.id, (x) => typeof x.taskRunList[0]?.outputs?.executionId === 'string');
    await o.stop();
    await new Promise((r) => setTimeout(r, 1200));
    o = await open();
    try {
      const final = await until(o, e.id, (x) => ['SUCCESS', 'FAILED', 'KILLED'].includes(x.state.current));
      expect(final.state.current).toBe('SUCCESS');
      expect(final.taskRunList.map((t) => [t.taskId, t.state.current])).toEqual([
        ['call', 'SUCCESS'],
        ['done', 'SUCCESS'],
      ]);
      expect(final.taskRunList[1]?.outputs?.value).toBe('SUCCESS');
    } finally {
      await o.stop();
    }
  });
});
