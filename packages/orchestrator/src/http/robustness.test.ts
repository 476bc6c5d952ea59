import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createOrchestrator, type Orchestrator } from '../orchestrator.js';

/**
 * Robustness of the instance's HTTP API (DESIGN.md "Bad input gets a clear
 * error, never a crash and never a half-written record"): malformed input
 * to every route answers a 4xx in Kestra's error JSON (`message`, and the
 * field named in the message or in `_embedded.errors[].path`) — never a 500 —
 * and leaves the store as it was.
 */
let dir: string;
let orch: Orchestrator;
let executionId: string;
const base = '/api/v1/main';
const MAX_BODY = 1024 * 1024;
const errors: string[] = [];

const FLOW = `id: hello
namespace: company.team
inputs:
  - id: n
    type: INT
    required: false
  - id: j
    type: JSON
    required: false
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: hook-key
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'silo-robust-'));
  const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });
  orch = createOrchestrator(
    loadConfig({
      SILO_TENANT_ID: 'acme',
      SILO_DATA_DIR: dir,
      SILO_SHUTDOWN_GRACE_MS: '100',
      SILO_MAX_BODY_BYTES: String(MAX_BODY),
    }),
    logger,
  );
  await orch.start();
  const r = await orch.app.request(`${base}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-yaml' },
    body: FLOW,
  });
  expect(r.status).toBe(200);
  const e = await orch.app.request(`${base}/executions/company.team/hello?wait=true`, { method: 'POST' });
  executionId = ((await e.json()) as { id: string }).id;
});
afterAll(async () => {
  await orch.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Case = {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | (() => string);
  status: number;
  /** Named in the message or in an `_embedded.errors[].path`. */
  field?: string;
};

const JSON_TYPE = { 'content-type': 'application/json' };
const YAML_TYPE = { 'content-type': 'application/x-yaml' };
const NOT_UTF8 = new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1]);
const huge = () => 'x'.repeat(MAX_BODY + 1);
// Hostile documents (issue 12 §5), each past one limit of limits.ts.
const DEEP = 10_000;
const deepJson = '['.repeat(DEEP) + ']'.repeat(DEEP);
const withVariables = (yaml: string) => `${FLOW}variables:\n${yaml}`;
/** Nine levels of ten aliases each: 10^9 values once expanded ("billion laughs"). */
const aliasBomb = () => {
  let yaml = '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  for (let i = 1; i < 9; i++)
    yaml += `  a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]\n`;
  return withVariables(yaml);
};
/** 1,000 nested block maps, one space deeper each (~500 KB: 2,000 would be past the flow size limit). */
const deepBlockMaps = () => {
  let yaml = '';
  for (let i = 1; i <= 1000; i++) yaml += `${' '.repeat(i)}a:\n`;
  return withVariables(`${yaml}${' '.repeat(1001)}b: 1\n`);
};
const deepBlockSeqs = () => withVariables(`  v:\n    ${'- '.repeat(2000)}x\n`);
const deepFlowSeqs = () => withVariables(`  v: ${deepJson}\n`);
const bigFlow = () => `${FLOW}description: "${'x'.repeat(600 * 1024)}"\n`;
const brokenMultipart = '--b\r\nContent-Disposition: form-data; name="n"\r\n\r\n1\r\n--b'; // no closing boundary

