import type { Endpoint } from '../runtime/runtime-driver.js';

/** A running instance as every gateway of a fleet may reach it: where, with which token, which run. */
export type InstanceRun = { endpoint: Endpoint; instanceToken: string; ref: string | null };

/**
 * Which gateway owns a tenant's instance (starts, stops, reaps it) and until
 * when. `fence` grows by one each time the lease changes hands, so a gateway
 * that lost its lease (killed, paused, partitioned) cannot publish or
 * release with its old fence: it can never leave a twin behind.
 */
export type InstanceLease = {
  tenantId: string;
  holder: string;
  fence: number;
  /** ISO-8601. */
  expiresAt: string;
  /** The published run; null while the holder is starting it (or after it stopped it). */
  run: InstanceRun | null;
  /** ISO-8601: the last request any gateway proxied to the run (the owner's idle clock). */
  activeAt: string | null;
};

/** What `claim` found: the lease as it is now, whether `holder` has it, and whether it was taken over from another. */
export type LeaseClaim = { mine: boolean; takenOver: boolean; lease: InstanceLease };

/**
 * Instance leases shared by the gateways of a fleet (port;
 * `PostgresInstanceLeaseStore` implements it, the contract is
 * `instance-lease-store.contract.ts`). One gateway at a time holds a tenant's
 * lease: it alone starts the instance and publishes its run; the others
 * proxy to the published run. A lease not renewed within its TTL (the holder
 * died) is claimed by the next gateway that needs the tenant, which adopts
 * the run if it still answers, else starts it again. Time is the registry's
 * clock; gateways' clocks are assumed within a fraction of the TTL.
 *
 * @example
 * const { mine, lease } = await leases.claim('acme', 'gw-1', 10_000);
 * if (mine) await leases.publish('acme', 'gw-1', lease.fence, run);
 */
export interface InstanceLeaseStore {
  /** Takes the lease when free, expired or already `holder`'s (renewing it); else returns the other holder's. Undefined for an unknown tenant. */
  claim(tenantId: string, holder: string, ttlMs: number): Promise<LeaseClaim | undefined>;
  /** Publishes (or, with null, withdraws) the run; false when `holder` no longer has the lease under `fence`. */
  publish(tenantId: string, holder: string, fence: number, run: InstanceRun | null): Promise<boolean>;
  /** Extends every lease `holder` has, and records traffic on the given tenants' runs; the tenants whose lease it still holds. */
  renew(holder: string, ttlMs: number, activeTenants: string[]): Promise<string[]>;
  /** Gives the lease up (the instance was stopped); false when it was no longer `holder`'s under `fence`. */
  release(tenantId: string, holder: string, fence: number): Promise<boolean>;
  get(tenantId: string): Promise<InstanceLease | undefined>;
}
