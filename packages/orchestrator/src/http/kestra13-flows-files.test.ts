import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { KESTRA_CONFIGURATION } from '@silo/contracts';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAgainst } from '../testing/openapi.js';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';

/**
 * The flows, KV, namespace files and configuration routes of issue 13,
 * driven with the requests of Kestra's Python client (kestrapy 1.3), every
 * JSON answer validated against the 1.3.0 spec.
 */
/** A JSON answer, read loosely: the spec validation is what checks its shape. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked against the spec by validateAgainst
type Loose = any;
const read = async (r: Response): Promise<Loose> => r.json();

let orch: TestOrchestrator;
const base = '/api/v1/main';
const req = (path: string, init?: RequestInit) => orch.app.request(`${base}${path}`, init);
const yaml = (path: string, body: string) =>
  req(path, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body });
const flow = (id: string, ns = 'company.team', extra = '') => `id: ${id}
namespace: ${ns}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi${extra}
`;

beforeEach(async () => {
  orch = await startTestOrchestrator('k13-flows');
});
afterEach(() => orch.close());

describe('Kestra 1.3 flows API (issue 13)', () => {
  it('POST /flows/{namespace} deploys a namespace from CI and deletes what was not sent', async () => {
    const first = await yaml('/flows/company.team', `${flow('a')}---\n${flow('b')}`);
    expect(first.status, await first.clone().text()).toBe(200);
    const list = (await first.json()) as unknown[];
    for (const f of list) expect(validateAgainst('FlowInterface', f)).toEqual([]);
    expect(list).toHaveLength(2);
    await yaml('/flows/company.team', flow('a', 'company.team', ' again'));
    expect((await req('/flows/company.team/b')).status).toBe(404);
    expect(((await (await req('/flows/company.team/a')).json()) as { revision: number }).revision).toBe(2);
    const wrong = await yaml('/flows/company.team', flow('c', 'other'));
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(await wrong.json())).toContain('[0].namespace');
    const moved = await yaml('/flows/company.team?override=true&delete=false', flow('c', 'other'));
    expect(((await moved.json()) as Array<{ namespace: string }>)[0]?.namespace).toBe('company.team');
    expect((await req('/flows/company.team/a')).status).toBe(200);
  });

  it('POST /flows/bulk saves all or none, and deletes within a namespace on request', async () => {
    const bad = await yaml('/flows/bulk', `${flow('x')}---\nid: y\nnamespace: company.team\n`);
    expect(bad.status).toBe(422);
    expect((await req('/flows/company.team/x')).status).toBe(404);
    const ok = await yaml('/flows/bulk', `${flow('x')}---\n${flow('y', 'company.team.sub')}`);
    expect(ok.status).toBe(200);
    const del = await yaml(
      '/flows/bulk?delete=true&namespace=company.team&allowNamespaceChild=true',
      flow('x'),
    );
    expect(del.status).toBe(200);
    expect((await req('/flows/company.team.sub/y')).status).toBe(404);
  });

  it('imports a zip or a multi-document YAML, exports zips by ids and by query', async () => {
    const zip = zipSync({
      'a.yml': strToU8(flow('a')),
      'dir/b.yaml': strToU8(flow('b')),
      'bad.yml': strToU8('id: z\n'),
      'x.txt': strToU8('?'),
    });
    const form = new FormData();
    form.append('fileUpload', new File([zip], 'flows.zip'));
    const r = await req('/flows/import', { method: 'POST', body: form });
    expect(r.status, await r.clone().text()).toBe(200);
    const invalid = (await r.json()) as string[];
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toContain('bad.yml');
    const strict = new FormData();
    strict.append('fileUpload', new File([`${flow('c')}---\nid: d\n`], 'flows.yml'));
    expect((await req('/flows/import?failOnError=true', { method: 'POST', body: strict })).status).toBe(422);
    const yml = new FormData();
    yml.append('fileUpload', new File([`${flow('c')}---\n${flow('d')}`], 'flows.yml'));
    expect(await (await req('/flows/import', { method: 'POST', body: yml })).json()).toEqual([]);
    const notZip = new FormData();
    notZip.append('fileUpload', new File([new Uint8Array([0x50, 0x4b, 3, 4, 9, 9])], 'broken.zip'));
    expect((await req('/flows/import', { method: 'POST', body: notZip })).status).toBe(400);

    const byIds = await req('/flows/export/by-ids', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { namespace: 'company.team', id: 'a' },
        { namespace: 'company.team', id: 'd' },
      ]),
    });
    expect(byIds.headers.get('content-type')).toBe('application/octet-stream');
    const files = unzipSync(new Uint8Array(await byIds.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(['company.team.a.yml', 'company.team.d.yml']);
    expect(strFromU8(files['company.team.a.yml']!)).toBe(flow('a'));
    const byQuery = await req('/flows/export/by-query?filters[namespace][EQUALS]=company.team');
    expect(Object.keys(unzipSync(new Uint8Array(await byQuery.arrayBuffer())))).toHaveLength(4);
  });

  it('GET /flows/{ns}/{id}/graph draws If branches, errors and triggers as Kestra FlowGraph', async () => {
    await yaml(
      '/flows',
      `id: g
namespace: company.team
tasks:
  - id: check
    type: io.kestra.plugin.core.flow.If
    condition: "{{ true }}"
    then:
      - id: yes
        type: io.kestra.plugin.core.log.Log
        message: y
    else:
      - id: no
        type: io.kestra.plugin.core.log.Log
        message: n
errors:
  - id: oops
    type: io.kestra.plugin.core.log.Log
    message: e
triggers:
  - id: every
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
`,
    );
    const g = await read(await req('/flows/company.team/g/graph'));
    expect(validateAgainst('FlowGraph', g)).toEqual([]);
    const edges = g.edges as Array<{
      source: string;
      target: string;
      relation: { relationType: string; value?: string };
    }>;
    expect(edges).toContainEqual({
      source: 'root.cluster_check.check',
      target: 'root.cluster_check.yes',
      relation: { relationType: 'CHOICE', value: 'then' },
    });
    expect(edges).toContainEqual({
      source: 'root.root',
      target: 'root.oops',
      relation: { relationType: 'ERROR' },
    });
    expect(edges).toContainEqual({
      source: 'root.Triggers.every',
      target: 'root.root',
      relation: { relationType: 'SEQUENTIAL' },
    });
    expect(g.nodes.find((n: { uid: string }) => n.uid === 'root.oops').branchType).toBe('ERROR');
    expect((await req('/flows/company.team/nope/graph')).status).toBe(404);
  });

  it('validate answers the empty deprecationPaths, warnings and infos lists', async () => {
    const v = (await (await yaml('/flows/validate', flow('a'))).json()) as unknown[];
    expect(v[0]).toMatchObject({ deprecationPaths: [], warnings: [], infos: [], outdated: false });
    expect(validateAgainst('ValidateConstraintViolation', v[0])).toEqual([]);
  });
});

describe('Kestra 1.3 KV listing, namespace files and configuration (issue 13)', () => {
  it('GET /kv lists every namespace, paged and filtered', async () => {
    for (const [ns, key] of [
      ['company', 'a'],
      ['company.team', 'b'],
      ['other', 'c'],
    ])
      await req(`/namespaces/${ns}/kv/${key}`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: '"v"',
      });
    const all = await read(await req('/kv?page=1&size=2'));
    expect(validateAgainst('PagedResults_KVEntry_', all)).toEqual([]);
    expect(all.total).toBe(3);
    expect(all.results.map((e: { key: string }) => e.key)).toEqual(['a', 'b']);
    const under = await read(await req('/kv?filters[namespace][PREFIX]=company'));
    expect(under.total).toBe(2);
    expect((await read(await req('/kv?filters[namespace][EQUALS]=company'))).total).toBe(1);
    expect((await req('/kv?filters[value][EQUALS]=x')).status).toBe(400);
  });

  it('namespace files: upload, list, get, stats, move, delete, confined to the namespace folder', async () => {
    const up = new FormData();
    up.append('fileContent', new File(['print(1)'], 'hello.py'));
    expect(
      (await req('/namespaces/company.team/files?path=/scripts/hello.py', { method: 'POST', body: up }))
        .status,
    ).toBe(200);
    const dir = await read(await req('/namespaces/company.team/files/directory?path=/scripts'));
    expect(dir).toHaveLength(1);
    expect(validateAgainst('FileAttributes', dir[0])).toEqual([]);
    expect(dir[0]).toMatchObject({ fileName: 'hello.py', type: 'File', size: 8 });
    const root = await (await req('/namespaces/company.team/files/directory')).json();
    expect(root).toMatchObject([{ fileName: 'scripts', type: 'Directory' }]);
    expect(await (await req('/namespaces/company.team/files?path=/scripts/hello.py')).text()).toBe(
      'print(1)',
    );
    const stats = await (await req('/namespaces/company.team/files/stats?path=/scripts/hello.py')).json();
    expect(validateAgainst('FileAttributes', stats)).toEqual([]);
    expect(
      (await req('/namespaces/company.team/files?from=/scripts/hello.py&to=/main.py', { method: 'PUT' }))
        .status,
    ).toBe(200);
    expect((await req('/namespaces/company.team/files?path=/scripts/hello.py')).status).toBe(404);
    expect((await req('/namespaces/company.team/files/directory?path=/new', { method: 'POST' })).status).toBe(
      200,
    );
    expect((await req('/namespaces/company.team/files?path=/scripts', { method: 'DELETE' })).status).toBe(
      200,
    );
    const after = (await (await req('/namespaces/company.team/files/directory')).json()) as Array<{
      fileName: string;
    }>;
    expect(after.map((f) => f.fileName)).toEqual(['main.py', 'new']);
    expect((await req('/namespaces/other/files/directory')).status).toBe(200);
    expect(await (await req('/namespaces/other/files/directory')).json()).toEqual([]);

    for (const path of ['/../../silo.db', '../x', '/a/../../b', '/a\\..\\b'])
      expect((await req(`/namespaces/company.team/files?path=${encodeURIComponent(path)}`)).status).toBe(400);
    expect(
      (await req('/namespaces/company.team/files?from=/main.py&to=/../../evil', { method: 'PUT' })).status,
    ).toBe(400);
    expect((await req('/namespaces/Bad..ns/files/directory')).status).toBe(400);
    symlinkSync(orch.dir, join(orch.dir, 'files', 'company.team', 'link'));
    expect((await req('/namespaces/company.team/files?path=/link/silo.db')).status).toBe(400);
    expect((await req('/namespaces/company.team/files?path=/', { method: 'DELETE' })).status).toBe(400);
  });

  it('GET /api/v1/configs answers Kestra EEConfiguration', async () => {
    const r = await orch.app.request('/api/v1/configs');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toEqual(KESTRA_CONFIGURATION);
    expect(validateAgainst('MiscController.EEConfiguration', body)).toEqual([]);
  });
});
