import type { KestraVersion } from '@silo/contracts';
import type { SecretEntry } from '../secrets/secret-store.js';
import type { ApiKey } from './api-key-store.js';
import type { InstanceFacts } from './instance-fact-store.js';
import type { Registry } from './registry.js';
import type { NewTenant, Tenant, TenantState } from './tenant-store.js';

export type { ApiKey } from './api-key-store.js';
export type { Tenant, TenantState } from './tenant-store.js';

/** Instance facts and the wake timer in one record, as `TenantRegistry.instanceInfo` returns them. */
export type InstanceInfo = InstanceFacts & {
  /** When the instance asked to be woken (from its lifecycle report), ISO-8601. */
  nextWakeAt: string | null;
  nextWakeReason: string | null;
};

/**
 * The registry as the one 17-method port it was in wave 1. Kept only so
 * that `lifecycle/` (being split in parallel) compiles untouched; everything
 * else takes the narrow ports of `Registry`. Remove it once `lifecycle/`
 * uses `Registry['instances' | 'wakeTimers' | 'secrets' | 'tenants']`.
 *
 * @deprecated Use the ports of `Registry` (`registry.tenants.get(id)`, …).
 */
export interface TenantRegistry {
  createTenant(input: NewTenant): Tenant;
  getTenant(id: string): Tenant | undefined;
  listTenants(): Tenant[];
  deleteTenant(id: string): boolean;
  setTenantState(id: string, state: TenantState, reason?: string | null): Tenant;
  setKestraVersion(id: string, version: KestraVersion): Tenant;
  createKey(tenantId: string, name?: string): { key: string; record: ApiKey };
  listKeys(tenantId: string): ApiKey[];
  revokeKey(tenantId: string, keyId: string): boolean;
  verifyKey(key: string): { tenantId: string; keyId: string } | undefined;
  setSecret(tenantId: string, name: string, value: string): void;
  listSecretNames(tenantId: string): SecretEntry[];
  deleteSecret(tenantId: string, name: string): boolean;
  secrets(tenantId: string): Record<string, string>;
  instanceInfo(tenantId: string): InstanceInfo;
  /** `nextWakeAt`/`nextWakeReason` go to the wake timer (a null `nextWakeAt` clears it), the rest to the facts. */
  updateInstanceInfo(tenantId: string, patch: Partial<Omit<InstanceInfo, 'tenantId'>>): void;
  pendingWakes(): { tenantId: string; nextWakeAt: string; reason: string | null }[];
  close(): void;
}

/**
 * `TenantRegistry` over any `Registry` (each method delegates to one port),
 * so the wave-1 callers work on every backend.
 *
 * @example
 * const legacy = new TenantRegistryFacade(openSqliteRegistry(':memory:'));
 * legacy.getTenant('acme'); // registry.tenants.get('acme')
 */
export class TenantRegistryFacade implements TenantRegistry {
  constructor(readonly registry: Registry) {}

  createTenant(input: NewTenant): Tenant {
    return this.registry.tenants.create(input);
  }
  getTenant(id: string): Tenant | undefined {
    return this.registry.tenants.get(id);
  }
  listTenants(): Tenant[] {
    return this.registry.tenants.list();
  }
  deleteTenant(id: string): boolean {
    return this.registry.tenants.delete(id);
  }
  setTenantState(id: string, state: TenantState, reason?: string | null): Tenant {
    return this.registry.tenants.setState(id, state, reason);
  }
  setKestraVersion(id: string, version: KestraVersion): Tenant {
    return this.registry.tenants.setKestraVersion(id, version);
  }
  createKey(tenantId: string, name?: string): { key: string; record: ApiKey } {
    return this.registry.keys.create(tenantId, name);
  }
  listKeys(tenantId: string): ApiKey[] {
    return this.registry.keys.list(tenantId);
  }
  revokeKey(tenantId: string, keyId: string): boolean {
    return this.registry.keys.revoke(tenantId, keyId);
  }
  verifyKey(key: string): { tenantId: string; keyId: string } | undefined {
    return this.registry.keys.verify(key);
  }
  setSecret(tenantId: string, name: string, value: string): void {
    this.registry.secrets.set(tenantId, name, value);
  }
  listSecretNames(tenantId: string): SecretEntry[] {
    return this.registry.secrets.list(tenantId);
  }
  deleteSecret(tenantId: string, name: string): boolean {
    return this.registry.secrets.delete(tenantId, name);
  }
  secrets(tenantId: string): Record<string, string> {
    return this.registry.secrets.values(tenantId);
  }
  instanceInfo(tenantId: string): InstanceInfo {
    const wake = this.registry.wakeTimers.get(tenantId);
    return {
      ...this.registry.instances.get(tenantId),
      nextWakeAt: wake?.at ?? null,
      nextWakeReason: wake?.reason ?? null,
    };
  }
  updateInstanceInfo(tenantId: string, patch: Partial<Omit<InstanceInfo, 'tenantId'>>): void {
    const { nextWakeAt, nextWakeReason, ...facts } = patch;
    this.registry.instances.update(tenantId, facts);
    if (nextWakeAt === undefined && nextWakeReason === undefined) return;
    const current = this.registry.wakeTimers.get(tenantId);
    const at = nextWakeAt === undefined ? (current?.at ?? null) : nextWakeAt;
    const reason = nextWakeReason === undefined ? (current?.reason ?? null) : nextWakeReason;
    if (at === null) this.registry.wakeTimers.clear(tenantId);
    else this.registry.wakeTimers.set(tenantId, at, reason);
  }
  pendingWakes(): { tenantId: string; nextWakeAt: string; reason: string | null }[] {
    return this.registry.wakeTimers
      .pending()
      .map((w) => ({ tenantId: w.tenantId, nextWakeAt: w.at, reason: w.reason }));
  }
  close(): void {
    this.registry.close();
  }
}
