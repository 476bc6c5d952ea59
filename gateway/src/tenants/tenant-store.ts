import type { KestraVersion } from '@silo/contracts';
import type { TenantLimits } from '../runtime/runtime-driver.js';

/** `active` serves traffic; `suspended` answers 403 with the reason (an admin's decision). */
export type TenantState = 'active' | 'suspended';

export type Tenant = {
  id: string;
  name: string;
  state: TenantState;
  suspendedReason: string | null;
  limits: TenantLimits;
  /** The Kestra dialect its instance speaks (DESIGN.md "Wave 2 surface"); given to the instance at every start. */
  kestraVersion: KestraVersion;
  /**
   * The orchestrator version the tenant is pinned to: its instance runs that
   * installed version (`GET /admin/v1/versions`). Null until pinned (a
   * tenant that predates versions: the gateway pins it to its current build).
   */
  version: string | null;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601. */
  updatedAt: string;
};

/** What `TenantStore.create` takes; `kestraVersion` defaults to `DEFAULT_KESTRA_VERSION_FOR_NEW_TENANTS` ("2.0"). */
export type NewTenant = {
  id: string;
  name?: string;
  limits?: TenantLimits;
  kestraVersion?: KestraVersion;
  /** Orchestrator version to pin (else none until pinned). */
  version?: string;
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
  create(input: NewTenant): Promise<Tenant>;
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
  /**
   * Switches the tenant's dialect (a migration, its rollback, a restore);
   * the instance speaks it from its next start.
   * @throws NotFoundError for an unknown tenant.
   */
  setKestraVersion(id: string, version: KestraVersion): Promise<Tenant>;
  /**
   * Pins the tenant to an orchestrator version (an upgrade, or its rollback);
   * its next start runs that version.
   * @throws NotFoundError for an unknown tenant.
   */
  setVersion(id: string, version: string): Promise<Tenant>;
}
