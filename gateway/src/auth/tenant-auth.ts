import { ForbiddenError, TenantSuspendedError, UnauthorizedError } from '../errors.js';
import type { TenantPath } from '../proxy/tenant-path.js';
import type { Registry } from '../tenants/registry.js';

/** Who a tenant API request acts for, once authorised. */
export type TenantAccess = { tenantId: string; keyId: string | null };

/**
 * Decides whether a request under `/api/v1/{segment}/...` may pass, and for
 * which tenant. The key is checked before the tenant is looked at, so an
 * unknown tenant and another tenant's key give the same 403, and a bad key
 * the same 401, whatever the tenant: keys cannot probe tenant names.
 * Keyless webhooks do not come here: `webhook-gate.ts` admits them.
 *
 * @example
 * await authorizeTenantRequest(registry, { segment: 'main', isWebhook: false }, 'Bearer silo_...');
 * // → { tenantId: 'acme', keyId: '...' }
 */
export async function authorizeTenantRequest(
  registry: Pick<Registry, 'tenants' | 'keys'>,
  path: TenantPath,
  authorization: string | undefined,
): Promise<TenantAccess> {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) {
    throw new UnauthorizedError('missing API key: send "Authorization: Bearer <tenant key>"');
  }
  const verified = await registry.keys.verify(match[1]);
  if (verified === undefined) throw new UnauthorizedError('invalid or revoked API key');
  if (path.segment !== 'main' && path.segment !== verified.tenantId) {
    throw new ForbiddenError(`this API key does not grant access to tenant ${path.segment}`);
  }
  const tenant = await registry.tenants.get(verified.tenantId);
  if (tenant === undefined) throw new UnauthorizedError('invalid or revoked API key');
  if (tenant.state === 'suspended') throw new TenantSuspendedError(tenant.id, tenant.suspendedReason);
  return { tenantId: tenant.id, keyId: verified.keyId };
}
