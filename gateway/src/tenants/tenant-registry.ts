import type { TenantLimits } from '../runtime/runtime-driver.js';

/** `active` serves traffic; `suspended` answers 403 with the reason (an admin's decision). */
export type TenantState = 'active' | 'suspended';

export type Tenant = {
  id: string;
  name: string;
  state: TenantState;
  suspendedReason: string | null;
  limits: TenantLimits;
  createdAt: string;
  updatedAt: string;
};

/** An API key as stored: never the key itself, only its visible prefix and a hash. */
export type ApiKey = {
  id: string;
  tenantId: string;
  name: string;
  /** The first characters of the key, shown in lists so people can tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

/** What the gateway remembers of a tenant's instance across its own restarts. */
export type InstanceInfo = {
  tenantId: string;
  coldStarts: number;
  startedAt: string | null;
  lastActivityAt: string | null;
  /** When the instance asked to be woken (from its lifecycle report), ISO-8601. */
  nextWakeAt: string | null;
  nextWakeReason: string | null;
  lastError: string | null;
  /** Duration of the last successful cold start, for `Retry-After`. */
  lastStartMs: number | null;
};

/**
 * The gateway's own store of tenants, keys, secrets and instance facts (port;
 * `SqliteTenantRegistry` implements it).
 */
export interface TenantRegistry {
  createTenant(input: { id: string; name?: string; limits?: TenantLimits }): Tenant;
  getTenant(id: string): Tenant | undefined;
  listTenants(): Tenant[];
  deleteTenant(id: string): boolean;
  setTenantState(id: string, state: TenantState, reason?: string | null): Tenant;

  /** Creates a key and returns it in clear text, once. */
  createKey(tenantId: string, name?: string): { key: string; record: ApiKey };
  listKeys(tenantId: string): ApiKey[];
  revokeKey(tenantId: string, keyId: string): boolean;
  /** The tenant and key id of a valid, unrevoked key, or undefined. */
  verifyKey(key: string): { tenantId: string; keyId: string } | undefined;

  setSecret(tenantId: string, name: string, value: string): void;
  listSecretNames(tenantId: string): { name: string; updatedAt: string }[];
  deleteSecret(tenantId: string, name: string): boolean;
  secrets(tenantId: string): Record<string, string>;

  instanceInfo(tenantId: string): InstanceInfo;
  updateInstanceInfo(tenantId: string, patch: Partial<Omit<InstanceInfo, 'tenantId'>>): void;
  /** Tenants with a stored wake time, earliest first. */
  pendingWakes(): { tenantId: string; nextWakeAt: string; reason: string | null }[];

  close(): void;
}