const CASES: Case[] = [
  // flows
  {
    name: 'flow as JSON',
    method: 'POST',
    path: '/flows',
    headers: JSON_TYPE,
    body: '{}',
    status: 415,
    field: 'application/x-yaml',
  },
  { name: 'flow without content type', method: 'POST', path: '/flows', body: FLOW, status: 415 },
  { name: 'broken YAML', method: 'POST', path: '/flows', headers: YAML_TYPE, body: 'id: [\n', status: 422 },
  {
    name: 'YAML that is a list',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: '- a\n- b\n',
    status: 422,
  },
  { name: 'non-UTF-8 YAML', method: 'POST', path: '/flows', headers: YAML_TYPE, body: NOT_UTF8, status: 422 },
  {
    name: 'flow id with path traversal',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: FLOW.replace('id: hello', 'id: ../../etc'),
    status: 422,
    field: 'id',
  },
  {
    name: 'namespace with path traversal',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: FLOW.replace('company.team', '../..'),
    status: 422,
    field: 'namespace',
  },
  { name: 'huge flow', method: 'POST', path: '/flows', headers: YAML_TYPE, body: huge, status: 413 },
  {
    name: 'validate as text',
    method: 'POST',
    path: '/flows/validate',
    headers: { 'content-type': 'text/plain' },
    body: FLOW,
    status: 415,
  },
  { name: 'flows page=-1', method: 'GET', path: '/flows/search?page=-1', status: 400, field: 'page' },
  { name: 'flows size=100000', method: 'GET', path: '/flows/search?size=100000', status: 400, field: 'size' },
  { name: 'flows size=abc', method: 'GET', path: '/flows/search?size=abc', status: 400, field: 'size' },
  {
    name: 'flows unknown sort',
    method: 'GET',
    path: '/flows/search?sort=nope:asc',
    status: 400,
    field: 'sort',
  },
  {
    name: 'flows unknown filter',
    method: 'GET',
    path: '/flows/search?filters[bogus][EQUALS]=1',
    status: 400,
    field: 'bogus',
  },
  {
    name: 'flow revision=abc',
    method: 'GET',
    path: '/flows/company.team/hello?revision=abc',
    status: 400,
    field: 'revision',
  },
  { name: 'flow path traversal', method: 'GET', path: '/flows/..%2F..%2Fetc/passwd', status: 404 },
  { name: 'unknown flow', method: 'GET', path: '/flows/company.team/nope', status: 404 },
  {
    name: 'update flow as JSON',
    method: 'PUT',
    path: '/flows/company.team/hello',
    headers: JSON_TYPE,
    body: '{}',
    status: 415,
  },
  {
    name: 'update flow with another id',
    method: 'PUT',
    path: '/flows/company.team/hello',
    headers: YAML_TYPE,
    body: FLOW.replace('id: hello', 'id: other'),
    status: 422,
    field: 'id',
  },
  { name: 'delete unknown flow', method: 'DELETE', path: '/flows/company.team/nope', status: 404 },
  { name: 'source size=0', method: 'GET', path: '/flows/source?q=x&size=0', status: 400, field: 'size' },
  // executions: create
  {
    name: 'create with bad JSON',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: '{"n":',
    status: 400,
    field: 'body',
  },
  {
    name: 'create with a JSON array',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: '[1]',
    status: 400,
    field: 'body',
  },
  {
    name: 'create with non-UTF-8 JSON',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: NOT_UTF8,
    status: 400,
    field: 'body',
  },
  {
    name: 'create with XML',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: { 'content-type': 'application/xml' },
    body: '<n>1</n>',
    status: 415,
    field: 'content-type',
  },
  {
    name: 'create with broken multipart',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    body: brokenMultipart,
    status: 400,
    field: 'body',
  },
  {
    name: 'create with multipart without boundary',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: { 'content-type': 'multipart/form-data' },
    body: 'n=1',
    status: 400,
    field: 'body',
  },
  {
    name: 'create with a bad INT',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: '{"n":"x"}',
    status: 422,
    field: 'inputs.n',
  },
  {
    name: 'create with labels=novalue',
    method: 'POST',
    path: '/executions/company.team/hello?labels=novalue',
    status: 400,
    field: 'labels',
  },
  {
    name: 'create with wait=maybe',
    method: 'POST',
    path: '/executions/company.team/hello?wait=maybe',
    status: 400,
    field: 'wait',
  },
  { name: 'create of an unknown flow', method: 'POST', path: '/executions/company.team/nope', status: 404 },
  {
    name: 'create with namespace traversal',
    method: 'POST',
    path: '/executions/..%2F..%2Fetc/hello',
    status: 404,
  },
  {
    name: 'huge create body',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: () => `{"n":"${huge()}"}`,
    status: 413,
  },
  // executions: others
  {
    name: 'search unknown state',
    method: 'GET',
    path: '/executions/search?state=NOPE',
    status: 400,
    field: 'state',
  },
  {
    name: 'search labels=novalue',
    method: 'GET',
    path: '/executions/search?labels=novalue',
    status: 400,
    field: 'labels',
  },
  { name: 'search page=-1', method: 'GET', path: '/executions/search?page=-1', status: 400, field: 'page' },
  {
    name: 'search size=100000',
    method: 'GET',
    path: '/executions/search?size=100000',
    status: 400,
    field: 'size',
  },
  {
    name: 'search bad timeRange',
    method: 'GET',
    path: '/executions/search?filters[timeRange][EQUALS]=week',
    status: 400,
    field: 'timeRange',
  },
  {
    name: 'search bad startDate',
    method: 'GET',
    path: '/executions/search?startDate=yesterday',
    status: 400,
    field: 'startDate',
  },
  { name: 'unknown execution', method: 'GET', path: '/executions/nope', status: 404 },
  { name: 'execution id traversal', method: 'GET', path: '/executions/..%2F..%2Fsilo.db', status: 404 },
  {
    name: 'execution id with quotes',
    method: 'GET',
    path: `/executions/${encodeURIComponent("x' OR 1=1 --")}`,
    status: 404,
  },
  { name: 'kill unknown', method: 'DELETE', path: '/executions/nope/kill', status: 404 },
  { name: 'kill ended', method: 'DELETE', path: '/executions/{id}/kill', status: 409 },
  { name: 'resume unknown', method: 'POST', path: '/executions/nope/resume', status: 404 },
  { name: 'resume not paused', method: 'POST', path: '/executions/{id}/resume', status: 409 },
  { name: 'restart unknown', method: 'POST', path: '/executions/nope/restart', status: 404 },
  { name: 'restart a success', method: 'POST', path: '/executions/{id}/restart', status: 409 },
  {
    name: 'replay unknown task run',
    method: 'POST',
    path: '/executions/{id}/replay?taskRunId=nope',
    status: 404,
  },
  { name: 'follow unknown', method: 'GET', path: '/executions/nope/follow', status: 404 },
  // logs
  { name: 'logs unknown execution', method: 'GET', path: '/logs/nope', status: 404 },
  {
    name: 'logs bad minLevel',
    method: 'GET',
    path: '/logs/{id}?minLevel=LOUD',
    status: 400,
    field: 'minLevel',
  },
  {
    name: 'logs download bad minLevel',
    method: 'GET',
    path: '/logs/{id}/download?minLevel=LOUD',
    status: 400,
    field: 'minLevel',
  },
  { name: 'logs follow unknown', method: 'GET', path: '/logs/nope/follow', status: 404 },
  // kv
  {
    name: 'kv bad key',
    method: 'PUT',
    path: '/namespaces/company.team/kv/bad%20key',
    headers: JSON_TYPE,
    body: '1',
    status: 422,
    field: 'key',
  },
  {
    name: 'kv traversal key',
    method: 'PUT',
    path: '/namespaces/company.team/kv/..%2F..%2Fetc',
    headers: JSON_TYPE,
    body: '1',
    status: 422,
    field: 'key',
  },
  {
    name: 'kv bad namespace',
    method: 'PUT',
    path: '/namespaces/..%2F..%2F/kv/k',
    headers: JSON_TYPE,
    body: '1',
    status: 422,
    field: 'namespace',
  },
  {
    name: 'kv bad ttl',
    method: 'PUT',
    path: '/namespaces/company.team/kv/k',
    headers: { ...JSON_TYPE, ttl: 'forever' },
    body: '1',
    status: 400,
    field: 'ttl',
  },
  {
    name: 'kv empty body',
    method: 'PUT',
    path: '/namespaces/company.team/kv/k',
    headers: JSON_TYPE,
    body: '',
    status: 400,
  },
  {
    name: 'kv huge value',
    method: 'PUT',
    path: '/namespaces/company.team/kv/k',
    headers: JSON_TYPE,
    body: () => `"${huge()}"`,
    status: 413,
  },
  { name: 'kv missing key', method: 'GET', path: '/namespaces/company.team/kv/nope', status: 404 },
  {
    name: 'kv bulk delete with bad JSON',
    method: 'DELETE',
    path: '/namespaces/company.team/kv',
    headers: JSON_TYPE,
    body: '{"keys":',
    status: 400,
    field: 'keys',
  },
  // namespaces, triggers, tenant, unknown routes
  { name: 'namespaces page=0', method: 'GET', path: '/namespaces/search?page=0', status: 400, field: 'page' },
  { name: 'unknown namespace', method: 'GET', path: '/namespaces/nope', status: 404 },
  { name: 'triggers size=-5', method: 'GET', path: '/triggers/search?size=-5', status: 400, field: 'size' },
  { name: 'unknown route', method: 'PATCH', path: '/flows', status: 404 },
  // bytes that are not UTF-8 in the URL
  { name: 'execution id %FF', method: 'GET', path: '/executions/%FF', status: 404 },
  { name: 'search q=%FF', method: 'GET', path: '/executions/search?q=%FF%FE', status: 200 },
  { name: 'labels=%FF:%FE', method: 'GET', path: '/executions/search?labels=%FF:%FE', status: 200 },
  { name: 'flow namespace %C3%28', method: 'GET', path: '/flows/%C3%28/hello', status: 404 },
  {
    name: 'kv key %FF',
    method: 'PUT',
    path: '/namespaces/company.team/kv/%FF',
    headers: JSON_TYPE,
    body: '1',
    status: 422,
    field: 'key',
  },
  // webhooks and triggers
  {
    name: 'webhook of an unknown flow',
    method: 'POST',
    path: '/executions/webhook/company.team/nope/key',
    headers: JSON_TYPE,
    body: '{}',
    status: 404,
  },
  {
    name: 'webhook with a huge body',
    method: 'POST',
    path: '/executions/webhook/company.team/hello/key',
    headers: JSON_TYPE,
    body: huge,
    status: 413,
  },
  // hostile input (issue 12 §5): a 4xx that names the limit, never a 500
  {
    name: 'YAML alias bomb',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: aliasBomb,
    status: 422,
    field: 'alias limit',
  },
  {
    name: 'update with a YAML alias bomb',
    method: 'PUT',
    path: '/flows/company.team/hello',
    headers: YAML_TYPE,
    body: aliasBomb,
    status: 422,
    field: 'alias limit',
  },
  {
    name: '1,000 nested block maps',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: deepBlockMaps,
    status: 422,
    field: 'nesting limit',
  },
  {
    name: '2,000 nested block sequences',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: deepBlockSeqs,
    status: 422,
    field: 'nesting limit',
  },
  {
    name: '10,000 nested flow sequences',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: deepFlowSeqs,
    status: 422,
    field: 'nesting limit',
  },
  {
    name: 'flow past the flow size limit',
    method: 'POST',
    path: '/flows',
    headers: YAML_TYPE,
    body: bigFlow,
    status: 413,
    field: 'flow size limit',
  },
  {
    name: '10,000-deep JSON body',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: () => `{"j": ${deepJson}}`,
    status: 400,
    field: 'nesting limit',
  },
  {
    name: '10,000-deep JSON input as text',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: JSON_TYPE,
    body: () => JSON.stringify({ j: deepJson }),
    status: 422,
    field: 'nesting limit',
  },
  {
    name: '10,000-deep JSON input in a form',
    method: 'POST',
    path: '/executions/company.team/hello',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: () => `j=${encodeURIComponent(deepJson)}`,
    status: 422,
    field: 'nesting limit',
  },
  {
    name: '10,000-deep KV value',
    method: 'PUT',
    path: '/namespaces/company.team/kv/k',
    headers: JSON_TYPE,
    body: deepJson,
    status: 400,
    field: 'nesting limit',
  },
  {
    name: '10,000-deep webhook body',
    method: 'POST',
    path: '/executions/webhook/company.team/hello/hook-key',
    headers: JSON_TYPE,
    body: () => `{"a": ${deepJson}}`,
    status: 400,
    field: 'nesting limit',
  },
];

