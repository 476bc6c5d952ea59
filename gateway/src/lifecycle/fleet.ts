import type { Logger } from 'pino';
import type { InstanceLeaseStore, InstanceRun } from '../tenants/instance-lease-store.js';

/** How this gateway came to serve a tenant in a fleet: as the owner (maybe adopting a run), or through the owner's run. */
export type FleetTurn = { mine: true; adopt: InstanceRun | null } | { mine: false; run: InstanceRun };

export type FleetOptions = {
  leases: InstanceLeaseStore;
  /** This gateway's name (SILO_GATEWAY_ID): the lease holder. */
  gatewayId: string;
  logger: Logger;
  /** A lease not renewed for this long is taken over by another gateway. @default 10000 */
  leaseTtlMs?: number;
  /** Poll period while another gateway starts the instance. @default 25 */
  pollMs?: number;
};

/**
 * This gateway's part in a fleet sharing one PostgreSQL registry (issue 17):
 * it claims a tenant's instance lease before starting it (so exactly one
 * gateway starts it), publishes the run for the others, waits for and joins
 * the run of another gateway that holds the lease, renews its leases every
 * third of the TTL (with the tenants it proxied to, the owner's idle clock),
 * and releases a lease when it stops the instance. A gateway killed with
 * SIGKILL renews nothing: after the TTL, the next gateway that needs the
 * tenant takes the lease over with a new fence and adopts the run if it
 * still answers.
 *
 * @example
 * const fleet = new Fleet({ leases: registry.leases, gatewayId: 'gw-1', logger });
 * fleet.start();
 * const turn = await fleet.turn('acme', Date.now() + 30_000);
 */
export class Fleet {
  readonly #o: Required<FleetOptions>;
  /** Fence of each lease this gateway holds. */
  readonly #held = new Map<string, number>();
  /** Tenants that had traffic here since the last renewal. */
  readonly #active = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FleetOptions) {
    this.#o = { leaseTtlMs: 10_000, pollMs: 25, ...options };
  }

  get gatewayId(): string {
    return this.#o.gatewayId;
  }

  start(): void {
    this.#timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.#o.leaseTtlMs / 3)));
    this.#timer.unref();
  }

  /**
   * Claims the tenant's lease, or waits (until `deadline`, epoch ms) for the
   * holder to publish its run. Throws when neither happens in time.
   */
  async turn(tenantId: string, deadline: number): Promise<FleetTurn> {
    for (let i = 0; i < 100_000; i++) {
      const claim = await this.#o.leases.claim(tenantId, this.#o.gatewayId, this.#o.leaseTtlMs);
      if (claim === undefined) throw new Error(`tenant ${tenantId} has no lease row (deleted?)`);
      if (claim.mine) {
        this.#held.set(tenantId, claim.lease.fence);
        return { mine: true, adopt: claim.lease.run };
      }
      if (claim.lease.run !== null) return { mine: false, run: claim.lease.run };
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, this.#o.pollMs));
    }
    throw new Error(
      `gateway ${this.#o.gatewayId}: another gateway holds the start of ${tenantId} and published no run in time`,
    );
  }

  /** Publishes this gateway's run; false when the lease was lost meanwhile (then the run must be stopped: it would be a twin). */
  async publish(tenantId: string, run: InstanceRun): Promise<boolean> {
    const fence = this.#held.get(tenantId);
    if (fence === undefined) return false;
    return this.#o.leases.publish(tenantId, this.#o.gatewayId, fence, run);
  }

  /** Gives up the lease after this gateway stopped the instance (or its start failed). */
  async release(tenantId: string): Promise<void> {
    const fence = this.#held.get(tenantId);
    if (fence === undefined) return;
    this.#held.delete(tenantId);
    await this.#o.leases.release(tenantId, this.#o.gatewayId, fence).catch((err: unknown) => {
      this.#o.logger.warn({ err, tenantId }, 'instance lease not released (it expires by itself)');
    });
  }

  /** Whether this gateway owns the tenant's instance. */
  owns(tenantId: string): boolean {
    return this.#held.has(tenantId);
  }

  /** A request was proxied to the tenant here (reported at the next renewal). */
  touch(tenantId: string): void {
    this.#active.add(tenantId);
  }

  /** Whether another gateway proxied to the run within `idleMs` (the owner's idle reaper asks before stopping). */
  async activeElsewhere(tenantId: string, idleMs: number): Promise<boolean> {
    const lease = await this.#o.leases.get(tenantId).catch(() => undefined);
    return lease?.activeAt != null && Date.now() - Date.parse(lease.activeAt) < idleMs;
  }

  /** Extends this gateway's leases; a lease found lost (this gateway stalled past the TTL) is forgotten, loudly. */
  async renew(): Promise<void> {
    const active = [...this.#active];
    this.#active.clear();
    try {
      const kept = new Set(await this.#o.leases.renew(this.#o.gatewayId, this.#o.leaseTtlMs, active));
      for (const tenantId of this.#held.keys()) {
        if (kept.has(tenantId)) continue;
        this.#held.delete(tenantId);
        this.#o.logger.warn(
          { tenantId },
          'instance lease lost to another gateway (this one stalled past the TTL)',
        );
      }
    } catch (err) {
      this.#o.logger.warn({ err }, 'instance leases not renewed: registry unreachable');
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
