import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../../testing/test-orchestrator.js';
import { type Api, type Exec, FLOW_SCENARIOS } from './flow-scenarios.js';

/**
 * The Kestra 2.0 flow scenarios (flow-scenarios.ts) against a real instance
 * speaking 2.0 (`SILO_KESTRA_VERSION=2.0`, real SQLite in a temp folder,
 * HTTP through `app.request()`), as the 1.3 corpus runs. Prints
 * `conformance 2.0 flows: N/M passed`.
 */
const base = '/api/v1/main';
let orch: TestOrchestrator;

const request = (method: string, path: string, body?: string, type = 'application/json') =>
  orch.app.request(`${base}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': type }, body } : {}),
  });
const yaml = (method: string, path: string, source: string) =>
  request(method, path, source, 'application/x-yaml');
const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED'];

async function search(ns: string, id: string): Promise<Exec[]> {
  const r = await request('GET', `/executions/search?namespace=${ns}&flowId=${id}&size=50`);
  return ((await r.json()) as { results: Exec[] }).results.filter((e) => TERMINAL.includes(e.state.current));
}

/**
 * A 2.0 execution body carries no task-run outputs (ApiExecution, CHANGES.md
 * B.3): they are read from `GET /outputs/{executionId}/{taskRunId}`, as a 2.0
 * client does, and put back on each task run for the scenarios.
 */
async function withOutputs(e: Exec): Promise<Exec> {
  if (!e?.id || !Array.isArray(e.taskRunList)) return e;
  const taskRunList = await Promise.all(
    e.taskRunList.map(async (t) => {
      const id = (t as { id?: string }).id;
      if (id === undefined) return t;
      const r = await request('GET', `/outputs/${e.id}/${id}`);
      if (r.status !== 200) return t;
      const outputs = (await r.json()) as Record<string, unknown>;
      return Object.keys(outputs).length > 0 ? { ...t, outputs } : t;
    }),
  );
  return { ...e, taskRunList };
}
const getExecution = async (id: string): Promise<Exec> =>
  withOutputs((await (await request('GET', `/executions/${id}`)).json()) as Exec);

const api: Api = {
  async save(source, query) {
    const r = await yaml('POST', `/flows${query ? `?${query}` : ''}`, source);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  },
  async update(ns, id, source, query) {
    const r = await yaml('PUT', `/flows/${ns}/${id}${query ? `?${query}` : ''}`, source);
    return { status: r.status, body: await r.json() };
  },
  async validate(source) {
    const r = await yaml('POST', '/flows/validate', source);
    return ((await r.json()) as Array<{ constraints?: string }>)[0]?.constraints;
  },
  async run(ns, id, inputs = {}) {
    const r = await request('POST', `/executions/${ns}/${id}?wait=true`, JSON.stringify(inputs));
    return { status: r.status, body: await withOutputs((await r.json()) as Exec) };
  },
  async executionsOf(ns, id, atLeast) {
    // Flow triggers start their executions after the upstream's end: wait (bounded) for them to settle.
    const end = Date.now() + (atLeast === 0 ? 500 : 10_000);
    for (;;) {
      const found = await search(ns, id);
      if ((atLeast > 0 && found.length >= atLeast) || Date.now() > end)
        return Promise.all(found.map((e) => getExecution(e.id)));
      await new Promise((r) => setTimeout(r, 50));
    }
  },
  async webhook(ns, id, key, body) {
    return (await request('POST', `/executions/webhook/${ns}/${id}/${key}`, JSON.stringify(body))).status;
  },
  async putKv(ns, key, value) {
    const r = await request('PUT', `/namespaces/${ns}/kv/${key}`, JSON.stringify(value));
    if (r.status >= 300) throw new Error(`kv ${key}: ${r.status} ${await r.text()}`);
  },
  async restart(id) {
    const r = await request('POST', `/executions/${id}/restart`);
    if (r.status !== 200) throw new Error(`restart: ${r.status} ${await r.text()}`);
    const end = Date.now() + 10_000;
    for (;;) {
      const e = await getExecution(id);
      const moved = e.state.current !== 'FAILED' && e.state.current !== 'RESTARTED';
      if ((moved && TERMINAL.includes(e.state.current)) || Date.now() > end) return e;
      await new Promise((res) => setTimeout(res, 50));
    }
  },
};

const outcomes: Array<{ name: string; error?: string }> = [];

beforeAll(async () => {
  orch = await startTestOrchestrator('k20flows', { env: { SILO_KESTRA_VERSION: '2.0' } });
});
afterAll(async () => {
  const passed = outcomes.filter((o) => !o.error).length;
  console.log(`conformance 2.0 flows: ${passed}/${FLOW_SCENARIOS.length} passed`);
  for (const o of outcomes.filter((x) => x.error)) console.log(`  failed: ${o.name}: ${o.error}`);
  await orch.close();
});

describe('Kestra 2.0 flows (CHANGES.md section A)', () => {
  for (const s of FLOW_SCENARIOS) {
    it(`${s.name} [${s.source}]`, async () => {
      try {
        await s.run(api);
        outcomes.push({ name: s.name });
      } catch (err) {
        outcomes.push({ name: s.name, error: (err as Error).message });
        throw err;
      }
    });
  }

  it('runs every scenario', () => {
    expect(outcomes.filter((o) => o.error).map((o) => `${o.name}: ${o.error}`)).toEqual([]);
  });
});
