import { join } from 'node:path';
import type { ExecutionJson } from '@silo/contracts';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * Issue 12 §4: a tenant's writes past its storage quota fail with a clear
 * error naming the quota, and SQLite stays healthy. A real instance with a
 * 20 MB quota; the shell task writes 200 MB as the attacker did.
 */
let orch: TestOrchestrator;
const base = '/api/v1/main';

beforeEach(async () => {
  orch = await startTestOrchestrator('quota', { env: { SILO_STORAGE_MB: '20' } });
});
afterEach(async () => {
  await orch.close();
});

async function deploy(yaml: string): Promise<void> {
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: yaml,
  });
  expect(r.status, await r.clone().text()).toBe(200);
}

async function run(ns: string, id: string): Promise<ExecutionJson> {
  const r = await orch.app.request(`${base}/executions/${ns}/${id}?wait=true`, { method: 'POST' });
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as ExecutionJson;
}

async function errorLogs(executionId: string): Promise<string[]> {
  const r = await orch.app.request(`${base}/logs/${executionId}`);
  return ((await r.json()) as { level: string; message: string }[])
    .filter((l) => l.level === 'ERROR')
    .map((l) => l.message);
}

function integrity(): string {
  const db = new Database(join(orch.dir, 'silo.db'), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

describe('storage quota (SILO_STORAGE_MB) inside the instance', () => {
  it('stops a shell task that writes 200 MB, naming the quota; the instance stays healthy', async () => {
    await deploy(`id: fill
namespace: attack
tasks:
  - id: dd
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - head -c 209715200 /dev/zero > big.bin
`);
    const e = await run('attack', 'fill');
    expect(e.state.current).toBe('FAILED');
    expect((await errorLogs(e.id)).join('\n')).toMatch(/storage quota of 20 MB \(storageMb\)/);
    expect(integrity()).toBe('ok');
    // Nothing of the 200 MB stayed: the working folder is removed, and the next write fits.
    const kv = await orch.app.request(`${base}/namespaces/attack/kv/after`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify('still fine'),
    });
    expect(kv.status).toBeLessThan(300);
    const report = (await (await orch.app.request('/_silo/lifecycle')).json()) as {
      storageUsedBytes: number;
    };
    expect(report.storageUsedBytes).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses KV values past the quota with 507 naming storageMb; reads and deletes still work', async () => {
    const value = JSON.stringify('x'.repeat(900 * 1024));
    let refused: Response | undefined;
    for (let i = 0; i < 40 && refused === undefined; i++) {
      const r = await orch.app.request(`${base}/namespaces/fill/kv/k${i}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: value,
      });
      if (r.status !== 200 && r.status !== 204) refused = r;
    }
    expect(refused?.status).toBe(507);
    const body = (await refused?.json()) as { message: string; _embedded?: { errors: { path: string }[] } };
    expect(body.message).toMatch(/storage quota of 20 MB \(storageMb\)/);
    expect(body._embedded?.errors[0]?.path).toBe('storageMb');
    expect((await orch.app.request(`${base}/namespaces/fill/kv/k0`)).status).toBe(200);
    expect(
      (await orch.app.request(`${base}/namespaces/fill/kv/k0`, { method: 'DELETE' })).status,
    ).toBeLessThan(300);
    expect(integrity()).toBe('ok');
  });

  it('fails a task whose logs pass the quota, naming it', async () => {
    await deploy(`id: chatty
namespace: attack
tasks:
  - id: talk
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - yes ${'a'.repeat(1000)} | head -n 30000
`);
    const e = await run('attack', 'chatty');
    expect(e.state.current).toBe('FAILED');
    expect((await errorLogs(e.id)).join('\n')).toMatch(/storage quota of 20 MB \(storageMb\)/);
    expect(integrity()).toBe('ok');
  });
});
