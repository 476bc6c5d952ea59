import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrchestrator, type TestOrchestrator } from '../testing/test-orchestrator.js';
import { createInstanceServer } from './instance-server.js';

// Through a real Node server: the body limit and the inputs body read the length from the Node
// request's headers (request-body.ts), which `app.request()` in the other tests never has.
const FLOW = `id: echo
namespace: company.team
inputs:
  - id: name
    type: STRING
    defaults: nobody
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.name }}"
`;

type Reply = { status: number; body: string };

describe('request bodies through the instance server', () => {
  let orch: TestOrchestrator;
  let server: ReturnType<typeof createInstanceServer>;
  let port = 0;

  beforeAll(async () => {
    orch = await startTestOrchestrator('request-body', { env: { SILO_MAX_BODY_BYTES: '4096' } });
    server = createInstanceServer(orch.app.fetch);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const res = await send('POST', '/api/v1/acme/flows', { 'content-type': 'application/x-yaml' }, [FLOW]);
    expect(res.status).toBe(200);
  });
  afterAll(async () => {
    server?.close();
    await orch?.close();
  });

  /** One request; `chunks` are written as given (several: chunked, unless a content-length is set). */
  function send(
    method: string,
    path: string,
    headers: Record<string, string>,
    chunks: string[],
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  const run = '/api/v1/acme/executions/company.team/echo?wait=true';
  const outputOf = (r: Reply) => JSON.parse(r.body).taskRunList[0].outputs.value;

  it('runs an execution from a POST without a body (no content-length, no transfer-encoding)', async () => {
    const r = await send('POST', run, {}, []);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).state.current).toBe('SUCCESS');
    expect(outputOf(r)).toBe('nobody');
  });

  it('reads a JSON body sent with a content-length, and one sent chunked', async () => {
    const json = JSON.stringify({ name: 'Ada' });
    const sized = await send(
      'POST',
      run,
      { 'content-type': 'application/json', 'content-length': String(json.length) },
      [json],
    );
    expect(outputOf(sized)).toBe('Ada');
    const chunked = await send('POST', run, { 'content-type': 'application/json' }, ['{"name":', '"Grace"}']);
    expect(outputOf(chunked)).toBe('Grace');
  });

  it('refuses a body over the limit with 413 naming the body, whether its length is declared or chunked', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(6000) });
    const declared = await send(
      'POST',
      run,
      { 'content-type': 'application/json', 'content-length': String(big.length) },
      [big],
    );
    expect(declared.status).toBe(413);
    expect(declared.body).toContain('exceeds 4096 bytes');
    const chunked = await send('POST', run, { 'content-type': 'application/json' }, [
      big.slice(0, 1000),
      big.slice(1000),
    ]);
    expect(chunked.status).toBe(413);
    expect(chunked.body).toContain('body');
  });
});
