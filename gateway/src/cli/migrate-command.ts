import type { Command } from 'commander';
import { type AdminClient, CliError } from './admin-client.js';
import { formatTable } from './table.js';

type Ctx = {
  client: () => AdminClient;
  show: (value: unknown, human: () => string) => void;
  /** Progress lines for people (nothing with --json). */
  progress: (line: string) => void;
};

type Reason = { path: string; line: number; message: string; kind: string };
type Report = {
  from: string;
  to: string;
  summary: { clean: number; automatic: number; manual: number };
  flows: { namespace: string; id: string; revision: number; status: string; reasons: Reason[] }[];
};
type Result = { outcome: string; reason: string | null; backupId: string; steps: string[] };

const enc = encodeURIComponent;

/** The report for people: one line per flow, then each reason under it (`line N path: message`). */
export function formatReport(report: Report): string {
  const rows = report.flows.map((f) => ({
    flow: `${f.namespace}.${f.id}`,
    revision: f.revision,
    status: f.status,
  }));
  const lines = [
    `Kestra ${report.from} → ${report.to}: ${report.summary.clean} clean, ${report.summary.automatic} automatic, ${report.summary.manual} manual`,
    formatTable(rows, ['flow', 'revision', 'status']),
  ];
  for (const f of report.flows.filter((x) => x.reasons.length > 0)) {
    lines.push(`${f.namespace}.${f.id}:`);
    for (const r of f.reasons) lines.push(`  [${r.kind}] line ${r.line} ${r.path}: ${r.message}`);
  }
  return lines.join('\n');
}

/**
 * `silo tenant migrate <id> --to 2.0 [--check|--apply] [--accept-manual]`
 * (issue 14 §4): `--check` (the default) prints the report; `--apply`
 * migrates with a backup and rolls back on failure, printing each step.
 * Exits non-zero when the migration was rolled back.
 *
 * @example
 * silo tenant migrate acme --to 2.0 --check
 * silo tenant migrate acme --to 2.0 --apply
 */
export function addMigrateCommand(tenant: Command, ctx: Ctx): void {
  tenant
    .command('migrate <id>')
    .description(
      'move a tenant to another Kestra dialect: --check reports each flow, --apply migrates (backup, rollback on failure)',
    )
    .requiredOption('--to <version>', 'target Kestra version ("2.0")')
    .option('--check', 'only report each flow: clean, automatic (rewritten) or manual (default)')
    .option(
      '--apply',
      'migrate: backup, rewrite the automatic flows, switch, restart, smoke check; roll back on failure',
    )
    .option('--accept-manual', 'with --apply: migrate although some flows need a person (left as they are)')
    .action(
      async (id: string, o: { to: string; check?: boolean; apply?: boolean; acceptManual?: boolean }) => {
        if (o.check && o.apply) throw new CliError('--check and --apply exclude each other');
        const path = `/admin/v1/tenants/${enc(id)}/migration`;
        if (!o.apply) {
          ctx.progress(`checking the flows of ${id} for Kestra ${o.to}…`);
          const report = await ctx.client().request<Report>('GET', `${path}?to=${enc(o.to)}`);
          ctx.show(report, () => formatReport(report));
          return;
        }
        ctx.progress(
          `migrating ${id} to Kestra ${o.to}: backup, dialect switch, restart, rewrite of the automatic flows, smoke check…`,
        );
        const result = await ctx.client().request<Result>('POST', path, {
          to: o.to,
          apply: true,
          ...(o.acceptManual ? { acceptManual: true } : {}),
        });
        ctx.show(result, () =>
          [...result.steps.map((s) => `- ${s}`), `outcome: ${result.outcome}`].join('\n'),
        );
        if (result.outcome !== 'applied')
          throw new CliError(`migration of ${id} rolled back (backup ${result.backupId}): ${result.reason}`);
      },
    );
}
