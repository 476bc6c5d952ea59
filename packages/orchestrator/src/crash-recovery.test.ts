import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionJson } from '@silo/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, INSTANCE_MAIN, startInstanceProcess } from './testing/instance-process.js';

/**
 * Crash safety (issue 4, item 6): the real orchestrator in a child process
 * (`dist/main.js`, built by `npx tsc -b`), 50 executions, SIGKILL mid-way,
 * restart on the same data folder: all 50 end SUCCESS, every task run exists
 * exactly once, and the Sleep timers kept their stored due time.
 */
const dir = mkdtempSync(join(tmpdir(), 'silo-crash-'));
const children: ChildProcess[] = [];

async function start(port: number): Promise<ChildProcess> {
  const child = await startInstanceProcess({ tenantId: 'crash', port, dataDir: dir });
  children.push(child);
  return child;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const FLOW = `id: crashy
namespace: crash.test
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: "a {{ execution.id }}"
  - id: s
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.8S
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: b
        type: io.kestra.plugin.core.log.Log
        message: b
      - id: c
        type: io.kestra.plugin.core.debug.Return
        format: c
  - id: d
    type: io.kestra.plugin.core.output.OutputValues
    values:
      v: "{{ outputs.c.value }}"
`;

describe('crash recovery (SIGKILL)', () => {
  it('after a SIGKILL and a restart, 50 executions all end SUCCESS with every task run once', async () => {
    expect(existsSync(INSTANCE_MAIN), `${INSTANCE_MAIN} missing: run npx tsc -b first`).toBe(true);
    const port = await freePort();
    const api = `http://127.0.0.1:${port}/api/v1/main`;
    const first = await start(port);
    const deployed = await fetch(`${api}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-yaml' },
      body: FLOW,
    });
    expect(deployed.status).toBe(200);
    // Created concurrently and killed right after: some are mid-decision, some have jobs
    // queued or claimed, some sit in their Sleep timer.
    const ids = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const r = await fetch(`${api}/executions/crash.test/crashy`, { method: 'POST' });
        return ((await r.json()) as { id: string }).id;
      }),
    );
    await new Promise((r) => setTimeout(r, 5));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const killedAt = Date.now();
    await start(port);
    const done = new Map<string, ExecutionJson>();
    const end = Date.now() + 30_000;
    while (done.size < ids.length && Date.now() < end) {
      for (const id of ids) {
        if (done.has(id)) continue;
        const e = (await (await fetch(`${api}/executions/${id}`)).json()) as ExecutionJson;
        if (['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes(e.state.current)) done.set(id, e);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done.size).toBe(50);
    for (const e of done.values()) {
      expect(e.state.current).toBe('SUCCESS');
      const taskIds = e.taskRunList.map((t) => t.taskId).sort();
      expect(taskIds).toEqual(['a', 'b', 'c', 'd', 'p', 's']);
      for (const t of e.taskRunList) expect(t.state.current).toBe('SUCCESS');
      const s = e.taskRunList.find((t) => t.taskId === 's');
      const started = Date.parse(s?.state.histories[0]?.date ?? '');
      const ended = Date.parse(s?.state.histories.at(-1)?.date ?? '');
      expect(ended - started).toBeGreaterThanOrEqual(790);
      // A timer resumes from its stored due time, not from zero after the restart.
      if (started < killedAt) expect(ended - killedAt).toBeLessThan(800 + 2000);
      expect(e.outputs ?? null).toBeNull();
      expect(e.taskRunList.find((t) => t.taskId === 'd')?.outputs).toMatchObject({ values: { v: 'c' } });
    }
    const attemptsOver1 = [...done.values()].flatMap((e) =>
      e.taskRunList.filter((t) => t.attempts.length > 1),
    );
    console.log(
      `crash recovery: 50/50 SUCCESS; ${attemptsOver1.length} task runs were resubmitted as a new attempt`,
    );
  }, 60_000);
});
