import type { JobClaimStore } from '../job-claim-store.js';
import type { PostgresDatabase } from './postgres-database.js';

/**
 * `JobClaimStore` on PostgreSQL (`job_claims`, migration 0006). A claim is
 * one upsert whose `WHERE` lets it through only when the last run was taken
 * at least a period ago: concurrent claims serialise on the row and exactly
 * one returns it. A released claim is dated `-infinity`, so any next claim
 * passes.
 *
 * @example
 * const jobs = new PostgresJobClaimStore(db);
 * await jobs.claim('acme', 'backup', 'gw-1', 3_600_000);
 */
export class PostgresJobClaimStore implements JobClaimStore {
  readonly #db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.#db = db;
  }

  async claim(tenantId: string, job: string, holder: string, periodMs: number): Promise<boolean> {
    const now = this.#db.now();
    const { rows } = await this.#db.query(
      `INSERT INTO job_claims AS c (tenant_id, job, holder, taken_at)
         SELECT id, $2, $3, $4 FROM tenants WHERE id = $1
       ON CONFLICT (tenant_id, job) DO UPDATE SET holder = excluded.holder, taken_at = excluded.taken_at
       WHERE c.taken_at <= $5
       RETURNING c.holder`,
      [tenantId, job, holder, now.toISOString(), new Date(now.getTime() - periodMs).toISOString()],
    );
    return rows.length === 1;
  }

  async release(tenantId: string, job: string, holder: string): Promise<void> {
    await this.#db.query(
      `UPDATE job_claims SET taken_at = '-infinity' WHERE tenant_id = $1 AND job = $2 AND holder = $3`,
      [tenantId, job, holder],
    );
  }
}
