import { Hono } from 'hono';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../sqlite/database.js';
import { SqliteKvStore } from '../sqlite/sqlite-kv-store.js';
import { createHttpApp } from './app.js';
import { createKvRoutes } from './kv-routes.js';

let db: SqliteDatabase;
let app: Hono;
let now: Date;
const base = '/api/v1/main/namespaces';

beforeEach(() => {
  db = openDatabase(':memory:');
  now = new Date('2024-05-01T10:00:00.000Z');
  const store = new SqliteKvStore(db, { clock: { now: () => now }, maxValueBytes: 64 });
  const api = new Hono();
  api.route('/', createKvRoutes(store));
  app = createHttpApp({
    tenantId: 'acme',
    instanceToken: undefined,
    logger: pino({ level: 'silent' }),
    isReady: () => true,
    lifecycle: () => ({
      busy: false,
      activeStreams: 0,
      pendingExecutions: 0,
      nextWakeAt: null,
      nextWakeReason: null,
    }),
    api,
  });
});
afterEach(() => db.close());

const put = (ns: string, key: string, body: string, headers: Record<string, string> = {}) =>
  app.request(`${base}/${ns}/kv/${key}`, {
    method: 'PUT',
    body,
    headers: { 'content-type': 'text/plain', ...headers },
  });

describe('KV API', () => {
  it('PUT then GET gives the typed value (KvDetail)', async () => {
    expect((await put('io.kestra.tests', 'my-key', '{"field":"value"}')).status).toBe(200);
    const res = await app.request(`${base}/io.kestra.tests/kv/my-key`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      type: 'JSON',
      value: { field: 'value' },
      revision: 1,
      updated: '2024-05-01T10:00:00.000Z',
    });
  });

  it.each([
    ['"quoted"', 'STRING', 'quoted'],
    ['plain text', 'STRING', 'plain text'],
    ['42', 'NUMBER', 42],
    ['true', 'BOOLEAN', true],
    ['2024-01-31T10:00:00Z', 'DATETIME', '2024-01-31T10:00:00.000Z'],
    ['2024-01-31', 'DATE', '2024-01-31'],
    ['PT5M', 'DURATION', 'PT5M'],
    ['[1,2]', 'JSON', [1, 2]],
  ])('types the PUT body %j as %s', async (body, type, value) => {
    await put('ns', 'k', body);
    expect(await (await app.request(`${base}/ns/kv/k`)).json()).toMatchObject({ type, value });
  });

  it('answers 404 with Kestra message for a missing key', async () => {
    const res = await app.request(`${base}/io.kestra.tests/kv/my-key`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      message: "Not Found: No value found for key 'my-key' in namespace 'io.kestra.tests'",
    });
  });

  it('lists entries (KVEntry) with ttl and description from the headers', async () => {
    await put('ns', 'b', '1', { ttl: 'PT1H', description: 'counter' });
    await put('ns', 'a', '"x"');
    const res = await app.request(`${base}/ns/kv`);
    expect(await res.json()).toEqual([
      {
        namespace: 'ns',
        key: 'a',
        version: 1,
        description: null,
        creationDate: '2024-05-01T10:00:00.000Z',
        updateDate: '2024-05-01T10:00:00.000Z',
        expirationDate: null,
      },
      {
        namespace: 'ns',
        key: 'b',
        version: 1,
        description: 'counter',
        creationDate: '2024-05-01T10:00:00.000Z',
        updateDate: '2024-05-01T10:00:00.000Z',
        expirationDate: '2024-05-01T11:00:00.000Z',
      },
    ]);
    now = new Date('2024-05-01T11:00:00.000Z');
    expect(((await (await app.request(`${base}/ns/kv`)).json()) as unknown[]).length).toBe(1);
    expect((await app.request(`${base}/ns/kv/b`)).status).toBe(404);
  });

  it('lists the keys of the namespace and its parents on /inheritance', async () => {
    await put('company', 'root', '1');
    await put('company.team', 'team', '2');
    await put('other', 'x', '3');
    const res = await app.request(`${base}/company.team/kv/inheritance`);
    const body = (await res.json()) as Array<{ namespace: string; key: string }>;
    expect(body.map((e) => `${e.namespace}/${e.key}`)).toEqual(['company.team/team', 'company/root']);
  });

  it('deletes one key (true, then false) and several keys in bulk', async () => {
    await put('ns', 'a', '1');
    await put('ns', 'b', '2');
    await put('ns', 'c', '3');
    expect(await (await app.request(`${base}/ns/kv/a`, { method: 'DELETE' })).json()).toBe(true);
    expect(await (await app.request(`${base}/ns/kv/a`, { method: 'DELETE' })).json()).toBe(false);
    const bulk = await app.request(`${base}/ns/kv`, {
      method: 'DELETE',
      body: JSON.stringify({ keys: ['b', 'missing', 'c', 'bad key'] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await bulk.json()).toEqual({ keys: ['b', 'c'] });
    expect(await (await app.request(`${base}/ns/kv`)).json()).toEqual([]);
  });

  it('rejects bad input with clear errors: key pattern, size limit, ttl, empty body', async () => {
    const badKey = await put('ns', '.bad', '1');
    expect(badKey.status).toBe(422);
    expect(((await badKey.json()) as { message: string }).message).toMatch(
      /^Key must start with an alphanumeric/,
    );
    const big = await put('ns', 'big', `"${'x'.repeat(100)}"`);
    expect(big.status).toBe(413);
    expect(((await big.json()) as { message: string }).message).toContain('over the limit of 64 bytes');
    expect((await put('ns', 'k', '1', { ttl: 'soon' })).status).toBe(400);
    expect((await put('ns', 'k', '  ')).status).toBe(400);
    expect((await put('Bad', 'k', '1')).status).toBe(422);
  });
});
