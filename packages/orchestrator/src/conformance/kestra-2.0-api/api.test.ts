import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { createOrchestrator, type Orchestrator } from '../../orchestrator.js';
import { type Api, FLOWS } from './scenario-kit.js';
import { SCENARIOS } from './scenarios.js';

/**
 * The Kestra 2.0 API scenarios (scenarios.ts) on an instance whose config
 * says `SILO_KESTRA_VERSION=2.0`, in process as the 1.3 corpus runs. Prints
 * `conformance 2.0 api: N/M passed`.
 */
let dir: string;
let orch: Orchestrator;
const results: Array<{ name: string; passed: boolean; why?: string }> = [];

const api: Api = {
  call: async (method, path, init = {}) =>
    orch.app.request(`/api/v1/main${path}`, {
      method,
      headers: init.type ? { 'content-type': init.type } : {},
      ...(init.body !== undefined ? { body: init.body } : {}),
    }),
  async run(flowId) {
    const r = await api.call('POST', `/executions/conformance.api/${flowId}?wait=true`);
    if (r.status !== 200) throw new Error(`run ${flowId}: ${r.status} ${await r.text()}`);
    return r.json();
  },
  async waitFor(id, state) {
    for (let i = 0; i < 100; i++) {
      const e = (await (await api.call('GET', `/executions/${id}`)).json()) as {
        state?: { current?: string };
      };
      if (e.state?.current === state) return e;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`execution ${id} did not reach ${state} within 5 s`);
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silo-conformance-20-api-'));
  orch = createOrchestrator(
    loadConfig({
      SILO_TENANT_ID: 'conformance',
      SILO_DATA_DIR: dir,
      SILO_SHUTDOWN_GRACE_MS: '100',
      SILO_KESTRA_VERSION: '2.0',
    }),
    pino({ level: 'silent' }),
  );
  await orch.start();
  for (const body of FLOWS) {
    const r = await api.call('POST', '/flows', { body, type: 'application/x-yaml' });
    if (r.status !== 200) throw new Error(`deploy: ${r.status} ${await r.text()}`);
  }
});

afterAll(async () => {
  const passed = results.filter((r) => r.passed).length;
  const failed = results.filter((r) => !r.passed).map((r) => `  ✗ ${r.name}: ${r.why}`);
  console.log([`conformance 2.0 api: ${passed}/${SCENARIOS.length} passed`, ...failed].join('\n'));
  await orch.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Kestra 2.0 API scenarios', () => {
  it.each(SCENARIOS)('$name ($source)', async (s) => {
    try {
      await s.run(api);
      results.push({ name: s.name, passed: true });
    } catch (err) {
      results.push({ name: s.name, passed: false, why: (err as Error).message });
      throw err;
    }
  });

  it('has a scenario for each API area of issue 14 §3', () => {
    const text = SCENARIOS.map((s) => s.name).join('\n');
    for (const area of ['actions', 'problem', 'light executions', 'KV', 'trigger', 'cursor'])
      expect(text.toLowerCase(), area).toContain(area.toLowerCase());
  });
});
