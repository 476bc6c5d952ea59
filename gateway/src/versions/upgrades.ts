import type { Logger } from 'pino';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors.js';
import type { GuardedChanges } from '../operations/guarded-change.js';
import type { Tenant, TenantStore } from '../tenants/tenant-store.js';
import type { InstalledVersion, VersionCatalog } from './version-catalog.js';
import { compareVersions } from './version-name.js';

/** The answer of `POST /admin/v1/tenants/{id}/upgrade`. */
export type UpgradeResult = {
  tenantId: string;
  from: string;
  to: string;
  outcome: 'upgraded' | 'rolled-back';
  /** Why it was rolled back (also the tenant's `lastError`); null when upgraded. */
  reason: string | null;
  /** The backup taken before (the way back); null for a tenant that had no data yet. */
  backupId: string | null;
  durationMs: number;
};

export type VersionView = InstalledVersion & { installed: boolean; tenants: string[] };

/**
 * Orchestrator versions per tenant (issue 16 §4): each tenant is pinned to
 * one installed version; `upgrade` moves one tenant through a guarded change
 * (backup → pin → restart: its migrations run → readiness + smoke check →
 * done, or automatic rollback to the backup and the old pin).
 *
 * @example
 * const result = await upgrades.upgrade('acme', '0.2.0'); // { from: '0.1.0', to: '0.2.0', outcome: 'upgraded', ... }
 */
export class Upgrades {
  constructor(
    private readonly deps: {
      catalog: VersionCatalog;
      tenants: TenantStore;
      guard: GuardedChanges;
      logger: Logger;
    },
  ) {}

  /** The version a tenant runs: its pin, or the current build while unpinned. */
  async versionOf(tenant: Tenant): Promise<string> {
    return tenant.version ?? (await this.deps.catalog.current());
  }

  /** Pins every unpinned tenant (made before versions, or by import) to the current build. */
  async pinUnpinned(): Promise<string[]> {
    const current = await this.deps.catalog.current();
    const pinned: string[] = [];
    for (const tenant of await this.deps.tenants.list()) {
      if (tenant.version !== null) continue;
      await this.deps.tenants.setVersion(tenant.id, current);
      pinned.push(tenant.id);
    }
    if (pinned.length > 0)
      this.deps.logger.info(
        { version: current, tenants: pinned.length },
        'versions: pinned unpinned tenants to the current build',
      );
    return pinned;
  }

  /** The installed versions (newest first), each with its tenants; pins of versions no longer installed too. */
  async list(): Promise<VersionView[]> {
    const installed = await this.deps.catalog.list();
    const views = new Map<string, VersionView>(
      installed.map((v) => [v.version, { ...v, installed: true, tenants: [] }]),
    );
    for (const tenant of await this.deps.tenants.list()) {
      const version = await this.versionOf(tenant);
      let view = views.get(version);
      if (view === undefined) {
        view = {
          version,
          current: false,
          installedAt: null,
          source: 'not installed',
          installed: false,
          tenants: [],
        };
        views.set(version, view);
      }
      view.tenants.push(tenant.id);
    }
    return [...views.values()].sort((a, b) => compareVersions(b.version, a.version));
  }

  async upgrade(tenantId: string, to: string): Promise<UpgradeResult> {
    const { catalog, tenants, guard, logger } = this.deps;
    const tenant = await tenants.get(tenantId);
    if (tenant === undefined) throw new NotFoundError('tenant', tenantId);
    if (!(await catalog.has(to)))
      throw new UnprocessableError(
        `version: orchestrator version ${to} is not installed (GET /admin/v1/versions)`,
        'version',
      );
    const from = await this.versionOf(tenant);
    if (from === to) throw new ConflictError(`tenant ${tenantId} already runs orchestrator version ${to}`);
    logger.info({ tenantId, from, to }, 'upgrade: starting');
    const result = await guard.run(tenantId, {
      name: `upgrade ${from} → ${to}`,
      apply: async () => void (await tenants.setVersion(tenantId, to)),
      undo: async () => void (await tenants.setVersion(tenantId, from)),
    });
    const outcome = result.outcome === 'applied' ? 'upgraded' : 'rolled-back';
    logger.info({ tenantId, from, to, outcome, reason: result.reason }, 'upgrade: done');
    return {
      tenantId,
      from,
      to,
      outcome,
      reason: result.reason,
      backupId: result.backupId,
      durationMs: result.durationMs,
    };
  }
}
