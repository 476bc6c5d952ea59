import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonRetryableTaskError, TaskTimeoutError } from '../../runnable-task.js';
import { testRunContext, testTask } from '../kv/test-run-context.js';
import { httpRequestTask } from './http-request.js';

type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
let server: Server;
let base: string;
let last: Seen | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/slow') {
        const t = setTimeout(() => res.end('late'), 5000);
        res.on('close', () => clearTimeout(t));
        return;
      }
      if (path === '/missing') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
        return;
      }
      if (path === '/big') {
        res.end('x'.repeat(2048));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const REQ = 'io.kestra.plugin.core.http.Request';

describe('http.Request', () => {
  it('GETs and returns code, headers (lists), body and uri', async () => {
    const result = await httpRequestTask.run(
      testTask(REQ, { uri: `${base}/ok`, params: { q: 'a b' } }),
      testRunContext(),
    );
    expect(last?.method).toBe('GET');
    expect(last?.url).toBe('/ok?q=a+b');
    expect(result.outputs).toMatchObject({
      uri: `${base}/ok?q=a+b`,
      code: 201,
      body: '{"ok":true}',
      headers: { 'content-type': ['application/json'], 'x-multi': ['a, b'] },
    });
  });

  it('POSTs a rendered string body with headers and a content type', async () => {
    const ctx = testRunContext({ variables: { inputs: { name: 'n1' } } });
    await httpRequestTask.run(
      testTask(REQ, {
        uri: `${base}/post`,
        method: 'POST',
        contentType: 'application/json',
        headers: { 'user-agent': 'kestra-io', 'x-id': '{{ inputs.name }}' },
        body: '{"name":"{{ inputs.name }}"}',
      }),
      ctx,
    );
    expect(last).toMatchObject({ method: 'POST', body: '{"name":"n1"}' });
    expect(last?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'kestra-io',
      'x-id': 'n1',
    });
  });

  it('sends a structured body as JSON, formData url-encoded or multipart, and basic auth', async () => {
    await httpRequestTask.run(
      testTask(REQ, { uri: `${base}/j`, method: 'PUT', body: { a: [1, 2] } }),
      testRunContext(),
    );
    expect(last).toMatchObject({ method: 'PUT', body: '{"a":[1,2]}' });
    expect(last?.headers['content-type']).toBe('application/json');

    await httpRequestTask.run(
      testTask(REQ, { uri: `${base}/f`, method: 'POST', formData: { user: 'John Doe', n: 1 } }),
      testRunContext(),
    );
    expect(last?.body).toBe('user=John+Doe&n=1');
    expect(last?.headers['content-type']).toBe('application/x-www-form-urlencoded');

    await httpRequestTask.run(
      testTask(REQ, {
        uri: `${base}/m`,
        method: 'POST',
        contentType: 'multipart/form-data',
        formData: { user: 'John' },
        auth: { type: 'BASIC', username: 'u', password: 'p' },
      }),
      testRunContext(),
    );
    expect(last?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(last?.body).toContain('name="user"');
    expect(last?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('fails on 4xx/5xx unless allowFailed', async () => {
    await expect(
      httpRequestTask.run(testTask(REQ, { uri: `${base}/missing` }), testRunContext()),
    ).rejects.toThrow("Failed http request with response code '404': no such thing");
    const result = await httpRequestTask.run(
      testTask(REQ, { uri: `${base}/missing`, options: { allowFailed: true } }),
      testRunContext(),
    );
    expect(result.outputs).toMatchObject({ code: 404, body: 'no such thing' });
  });

  it('times out with options.timeout, and stops when the run is aborted', async () => {
    const started = Date.now();
    await expect(
      httpRequestTask.run(
        testTask(REQ, { uri: `${base}/slow`, options: { timeout: 'PT0.2S' } }),
        testRunContext(),
      ),
    ).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);

    const controller = new AbortController();
    const run = httpRequestTask.run(
      testTask(REQ, { uri: `${base}/slow` }),
      testRunContext({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new Error('killed by user')), 100);
    await expect(run).rejects.toThrow('killed by user');
  });

  it('rejects bad input without retry, and a response over maxContentLength', async () => {
    for (const props of [
      { uri: 'not a url' },
      { uri: 'file:///etc/passwd' },
      { uri: `${base}/`, method: 'FETCH' },
    ]) {
      await expect(httpRequestTask.run(testTask(REQ, props), testRunContext())).rejects.toBeInstanceOf(
        NonRetryableTaskError,
      );
    }
    await expect(
      httpRequestTask.run(
        testTask(REQ, { uri: `${base}/big`, options: { maxContentLength: 1024 } }),
        testRunContext(),
      ),
    ).rejects.toThrow(/larger than options.maxContentLength/);
  });

  it('reports a connection failure clearly', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      httpRequestTask.run(testTask(REQ, { uri: `http://127.0.0.1:${port}/nothing` }), testRunContext()),
    ).rejects.toThrow(`HTTP request to http://127.0.0.1:${port}/nothing failed: ECONNREFUSED`);
  });
});
