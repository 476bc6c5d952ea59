import { resolve } from 'node:path';
import { parseShortDuration } from '@silo/contracts';
import type { Command } from 'commander';
import { type AdminClient, CliError } from './admin-client.js';
import { rollout } from './rollout.js';
import { formatRecord, formatTable } from './table.js';

type Ctx = {
  client: () => AdminClient;
  show: (value: unknown, human: () => string) => void;
  /** Progress lines for people (not printed with --json). */
  progress: (line: string) => void;
};

const enc = encodeURIComponent;

function pauseOf(text: string): number {
  try {
    return parseShortDuration(text);
  } catch (err) {
    throw new CliError(`--pause: ${(err as Error).message}`);
  }
}

/**
 * `silo versions [add]`, `silo tenant upgrade`, `silo rollout` (issue 16 §4),
 * mirroring the admin API.
 *
 * @example
 * silo versions add 0.2.0 --bundle ./packages/orchestrator/dist/bundle
 * silo tenant upgrade acme --to 0.2.0
 * silo rollout --to 0.2.0 --batch 10%
 */
export function addVersionsCommands(program: Command, tenant: Command, ctx: Ctx): void {
  const { client, show } = ctx;
  const versions = program.command('versions').description('orchestrator versions installed side by side');
  versions
    .command('list', { isDefault: true })
    .description('the installed versions and the tenants pinned to each')
    .action(async () => {
      const list = await client().request<{ results: Record<string, unknown>[] }>(
        'GET',
        '/admin/v1/versions',
      );
      const rows = list.results.map((v) => ({
        ...v,
        tenants: (v.tenants as string[]).length,
        current: v.current ? 'yes' : '',
      }));
      show(list, () =>
        formatTable(rows, ['version', 'current', 'installed', 'tenants', 'installedAt', 'source']),
      );
    });
  versions
    .command('add <version>')
    .description(
      'install a version: a bundle on the gateway host (process) or an image in the engine (docker)',
    )
    .option('--bundle <path>', 'main.js of an orchestrator build, or its folder (process runtime)')
    .option('--image <name:tag>', 'an image in the engine, tagged as the instance image (docker)')
    .action(async (version: string, o: { bundle?: string; image?: string }) => {
      if ((o.bundle === undefined) === (o.image === undefined))
        throw new CliError('give --bundle or --image');
      const installed = await client().request<Record<string, unknown>>('POST', '/admin/v1/versions', {
        version,
        ...(o.bundle !== undefined ? { bundle: resolve(o.bundle) } : {}),
        ...(o.image !== undefined ? { image: o.image } : {}),
      });
      show(installed, () => formatRecord(installed));
    });

  tenant
    .command('upgrade <id>')
    .description('move a tenant to another version: backup, start it, smoke check, else automatic rollback')
    .requiredOption('--to <version>', 'the installed version')
    .action(async (id: string, o: { to: string }) => {
      const result = await client().request<Record<string, unknown>>(
        'POST',
        `/admin/v1/tenants/${enc(id)}/upgrade`,
        { version: o.to },
      );
      show(result, () => formatRecord(result));
      if (result.outcome !== 'upgraded')
        throw new CliError(`${id} was rolled back: ${String(result.reason)}`);
    });

  program
    .command('rollout')
    .description('upgrade every tenant on another version, in waves; stops at the first tenant rolled back')
    .requiredOption('--to <version>', 'the installed version')
    .option('--batch <share>', 'tenants per wave: a share (10%) or a count', '10%')
    .option('--pause <duration>', 'wait between waves, e.g. 30s', '0s')
    .action(async (o: { to: string; batch: string; pause: string }) => {
      const report = await rollout(client(), o.to, o.batch, ctx.progress, pauseOf(o.pause));
      show(report, () =>
        [
          `moved: ${report.moved.map((m) => `${m.tenantId} (from ${m.from})`).join(', ') || '-'}`,
          `failed: ${report.failed ? `${report.failed.tenantId}: ${report.failed.reason}` : '-'}`,
          `left: ${report.left.join(', ') || '-'}`,
        ].join('\n'),
      );
      if (report.failed) throw new CliError(`rollout stopped at ${report.failed.tenantId}`);
    });
}
