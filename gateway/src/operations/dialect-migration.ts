import {
  type KestraVersion,
  MIGRATION_PATH,
  type MigrationReport,
  MigrationReportSchema,
} from '@silo/contracts';
import type { Logger } from 'pino';
import { BadRequestError, ConflictError, NotFoundError, UpstreamFailedError } from '../errors.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { Registry } from '../tenants/registry.js';
import type { Tenant } from '../tenants/tenant-store.js';
import type { GuardedChanges } from './guarded-change.js';
import { instanceCall } from './instance-call.js';
import { smokeCheck } from './smoke-check.js';
import { runSmokeFlow } from './smoke-flow.js';

export type MigrationRequest = {
  to: KestraVersion;
  /**
   * Migrate although some flows need a person: they are left as they are
   * (not rewritten, not validated by the smoke check) and listed in the
   * answer. Without it, such a tenant is refused (409).
   * @default false
   */
  acceptManual?: boolean;
  /** A flow the smoke check also runs to SUCCESS on the new dialect (then deletes), e.g. the tenant's own health flow. */
  smokeFlow?: string;
};

type FlowRef = { namespace: string; id: string };

export type MigrationResult = {
  tenantId: string;
  from: KestraVersion;
  to: KestraVersion;
  outcome: 'applied' | 'rolled-back';
  /** Why it was rolled back (also the instance's `lastError`); null when applied. */
  reason: string | null;
  /** The backup taken before the switch: the way back. */
  backupId: string;
  durationMs: number;
  /** The automatic flows and the revision their rewrite got (empty after a rollback: the backup has none). */
  rewritten: (FlowRef & { revision: number })[];
  /** Flows left for a person (`acceptManual`). */
  manual: FlowRef[];
  /** What was done, in order (the CLI prints them). */
  steps: string[];
};

type Plan = { report: MigrationReport; request: MigrationRequest; result: MigrationResult };

/**
 * A tenant's move from Kestra 1.3 to 2.0 (issue 14 §4). The report is
 * computed by the instance over its own flows (`GET /_silo/migration`,
 * started if needed). Applying is a guarded change (`guarded-change.ts`):
 * backup → stop → dialect switched → start on 2.0 → the automatic flows
 * rewritten as new revisions (2.0 validates them as it saves them) → smoke
 * check (every other flow parses on 2.0, a health execution and the
 * optional `smokeFlow` run to SUCCESS); at the first failure the backup is
 * restored with its dialect (1.3), nothing lost, the reason in `lastError`
 * and in the answer. Executions and logs are data: they stay as they were.
 *
 * @example
 * const result = await migrations.apply('acme', { to: '2.0' }); // 409 while a flow needs a person
 */
export class DialectMigrations {
  readonly #plans = new Map<string, Plan>();

  constructor(
    private readonly deps: {
      registry: Pick<Registry, 'tenants'>;
      manager: InstanceManager;
      logger: Logger;
      /** The gateway's one guard, shared with upgrades: one change per tenant at a time. */
      guard: GuardedChanges;
    },
  ) {}

  /** Each flow of the tenant: clean, automatic (with the proposed YAML) or manual, with the reasons. */
  async report(tenantId: string, to: KestraVersion): Promise<MigrationReport> {
    await this.#tenant(tenantId);
    const lease = await this.deps.manager.acquire(tenantId);
    try {
      const res = await instanceCall(lease, 'GET', `${MIGRATION_PATH}?to=${to}`, { timeoutMs: 60_000 });
      if (res.status === 400) throw new BadRequestError((res.json() as { message: string }).message);
      if (res.status !== 200)
        throw new UpstreamFailedError(tenantId, {
          cause: new Error(`the migration report answered ${res.status}: ${res.text.slice(0, 300)}`),
        });
      return MigrationReportSchema.parse(res.json());
    } finally {
      lease.release();
    }
  }

