import type { Command } from 'commander';
import type { AdminClient } from './admin-client.js';
import { CliError } from './admin-client.js';
import { formatTable } from './table.js';

/** The limits of the admin API, their flags and what each means. */
const FIELDS = [
  ['memoryMb', '--memory-mb <mb>', 'memory limit of its instance in MiB (docker runtime; next start)'],
  ['cpus', '--cpus <cpus>', 'CPU limit in cores (docker runtime; next start)'],
  ['pids', '--pids <n>', 'process limit (docker runtime; next start)'],
  ['storageMb', '--storage-mb <mb>', 'storage quota in MB: writes past it fail with 507 (next start)'],
  [
    'maxConcurrentExecutions',
    '--max-concurrent-executions <n>',
    'executions running at once; the rest wait QUEUED (next start)',
  ],
  [
    'requestsPerSecond',
    '--requests-per-second <n>',
    'tenant API requests per second, burst of one second; past it 429 + Retry-After (at once)',
  ],
] as const;
type Field = (typeof FIELDS)[number][0];

type Limits = Partial<Record<Field, number>>;
type TenantLimitsView = {
  id: string;
  limits: Limits;
  usage?: { runningExecutions: number | null; requestsPerSecond: number; storageMb: number | null };
  appliesAtNextStart?: string[];
};

/** What each limit is used at now, for the table. */
const USED: Partial<Record<Field, (u: NonNullable<TenantLimitsView['usage']>) => number | null>> = {
  maxConcurrentExecutions: (u) => u.runningExecutions,
  requestsPerSecond: (u) => u.requestsPerSecond,
  storageMb: (u) => u.storageMb,
};

/**
 * `silo tenant limits <id> [--requests-per-second N ...] [--unset field...]`:
 * without flags, shows the limits with their current usage; with flags,
 * merges them into the current limits and `PUT`s the result.
 *
 * @example
 * silo tenant limits acme --requests-per-second 50 --max-concurrent-executions 4
 */
export function addLimitsCommand(
  tenant: Command,
  ctx: { client: () => AdminClient; show: (value: unknown, human: () => string) => void },
): void {
  const cmd = tenant
    .command('limits <id>')
    .description('show or change a tenant’s limits and quotas (with their current usage)');
  for (const [, flag, help] of FIELDS) cmd.option(flag, help, Number);
  cmd.option('--unset <fields...>', `remove limits (${FIELDS.map((f) => f[0]).join(', ')})`);
  cmd.action(async (id: string, o: Limits & { unset?: string[] }) => {
    const path = `/admin/v1/tenants/${encodeURIComponent(id)}`;
    const client = ctx.client();
    const current = await client.request<TenantLimitsView>('GET', path);
    const changes = FIELDS.map(([f]) => f).filter((f) => o[f] !== undefined);
    for (const name of o.unset ?? []) {
      if (!FIELDS.some(([f]) => f === name)) throw new CliError(`--unset: unknown limit "${name}"`);
    }
    let view = current;
    if (changes.length > 0 || (o.unset?.length ?? 0) > 0) {
      const next: Limits = { ...current.limits };
      for (const f of changes) next[f] = o[f];
      for (const name of o.unset ?? []) delete next[name as Field];
      view = {
        ...(await client.request<TenantLimitsView>('PUT', `${path}/limits`, next)),
        usage: current.usage,
      };
    }
    ctx.show(
      { id: view.id, limits: view.limits, usage: view.usage, appliesAtNextStart: view.appliesAtNextStart },
      () => {
        const rows = FIELDS.map(([f]) => {
          const used = view.usage ? USED[f]?.(view.usage) : undefined;
          return { limit: f, value: view.limits[f] ?? null, used: used ?? null };
        });
        const pending = view.appliesAtNextStart?.length
          ? `\napplies at the next start of the instance: ${view.appliesAtNextStart.join(', ')}`
          : '';
        return formatTable(rows, ['limit', 'value', 'used']) + pending;
      },
    );
  });
}
