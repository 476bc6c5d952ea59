import { z } from 'zod';

/**
 * Ids that can never name a tenant: they collide with the gateway's own routes
 * (`/admin`, `/api`, `/healthz`, `/metrics`), with Kestra's default tenant
 * `main` (which the gateway maps to the caller's own tenant), or with names
 * that would confuse people reading container lists.
 */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set([
  'admin',
  'api',
  'main',
  'health',
  'healthz',
  'readyz',
  'metrics',
  'default',
  'system',
  'silo',
  'gateway',
  'static',
  'ui',
  'www',
  'root',
  'docker',
  'localhost',
]);

/** A DNS label: lowercase letters, digits and `-`, 3 to 63 characters, starting with a letter. */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * Explains why `id` is not a valid tenant id, or returns `undefined` when it is.
 *
 * @example
 * tenantIdProblem('acme');   // undefined
 * tenantIdProblem('Acme');   // 'tenant id "Acme" must be lowercase ...'
 * tenantIdProblem('admin');  // 'tenant id "admin" is reserved ...'
 */
export function tenantIdProblem(id: string): string | undefined {
  if (id.length < 3 || id.length > 63) {
    return `tenant id "${id}" must be 3 to 63 characters long (it is ${id.length})`;
  }
  if (!TENANT_ID_PATTERN.test(id)) {
    if (/[A-Z]/.test(id)) return `tenant id "${id}" must be lowercase: try "${id.toLowerCase()}"`;
    if (!/^[a-z]/.test(id)) return `tenant id "${id}" must start with a letter a-z`;
    if (id.endsWith('-')) return `tenant id "${id}" must not end with "-"`;
    return `tenant id "${id}" may only contain a-z, 0-9 and "-" (it is used as a container, volume and host name)`;
  }
  if (RESERVED_TENANT_IDS.has(id)) {
    return `tenant id "${id}" is reserved (it collides with a gateway route or Kestra's default tenant): choose another id`;
  }
  return undefined;
}

/** The zod schema of a tenant id; its message says why an id is refused. */
export const TenantIdSchema = z.string().superRefine((id, ctx) => {
  const problem = tenantIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export type TenantId = z.infer<typeof TenantIdSchema>;

/** True when `id` is a valid, non-reserved tenant id. */
export function isTenantId(id: string): boolean {
  return tenantIdProblem(id) === undefined;
}
