import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createGateway, type Gateway } from '../gateway.js';
import { FakeDriver } from '../runtime/fake/fake-driver.js';
import { isTenantFastPath } from './tenant-fast-path.js';

const req = (url: string, headers: Record<string, string> = {}) => ({ url, headers }) as IncomingMessage;

describe('isTenantFastPath', () => {
  it('takes tenant API paths with a bearer key or none (webhooks, 401s), not the rest', () => {
    expect(isTenantFastPath(req('/api/v1/acme/flows', { authorization: 'Bearer k' }))).toBe(true);
    expect(isTenantFastPath(req('/api/v1/acme/executions/webhook/ns/f/key'))).toBe(true);
    expect(isTenantFastPath(req('/api/v1/configs'))).toBe(false);
    expect(isTenantFastPath(req('/api/v1/configs?x=1'))).toBe(false);
    expect(isTenantFastPath(req('/healthz'))).toBe(false);
    expect(isTenantFastPath(req('/admin/v1/tenants', { authorization: 'Bearer k' }))).toBe(false);
    expect(isTenantFastPath(req('/ui/acme/'))).toBe(false);
  });

  it('leaves a console session (CSRF header, no Authorization) to the app, which reads its cookie', () => {
    expect(isTenantFastPath(req('/api/v1/acme/flows', { 'x-silo-csrf': 'c', cookie: 's=1' }))).toBe(false);
    expect(
      isTenantFastPath(req('/api/v1/acme/flows', { 'x-silo-csrf': 'c', authorization: 'Bearer k' })),
    ).toBe(true);
  });
});

describe('the fast path answers as the app did', () => {
  let gateway: Gateway;
  let url = '';
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'silo-fast-path-'));
    const config = loadGatewayConfig({
      SILO_DATA_DIR: dataDir,
      SILO_HOST: '127.0.0.1',
      SILO_PORT: '0',
      SILO_ADMIN_TOKEN: 'test-admin-token-0123456789',
    });
    gateway = await createGateway({ config, driver: new FakeDriver(), logger: pino({ level: 'silent' }) });
    url = await gateway.listen();
  });
  afterAll(async () => {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('401 JSON with the client request id, no key', async () => {
    const res = await fetch(`${url}/api/v1/acme/flows/search`, {
      headers: { 'x-request-id': 'client-id-1' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-request-id')).toBe('client-id-1');
    expect(await res.json()).toEqual({
      message: 'missing API key: send "Authorization: Bearer <tenant key>"',
      code: 'UNAUTHORIZED',
    });
  });

  it('400 naming the problem for an ambiguous path, with a new request id', async () => {
    const res = await fetch(`${url}/api/v1/acme/a%2Fb`, { headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(((await res.json()) as { message: string }).message).toMatch(/encoded slashes/);
  });

  it('403 for another tenant with a valid key; the app still serves configs and health', async () => {
    await gateway.registry.tenants.create({ id: 'acme' });
    await gateway.registry.tenants.create({ id: 'beta' });
    const { key } = await gateway.registry.keys.create('acme', 't');
    const other = await fetch(`${url}/api/v1/beta/flows/search`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await fetch(`${url}/api/v1/configs`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
