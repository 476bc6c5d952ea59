import type { TenantLimits } from '../runtime/runtime-driver.js';

/** `active` serves traffic; `suspended` answers 403 with the reason (an admin's decision). */
export type TenantState = 'active' | 'suspended';

export type Tenant = {
  id: string;
  name: string;
  state: TenantState;
  suspendedReason: string | null;
  limits: TenantLimits;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601. */
  updatedAt: string;
};

/**
 * The gateway's tenants (port; `SqliteTenantStore` implements it, the
 * contract is `tenant-store.contract.ts`). `get` sits on every request's
 * path, so an adapter serves it from a cache that its own writes and other
 * writers' writes invalidate before they are acknowledged.
 *
 * Deleting a tenant deletes its keys, secrets, instance facts and wake timer
 * with it.
 *
 * @example
 * const acme = await tenants.create({ id: 'acme' });
 * await tenants.setState('acme', 'suspended', 'unpaid');
 */
export interface TenantStore {
  /** @throws ConflictError when the id is taken. */
  create(input: { id: string; name?: string; limits?: TenantLimits }): Promise<Tenant>;
  get(id: string): Promise<Tenant | undefined>;
  /** Every tenant, by id. */
  list(): Promise<Tenant[]>;
  /** False when there was no such tenant. */
  delete(id: string): Promise<boolean>;
  /**
   * `reason` is kept only for `suspended` (cleared on resume).
   * @throws NotFoundError for an unknown tenant.
   */
  setState(id: string, state: TenantState, reason?: string | null): Promise<Tenant>;
  /**
   * Replaces the tenant's limits (the admin's `PUT .../limits`); a cached
   * tenant sees them before this returns.
   * @throws NotFoundError for an unknown tenant.
   */
  setLimits(id: string, limits: TenantLimits): Promise<Tenant>;
}
