import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { figureTable } from './figures.js';

/**
 * Issue 19 §7: property-based fuzzing (fast-check) of flow YAML, execution
 * inputs, headers and paths through the gateway to a real orchestrator
 * instance (process runtime): no answer is a 5xx and the instance never
 * restarts. A failing case prints its seed and path; keep it in REGRESSIONS.
 */
const figures = figureTable('fuzzing through the gateway (process runtime)');
const RUNS = Number(process.env.SILO_FUZZ_RUNS ?? 150);
const TENANT = 'fuzz';

/** Answers by status, named `s422` so the table keeps `cases` first. */
const statuses = (seen: Map<number, number>) =>
  Object.fromEntries([...seen].sort(([a], [b]) => a - b).map(([s, n]) => [`s${s}`, n]));

/** Inputs that once failed, replayed before the random ones. */
const REGRESSIONS: Array<{ kind: 'yaml' | 'path'; value: string }> = [
  // seed -995766948: an alias without its anchor was a 500 (yaml's ReferenceError at toJS()).
  { kind: 'yaml', value: '*!' },
];

const INPUTS_FLOW = `id: inputs
namespace: fuzz
inputs:
  - id: s
    type: STRING
    required: false
  - id: n
    type: INT
    required: false
  - id: b
    type: BOOL
    required: false
  - id: j
    type: JSON
    required: false
  - id: d
    type: DATETIME
    required: false
tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.s ?? 'none' }}"
`;

const TASK_TYPES = [
  'io.kestra.plugin.core.log.Log',
  'io.kestra.plugin.core.flow.Sleep',
  'io.kestra.plugin.core.flow.Parallel',
  'io.kestra.plugin.core.flow.Subflow',
  'io.kestra.plugin.scripts.shell.Commands',
  'io.kestra.plugin.core.debug.Return',
  'not.a.Task',
];

/** A flow-shaped document with random values where the schema has fields (JSON is YAML). */
const flowDocument = fc
  .record({
    id: fc.oneof(fc.constantFrom('f1', 'a-b', 'x'.repeat(200)), fc.string({ maxLength: 20 })),
    namespace: fc.oneof(fc.constantFrom('fuzz', 'a.b.c', '..'), fc.string({ maxLength: 20 })),
    inputs: fc.option(
      fc.array(fc.record({ id: fc.string({ maxLength: 8 }), type: fc.string({ maxLength: 10 }) }), {
        maxLength: 3,
      }),
    ),
    tasks: fc.array(
      fc.record({
        id: fc.oneof(fc.constantFrom('t1', 't2'), fc.string({ maxLength: 10 })),
        type: fc.constantFrom(...TASK_TYPES),
        extra: fc.jsonValue({ maxDepth: 2 }),
      }),
      { maxLength: 4 },
    ),
  })
  .map((f) =>
    JSON.stringify({
      ...f,
      tasks: f.tasks.map(({ extra, ...t }) => ({
        ...t,
        ...(extra !== null && typeof extra === 'object' && !Array.isArray(extra) ? extra : { value: extra }),
      })),
    }),
  );

/** YAML text: a flow-shaped document, raw text, or a flow with random bytes spliced in. */
const flowYaml = fc.oneof(
  flowDocument,
  fc.string({ maxLength: 300 }),
  fc
    .tuple(fc.nat(INPUTS_FLOW.length), fc.string({ maxLength: 20 }))
    .map(([at, s]) => INPUTS_FLOW.slice(0, at) + s),
);

const PATH_CHARS = [..."abcXYZ019._~-!$&'()*+,;=:@%/"];
const segment = fc.oneof(
  fc.string({ unit: fc.constantFrom(...PATH_CHARS), maxLength: 12 }),
  fc.constantFrom('..', '.', '%00', '%zz', '%2e%2e', 'executions', 'flows', 'fuzz', 'other', 'webhook', 'kv'),
);
const PREFIXES = [
  '/api/v1/fuzz/',
  '/api/v1/',
  '/api/v1/other/',
  '/admin/v1/',
  '/',
  '/api/v1/fuzz/executions/',
];
const fuzzPath = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.array(segment, { maxLength: 5 }),
    fc.option(fc.string({ maxLength: 10 })),
  )
  .map(([p, segs, q]) => `${p}${segs.join('/')}${q === null ? '' : `?${encodeURIComponent(q)}=${q.length}`}`);

