import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { parseTenantPath } from './tenant-path.js';

describe('parseTenantPath', () => {
  it('reads the tenant segment and recognises webhooks', () => {
    expect(parseTenantPath('/api/v1/acme/flows?x=%2F')).toEqual({ segment: 'acme', isWebhook: false });
    expect(parseTenantPath('/api/v1/main/flows')).toEqual({ segment: 'main', isWebhook: false });
    expect(parseTenantPath('/api/v1/acme/executions/webhook/ns/f/key', 'POST')).toEqual({
      segment: 'acme',
      isWebhook: true,
      webhook: { namespace: 'ns', flowId: 'f', key: 'key' },
    });
    expect(parseTenantPath('/api/v1/acme/executions/webhook/ns/f/k%20y/extra/path')?.webhook).toEqual({
      namespace: 'ns',
      flowId: 'f',
      key: 'k y',
    });
    expect(parseTenantPath('/admin/v1/tenants')).toBeUndefined();
  });

  it.each([
    ['POST', '/api/v1/acme/executions/webhook/internal-report?wait=true'],
    ['POST', '/api/v1/acme/executions/webhook/ns/f'],
    ['POST', '/api/v1/acme/executions/webhook/ns/f/'],
    ['DELETE', '/api/v1/acme/executions/webhook/ns/f/key'],
    ['PATCH', '/api/v1/acme/executions/webhook/ns/f/key'],
    ['GET', '/api/v1/acme/executions/webhooks/ns/f/key'],
  ])('needs a key for %s %s (not the exact webhook shape)', (method, target) => {
    expect(parseTenantPath(target, method)?.isWebhook).toBe(false);
  });

  it.each([
    '/api/v1/acme/flows%2F..%2Fx',
    '/api/v1/acme/flows%2fx',
    '/api/v1/acme/../other/flows',
    '/api/v1/acme/%2e%2e/other',
    '/api/v1/acme/./flows',
    '/api/v1/acme//flows',
    '/api/v1/ACME/flows',
    '/api/v1/acm%65/flows',
    '/api/v1/acme\\..\\other',
    '/api/v1//flows',
    '/api/v1/admin/flows',
  ])('refuses %s', (target) => {
    expect(() => parseTenantPath(target)).toThrow(BadRequestError);
  });
});
