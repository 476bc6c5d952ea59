import { type AdminClient, CliError } from './admin-client.js';

type VersionView = { version: string; installed: boolean; tenants: string[] };
type UpgradeResult = { tenantId: string; from: string; to: string; outcome: string; reason: string | null };

export type RolloutReport = {
  to: string;
  batchSize: number;
  waves: number;
  /** Upgraded, in order. */
  moved: { tenantId: string; from: string }[];
  /** The tenant the rollout stopped at (rolled back, or the upgrade failed), with why. */
  failed: { tenantId: string; reason: string } | null;
  /** Not attempted (the rest of the fleet after a failure). */
  left: string[];
};

/** Tenants per wave: `10%` of `n` (at least 1), or a count. */
export function batchSize(batch: string, n: number): number {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(batch);
  const size = pct ? Math.ceil((Number(pct[1]) / 100) * n) : /^\d+$/.test(batch) ? Number(batch) : Number.NaN;
  if (!Number.isFinite(size) || (pct && Number(pct[1]) > 100))
    throw new CliError(`--batch: a share like 10% or a count like 5, got "${batch}"`);
  return Math.max(1, size);
}

/**
 * `silo rollout --to V --batch 10%`: upgrades every tenant on another
 * version to V in waves of that share of them, one tenant at a time through
 * `POST /admin/v1/tenants/{id}/upgrade` (each a guarded change), and stops at
 * the first tenant that did not upgrade (rolled back or failed). Progress
 * goes to `progress`; the report says what moved, what failed and why, and
 * what was left.
 *
 * @example
 * const report = await rollout(client, '0.2.0', '10%', (line) => io.print(line));
 */
export async function rollout(
  client: AdminClient,
  to: string,
  batch: string,
  progress: (line: string) => void,
  pauseMs = 0,
): Promise<RolloutReport> {
  const enc = encodeURIComponent;
  const { results } = await client.request<{ results: VersionView[] }>('GET', '/admin/v1/versions');
  if (!results.some((v) => v.version === to && v.installed))
    throw new CliError(`--to: orchestrator version ${to} is not installed (silo versions)`);
  const candidates = results
    .filter((v) => v.version !== to)
    .flatMap((v) => v.tenants)
    .sort();
  const size = batchSize(batch, candidates.length);
  const waves: string[][] = [];
  for (let i = 0; i < candidates.length; i += size) waves.push(candidates.slice(i, i + size));
  const report: RolloutReport = {
    to,
    batchSize: size,
    waves: waves.length,
    moved: [],
    failed: null,
    left: [],
  };
  progress(
    `rollout to ${to}: ${candidates.length} tenants on other versions, ${waves.length} waves of ${size}`,
  );
  for (const [w, wave] of waves.entries()) {
    progress(`wave ${w + 1}/${waves.length}: ${wave.join(', ')}`);
    for (const tenantId of wave) {
      let result: UpgradeResult | undefined;
      let reason: string | undefined;
      try {
        result = await client.request<UpgradeResult>('POST', `/admin/v1/tenants/${enc(tenantId)}/upgrade`, {
          version: to,
        });
        if (result.outcome !== 'upgraded') reason = result.reason ?? result.outcome;
      } catch (err) {
        reason = (err as Error).message;
      }
      if (reason === undefined && result !== undefined) {
        report.moved.push({ tenantId, from: result.from });
        progress(`  ${tenantId}: ${result.from} → ${to} upgraded`);
        continue;
      }
      report.failed = { tenantId, reason: reason ?? 'unknown' };
      report.left = candidates.slice(candidates.indexOf(tenantId) + 1);
      progress(`  ${tenantId}: rolled back or failed, stopping: ${reason}`);
      return report;
    }
    if (pauseMs > 0 && w < waves.length - 1) await new Promise((r) => setTimeout(r, pauseMs));
  }
  progress(`rollout to ${to}: done, ${report.moved.length} upgraded`);
  return report;
}