/** Header names that fetch lets a caller set, and values of visible ASCII. */
const headerName = fc.oneof(
  fc.constantFrom(
    'content-type',
    'accept',
    'authorization',
    'x-request-id',
    'x-silo-webhook',
    'cookie',
    'origin',
  ),
  fc.string({ unit: fc.constantFrom(...'abcxyz-_019'), minLength: 1, maxLength: 12 }).map((s) => `x-${s}`),
);
const headerValue = fc.string({
  unit: fc.constantFrom(...' !#$%&*+-./09:;=?@AZaz[]^_`{|}~"\\'),
  maxLength: 60,
});

describe('reliability: fuzzing through the gateway', () => {
  let t: TestGateway;
  let key: string;
  let base: string;

  beforeAll(async () => {
    t = await startTestGateway({ instance: 'orchestrator' });
    key = await t.tenant(TENANT);
    await t.tenant('other');
    base = `${t.url}/api/v1/${TENANT}`;
    const res = await fetch(`${base}/flows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
      body: INPUTS_FLOW,
    });
    expect(res.status, await res.text()).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const coldStarts = async () =>
    (await t.admin<{ instance: { coldStarts: number } }>('GET', `/admin/v1/tenants/${TENANT}`)).instance
      .coldStarts;

  it('flow YAML: no 5xx, the instance stays up', async () => {
    const before = await coldStarts();
    const seen = new Map<number, number>();
    const post = async (yaml: string) => {
      const res = await fetch(`${base}/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-yaml' },
        body: yaml,
        signal: AbortSignal.timeout(30_000),
      });
      await res.text();
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      return res.status;
    };
    for (const r of REGRESSIONS.filter((c) => c.kind === 'yaml'))
      expect(await post(r.value)).toBeLessThan(500);
    await fc.assert(
      fc.asyncProperty(flowYaml, async (yaml) => (await post(yaml)) < 500),
      { numRuns: RUNS },
    );
    expect(await coldStarts()).toBe(before);
    figures.record('flow YAML', { cases: RUNS, ...statuses(seen) });
  });

  it('execution inputs (multipart): no 5xx', async () => {
    const seen = new Map<number, number>();
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('s', 'n', 'b', 'j', 'd', 'zz', ''), value, { maxKeys: 5 }),
        async (inputs) => {
          const form = new FormData();
          for (const [k, v] of Object.entries(inputs)) form.append(k, v);
          const res = await fetch(`${base}/executions/fuzz/inputs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}` },
            body: form,
            signal: AbortSignal.timeout(30_000),
          });
          await res.text();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          return res.status < 500;
        },
      ),
      { numRuns: RUNS },
    );
    figures.record('inputs', { cases: RUNS, ...statuses(seen) });
  });

  it('headers: no 5xx', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
        fc.constantFrom('GET', 'POST', 'DELETE'),
        async (headers, method) => {
          const res = await fetch(`${base}/flows/search`, {
            method,
            headers: { authorization: `Bearer ${key}`, ...headers },
            signal: AbortSignal.timeout(30_000),
          });
          await res.text();
          seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
          return res.status < 500;
        },
      ),
      { numRuns: RUNS },
    );
    figures.record('headers', { cases: RUNS, ...statuses(seen) });
  });

  it('paths (raw, unnormalised): no 5xx, the instance stays up', async () => {
    const before = await coldStarts();
    const { port } = new URL(t.url);
    const seen = new Map<number, number>();
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: Number(port),
            path,
            method: 'GET',
            headers: { authorization: `Bearer ${key}` },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path} timed out`)));
        req.on('error', reject);
        req.end();
      });
    const counted = async (path: string) => {
      const status = await get(path);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      return status;
    };
    for (const r of REGRESSIONS.filter((c) => c.kind === 'path'))
      expect(await counted(r.value)).toBeLessThan(500);
    await fc.assert(
      fc.asyncProperty(fuzzPath, async (path) => (await counted(path)) < 500),
      { numRuns: RUNS * 2 },
    );
    expect(await coldStarts()).toBe(before);
    figures.record('paths', { cases: RUNS * 2, ...statuses(seen) });
  });
});
