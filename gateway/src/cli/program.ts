import { Command } from 'commander';
import { runServe } from '../serve.js';
import { AdminClient, CliError, resolveConnection } from './admin-client.js';
import { addLimitsCommand } from './limits-command.js';
import { addMigrateCommand } from './migrate-command.js';
import { addOperationsCommands } from './operations-commands.js';
import { addSettingFlags, settingOverrides } from './serve-options.js';
import { formatRecord, formatTable } from './table.js';
import { addVersionsCommands } from './versions-commands.js';

/** What the CLI touches of the outside world (tests pass their own). */
export type CliIo = {
  env: Record<string, string | undefined>;
  print: (text: string) => void;
  readStdin: () => Promise<string>;
};

type Globals = { url?: string; token?: string; dataDir?: string; json?: boolean };
type TenantJson = {
  id: string;
  name: string;
  state: string;
  suspendedReason: string | null;
  kestraVersion: string;
  instance: { state: string; lastError: string | null; nextWakeAt: string | null; coldStarts: number };
};

const enc = encodeURIComponent;

/**
 * The `silo` command line: `serve`, `tenant`, `key`, `secret`, `status`
 * (and `image` when the Docker component provides it). Tables for people,
 * `--json` for scripts.
 *
 * @example
 * await buildProgram(io).parseAsync(['tenant', 'list', '--json'], { from: 'user' });
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('silo')
    .description('Silo: one isolated Kestra-compatible orchestrator per tenant, behind one gateway')
    .option('--url <url>', 'gateway URL (default: SILO_URL, else http://127.0.0.1:8080)')
    .option('--token <token>', 'admin token (default: SILO_ADMIN_TOKEN, else <data dir>/admin-token)')
    .option('--data-dir <dir>', 'data folder holding admin-token (default: SILO_DATA_DIR, else .silo)')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError();

  const globals = () => program.opts<Globals>();
  const client = () => new AdminClient(resolveConnection(globals(), io.env));
  const show = (value: unknown, human: () => string) =>
    io.print(globals().json ? JSON.stringify(value, null, 2) : human());
  const tenantRow = (t: TenantJson) => ({
    id: t.id,
    name: t.name,
    state: t.state,
    kestraVersion: t.kestraVersion,
    instance: t.instance.state,
    coldStarts: t.instance.coldStarts,
    nextWakeAt: t.instance.nextWakeAt,
    lastError: t.instance.lastError,
  });
  const showTenant = (t: TenantJson) => show(t, () => formatRecord(t as unknown as Record<string, unknown>));

  const serve = program
    .command('serve')
    .description('run the gateway (settings from SILO_* variables; these flags override them)');
  addSettingFlags(serve, program).action(async () => {
    await runServe(settingOverrides(serve, program));
  });

  const tenant = program.command('tenant').description('manage tenants and their instances');
  tenant
    .command('create <id>')
    .description('create a tenant (id: a DNS label, 3-63 chars a-z 0-9 -)')
    .option('--name <name>', 'display name')
    .option('--memory-mb <mb>', 'memory limit of its instance (docker runtime)', Number)
    .option('--cpus <cpus>', 'CPU limit in cores (docker runtime)', Number)
    .option('--pids <n>', 'process limit (docker runtime)', Number)
    .option('--kestra-version <version>', 'Kestra dialect of its API and flows: "2.0" (default) or "1.3"')
    .action(
      async (
        id: string,
        o: { name?: string; memoryMb?: number; cpus?: number; pids?: number; kestraVersion?: string },
      ) => {
        const limits = Object.fromEntries(
          Object.entries({ memoryMb: o.memoryMb, cpus: o.cpus, pids: o.pids }).filter(
            ([, v]) => v !== undefined,
          ),
        );
        const body = {
          id,
          ...(o.name ? { name: o.name } : {}),
          ...(Object.keys(limits).length ? { limits } : {}),
          ...(o.kestraVersion ? { kestraVersion: o.kestraVersion } : {}),
        };
        showTenant(await client().request<TenantJson>('POST', '/admin/v1/tenants', body));
      },
    );
  tenant
    .command('list')
    .description('list tenants with their instance state')
    .action(async () => {
      const list = await client().request<{ results: TenantJson[]; total: number }>(
        'GET',
        '/admin/v1/tenants',
      );
      show(list, () =>
        formatTable(list.results.map(tenantRow), [
          'id',
          'name',
          'state',
          'kestraVersion',
          'instance',
          'coldStarts',
          'nextWakeAt',
        ]),
      );
    });
  tenant
    .command('show <id>')
    .description('show a tenant and its instance (state, last error, next wake)')
    .action(async (id: string) =>
      showTenant(await client().request<TenantJson>('GET', `/admin/v1/tenants/${enc(id)}`)),
    );
  tenant
    .command('delete <id>')
    .description('delete a tenant and stop its instance')
    .option('--purge', 'also delete its data (flows, executions)')
    .action(async (id: string, o: { purge?: boolean }) => {
      await client().request('DELETE', `/admin/v1/tenants/${enc(id)}${o.purge ? '?purge=true' : ''}`);
      show({ deleted: id, purged: o.purge === true }, () => `deleted ${id}${o.purge ? ' and its data' : ''}`);
    });
  tenant
    .command('suspend <id>')
    .description('suspend a tenant: its instance stops, its API answers 403 with the reason')
    .option('--reason <text>', 'shown to its API clients')
    .action(async (id: string, o: { reason?: string }) =>
      showTenant(
        await client().request<TenantJson>(
          'POST',
          `/admin/v1/tenants/${enc(id)}/suspend`,
          o.reason ? { reason: o.reason } : {},
        ),
      ),
    );
  for (const [verb, what] of [
    ['resume', 'resume a suspended tenant'],
    ['start', 'start its instance now (waits until ready)'],
    ['stop', 'stop its instance now'],
  ] as const) {
    tenant
      .command(`${verb} <id>`)
      .description(what)
      .action(async (id: string) =>
        showTenant(await client().request<TenantJson>('POST', `/admin/v1/tenants/${enc(id)}/${verb}`)),
      );
  }
  tenant
    .command('logs <id>')
    .description("print the instance's own output")
    .option('--tail <n>', 'last n lines', '200')
    .action(async (id: string, o: { tail: string }) => {
      const text = await client().request<string>(
        'GET',
        `/admin/v1/tenants/${enc(id)}/logs?tail=${enc(o.tail)}`,
      );
      show({ tenant: id, logs: text ?? '' }, () => text ?? '');
    });

  addOperationsCommands(tenant, { client, show, connection: () => resolveConnection(globals(), io.env) });
  addLimitsCommand(tenant, { client, show });
  const cliCtx = {
    client,
    show,
    progress: (line: string) => {
      if (!globals().json) io.print(line);
    },
  };
  addVersionsCommands(program, tenant, cliCtx);
  addMigrateCommand(tenant, cliCtx);

  const key = program.command('key').description("manage a tenant's API keys");
  key
    .command('create <tenant>')
    .description('create an API key (shown once)')
    .option('--name <name>', 'a label, e.g. ci')
    .action(async (tenantId: string, o: { name?: string }) => {
      const created = await client().request<{ id: string; name: string; key: string }>(
        'POST',
        `/admin/v1/tenants/${enc(tenantId)}/keys`,
        o.name ? { name: o.name } : {},
      );
      show(created, () => `key ${created.id} (${created.name}) — shown once, store it now:\n${created.key}`);
    });
  key
    .command('list <tenant>')
    .description('list API keys (prefixes only, never the keys)')
    .action(async (tenantId: string) => {
      const list = await client().request<{ results: Record<string, unknown>[] }>(
        'GET',
        `/admin/v1/tenants/${enc(tenantId)}/keys`,
      );
      show(list, () =>
        formatTable(list.results, ['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt']),
      );
    });
  key
    .command('revoke <tenant> <keyId>')
    .description('revoke an API key')
    .action(async (tenantId: string, keyId: string) => {
      await client().request('DELETE', `/admin/v1/tenants/${enc(tenantId)}/keys/${enc(keyId)}`);
      show({ revoked: keyId }, () => `revoked ${keyId}`);
    });

  const secret = program.command('secret').description("manage a tenant's secrets (values are never shown)");
  secret
    .command('set <tenant> <name> [value]')
    .description('set a secret (value from the argument, else from standard input); used from the next start')
    .action(async (tenantId: string, name: string, value: string | undefined) => {
      const v = value ?? (await io.readStdin()).replace(/\n$/, '');
      await client().request('PUT', `/admin/v1/tenants/${enc(tenantId)}/secrets/${enc(name)}`, { value: v });
      show({ set: name }, () => `set ${name}`);
    });
  secret
    .command('list <tenant>')
    .description('list secret names')
    .action(async (tenantId: string) => {
      const list = await client().request<{ results: Record<string, unknown>[] }>(
        'GET',
        `/admin/v1/tenants/${enc(tenantId)}/secrets`,
      );
      show(list, () => formatTable(list.results, ['name', 'updatedAt']));
    });
  secret
    .command('delete <tenant> <name>')
    .description('delete a secret')
    .action(async (tenantId: string, name: string) => {
      await client().request('DELETE', `/admin/v1/tenants/${enc(tenantId)}/secrets/${enc(name)}`);
      show({ deleted: name }, () => `deleted ${name}`);
    });

  program
    .command('status')
    .description('the gateway: runtime, tenants, instances by state')
    .action(async () => {
      const status = await client().request<Record<string, unknown>>('GET', '/admin/v1/status');
      show(status, () => formatRecord(status));
    });

  return program;
}

/** Prints a `CliError` (or any error) as one line; the exit code is 1. */
export function describeCliError(err: unknown): string {
  if (err instanceof CliError) return `silo: ${err.message}`;
  return `silo: ${(err as Error).message ?? String(err)}`;
}
