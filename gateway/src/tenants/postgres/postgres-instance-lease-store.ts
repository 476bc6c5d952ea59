import type { InstanceLease, InstanceLeaseStore, InstanceRun, LeaseClaim } from '../instance-lease-store.js';
import { isoOf, type PostgresDatabase } from './postgres-database.js';

type LeaseRow = {
  tenant_id: string;
  holder: string;
  fence: string;
  expires_at: Date;
  run: InstanceRun | null;
  active_at: Date | null;
  taken_over?: boolean;
};

/**
 * `InstanceLeaseStore` on PostgreSQL (`instance_leases`, migration 0003).
 * A claim is one upsert whose `WHERE` lets it through only when the lease is
 * free, expired or the claimant's own: concurrent claims serialise on the
 * row, and exactly one wins. Publish, renew and release are guarded by
 * holder (and fence), so a gateway that lost its lease changes nothing.
 *
 * @example
 * const leases = new PostgresInstanceLeaseStore(db);
 * const claim = await leases.claim('acme', 'gw-1', 10_000);
 */
export class PostgresInstanceLeaseStore implements InstanceLeaseStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  #expiry(ttlMs: number): { now: string; until: string } {
    const now = this.#db.now();
    return { now: now.toISOString(), until: new Date(now.getTime() + ttlMs).toISOString() };
  }

  async claim(tenantId: string, holder: string, ttlMs: number): Promise<LeaseClaim | undefined> {
    const { now, until } = this.#expiry(ttlMs);
    // xmax <> 0 on the returned row: it was updated (taken over or renewed), not inserted.
    const { rows } = await this.#db.query<LeaseRow>(
      `WITH before AS (SELECT holder FROM instance_leases WHERE tenant_id = $1)
       INSERT INTO instance_leases AS l (tenant_id, holder, fence, expires_at)
         SELECT id, $2, 1, $3 FROM tenants WHERE id = $1
       ON CONFLICT (tenant_id) DO UPDATE SET
         holder = excluded.holder,
         fence = CASE WHEN l.holder = excluded.holder THEN l.fence ELSE l.fence + 1 END,
         expires_at = excluded.expires_at
       WHERE l.holder = excluded.holder OR l.expires_at < $4
       RETURNING l.*, COALESCE((SELECT holder FROM before) <> $2, false) AS taken_over`,
      [tenantId, holder, until, now],
    );
    const won = rows[0];
    if (won !== undefined) return { mine: true, takenOver: won.taken_over === true, lease: toLease(won) };
    const current = await this.get(tenantId);
    if (current === undefined) return undefined;
    return { mine: current.holder === holder, takenOver: false, lease: current };
  }

  async publish(tenantId: string, holder: string, fence: number, run: InstanceRun | null): Promise<boolean> {
    const result = await this.#db.query(
      'UPDATE instance_leases SET run = $4 WHERE tenant_id = $1 AND holder = $2 AND fence = $3',
      [tenantId, holder, fence, run === null ? null : JSON.stringify(run)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async renew(holder: string, ttlMs: number, activeTenants: string[]): Promise<string[]> {
    const { now, until } = this.#expiry(ttlMs);
    if (activeTenants.length > 0) {
      await this.#db.query('UPDATE instance_leases SET active_at = $2 WHERE tenant_id = ANY($1::text[])', [
        `{${activeTenants.join(',')}}`,
        now,
      ]);
    }
    const { rows } = await this.#db.query<{ tenant_id: string }>(
      `UPDATE instance_leases SET expires_at = $2 WHERE holder = $1 AND expires_at >= $3
         RETURNING tenant_id`,
      [holder, until, now],
    );
    return rows.map((r) => r.tenant_id).sort();
  }

  async release(tenantId: string, holder: string, fence: number): Promise<boolean> {
    const result = await this.#db.query(
      'DELETE FROM instance_leases WHERE tenant_id = $1 AND holder = $2 AND fence = $3',
      [tenantId, holder, fence],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async get(tenantId: string): Promise<InstanceLease | undefined> {
    const { rows } = await this.#db.query<LeaseRow>('SELECT * FROM instance_leases WHERE tenant_id = $1', [
      tenantId,
    ]);
    return rows[0] === undefined ? undefined : toLease(rows[0]);
  }
}

function toLease(row: LeaseRow): InstanceLease {
  return {
    tenantId: row.tenant_id,
    holder: row.holder,
    fence: Number(row.fence),
    expiresAt: row.expires_at.toISOString(),
    run: row.run,
    activeAt: isoOf(row.active_at),
  };
}