describe('HTTP API robustness: malformed input → 4xx with Kestra error JSON', () => {
  it.each(CASES)('$name → $status', async (k) => {
    const body = typeof k.body === 'function' ? k.body() : k.body;
    const res = await orch.app.request(`${base}${k.path.replace('{id}', executionId)}`, {
      method: k.method,
      ...(k.headers ? { headers: k.headers } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(k.status);
    if (k.status === 200) return; // accepted as an ordinary value
    const json = JSON.parse(text) as { message?: unknown; _embedded?: { errors?: Array<{ path?: string }> } };
    expect(typeof json.message).toBe('string');
    if (k.field) {
      const named =
        String(json.message).includes(k.field) ||
        (json._embedded?.errors ?? []).some((e) => e.path === k.field);
      expect(named, `${k.field} not named in ${text.slice(0, 500)}`).toBe(true);
    }
  });

  it('flows/validate names the limit a hostile document hits, with its line', async () => {
    const validate = async (body: string) => {
      const res = await orch.app.request(`${base}/flows/validate`, {
        method: 'POST',
        headers: YAML_TYPE,
        body,
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as Array<{ constraints?: string }>)[0]?.constraints ?? '';
    };
    expect(await validate(aliasBomb())).toMatch(/alias limit.*\(line 20, column 12\)/);
    expect(await validate(deepFlowSeqs())).toMatch(
      /^variables\.v\[0\](\[0\])+: .*nesting limit.*\(line 19, column \d+\)/,
    );
  });

  it('left nothing half-written: one flow, one execution, no KV entry, no 500 logged', async () => {
    const flows = (await (await orch.app.request(`${base}/flows/search`)).json()) as { total: number };
    expect(flows.total).toBe(1);
    const execs = (await (await orch.app.request(`${base}/executions/search`)).json()) as { total: number };
    expect(execs.total).toBe(1);
    const kv = (await (await orch.app.request(`${base}/namespaces/company.team/kv`)).json()) as unknown[];
    expect(kv).toEqual([]);
    expect(errors.filter((l) => l.includes('unhandled error'))).toEqual([]);
    expect((await orch.app.request('/healthz')).status).toBe(200);
  });
});