  async apply(tenantId: string, request: MigrationRequest): Promise<MigrationResult> {
    const { registry, logger, guard } = this.deps;
    const tenant = await this.#tenant(tenantId);
    const from = tenant.kestraVersion;
    if (request.to !== '2.0')
      throw new BadRequestError(
        'to: a migration goes to "2.0" (back to 1.3 is a restore of the backup it took)',
        [{ path: 'to', message: 'must be "2.0"' }],
      );
    if (from === request.to) throw new ConflictError(`tenant ${tenantId} already speaks Kestra ${from}`);
    const result: MigrationResult = {
      tenantId,
      from,
      to: request.to,
      outcome: 'rolled-back',
      reason: null,
      backupId: '',
      durationMs: 0,
      rewritten: [],
      manual: [],
      steps: [],
    };
    try {
      // The shared guard holds the tenant from the report on: an upgrade at once answers 409.
      const guarded = await guard.run(tenantId, {
        name: `migration to Kestra ${request.to}`,
        prepare: async () => {
          const report = await this.report(tenantId, request.to);
          this.#refuseManual(tenantId, report, request);
          result.manual = report.flows
            .filter((f) => f.status === 'manual')
            .map(({ namespace, id }) => ({ namespace, id }));
          result.steps.push(
            `report: ${report.summary.clean} clean, ${report.summary.automatic} automatic, ${report.summary.manual} manual`,
          );
          this.#plans.set(tenantId, { report, request, result });
          logger.info({ tenantId, from, to: request.to }, 'migration: starting');
        },
        apply: async () => {
          await registry.tenants.setKestraVersion(tenantId, request.to);
          result.steps.push(`backup taken, instance stopped, dialect switched to ${request.to}`);
        },
        undo: async () => {
          await registry.tenants.setKestraVersion(tenantId, from);
        },
        check: (id) => this.#afterStart(id),
      });
      Object.assign(result, {
        outcome: guarded.outcome,
        reason: guarded.reason,
        backupId: guarded.backupId ?? '',
        durationMs: guarded.durationMs,
      });
      if (guarded.outcome === 'rolled-back') {
        result.rewritten = [];
        result.steps.push(`rolled back to Kestra ${from} from backup ${guarded.backupId}: ${guarded.reason}`);
      } else result.steps.push(`done: the tenant speaks Kestra ${request.to}`);
      logger.info({ tenantId, outcome: result.outcome, reason: result.reason }, 'migration: finished');
      return result;
    } finally {
      this.#plans.delete(tenantId);
    }
  }

  /** 409 while some flow needs a person, unless `acceptManual` leaves them as they are. */
  #refuseManual(tenantId: string, report: MigrationReport, request: MigrationRequest): void {
    const manual = report.flows.filter((f) => f.status === 'manual');
    if (manual.length === 0 || request.acceptManual === true) return;
    throw new ConflictError(
      `tenant ${tenantId}: ${manual.length} flow(s) need a person before Kestra ${request.to}: ${manual
        .map((f) => `${f.namespace}.${f.id} (${f.reasons.find((r) => r.kind === 'manual')?.message})`)
        .join(
          '; ',
        )}. Fix them (GET .../migration?to=${request.to} lists the reasons), or send acceptManual: true to leave them as they are`,
    );
  }

  /** On the restarted instance: rewrite the automatic flows, then the smoke check. Throws to roll back. */
  async #afterStart(tenantId: string): Promise<void> {
    const plan = this.#plans.get(tenantId);
    if (plan === undefined) throw new Error('no migration plan (internal)');
    const { manager } = this.deps;
    const { report, request, result } = plan;
    const lease = await manager.acquire(tenantId);
    try {
      for (const flow of report.flows) {
        if (flow.status !== 'automatic' || flow.proposedYaml === undefined) continue;
        const path = `/api/v1/${tenantId}/flows/${flow.namespace}/${flow.id}`;
        const res = await instanceCall(lease, 'PUT', path, {
          body: flow.proposedYaml,
          type: 'application/x-yaml',
          timeoutMs: 60_000,
        });
        if (res.status !== 200)
          throw new Error(
            `flow ${flow.namespace}.${flow.id}: Kestra ${request.to} refused its rewrite: ${res.status} ${res.text.slice(0, 300)}`,
          );
        const revision = (res.json() as { revision: number }).revision;
        result.rewritten.push({ namespace: flow.namespace, id: flow.id, revision });
        result.steps.push(`rewrote ${flow.namespace}.${flow.id} (revision ${revision})`);
      }
      if (request.smokeFlow !== undefined) {
        await runSmokeFlow(lease, tenantId, request.smokeFlow);
        result.steps.push('smoke flow ran to SUCCESS');
      }
    } finally {
      lease.release();
    }
    const left = new Set(result.manual.map((f) => `${f.namespace}/${f.id}`));
    const checked = await smokeCheck(manager, tenantId, { skip: (ns, id) => left.has(`${ns}/${id}`) });
    result.steps.push(`smoke check: ${checked.flows} flow(s) parse on ${request.to}, a health execution ran`);
  }

  async #tenant(id: string): Promise<Tenant> {
    const tenant = await this.deps.registry.tenants.get(id);
    if (tenant === undefined) throw new NotFoundError('tenant', id);
    return tenant;
  }
}
