import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { type AdminClient, CliError, type Connection } from './admin-client.js';
import { formatRecord, formatTable } from './table.js';

type Ctx = {
  client: () => AdminClient;
  connection: () => Connection;
  show: (value: unknown, human: () => string) => void;
};

const enc = encodeURIComponent;

/** A streamed admin call (export, import): the body never sits in memory. */
async function stream(
  conn: Connection,
  method: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${conn.url}${path}`, {
      ...init,
      method,
      headers: { authorization: `Bearer ${conn.token}`, ...(init.headers ?? {}) },
    });
  } catch (err) {
    throw new CliError(`cannot reach the gateway at ${conn.url}: ${(err as Error).message}`);
  }
  if (!res.ok) {
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {}
    throw new CliError(`${res.status}: ${message}`);
  }
  return res;
}

/**
 * `silo tenant backup|backups|restore|export|import` (issue 16), mirroring
 * the admin API. Registered on the `tenant` command by `program.ts`.
 *
 * @example
 * silo tenant backup acme
 * silo tenant restore acme 20261130T070102Z-x1y2z3
 * silo tenant export acme -o acme.tar.gz && silo --url http://other:8080 tenant import acme.tar.gz --id acme
 */
export function addOperationsCommands(tenant: Command, ctx: Ctx): void {
  const { client, show } = ctx;
  tenant
    .command('backup <id>')
    .description('take a consistent backup now (running or stopped; a stopped tenant is not started)')
    .action(async (id: string) => {
      const b = await client().request<Record<string, unknown>>(
        'POST',
        `/admin/v1/tenants/${enc(id)}/backups`,
      );
      show(b, () => formatRecord(b));
    });
  tenant
    .command('backups <id>')
    .description("list a tenant's backups, newest first; with --every/--keep, set its backup schedule")
    .option('--every <duration>', 'scheduled backups, e.g. 6h, 1d ("off" to stop)')
    .option('--keep <n>', 'scheduled backups kept', '7')
    .action(async (id: string, o: { every?: string; keep: string }) => {
      if (o.every !== undefined) {
        const schedule = await client().request<Record<string, unknown>>(
          'PUT',
          `/admin/v1/tenants/${enc(id)}/backups/schedule`,
          { every: o.every === 'off' ? null : o.every, keep: Number(o.keep) },
        );
        show(schedule, () => formatRecord(schedule));
        return;
      }
      const list = await client().request<{ results: Record<string, unknown>[] }>(
        'GET',
        `/admin/v1/tenants/${enc(id)}/backups`,
      );
      show(list, () =>
        formatTable(list.results, [
          'id',
          'createdAt',
          'sizeBytes',
          'executions',
          'mode',
          'trigger',
          'version',
        ]),
      );
    });
  tenant
    .command('restore <id> <backupId>')
    .description('stop the instance, restore the backup, start and verify it (or --into a new tenant)')
    .option('--into <newId>', 'restore into a new tenant instead (a new key is made)')
    .action(async (id: string, backupId: string, o: { into?: string }) => {
      const t = await client().request<Record<string, unknown>>(
        'POST',
        `/admin/v1/tenants/${enc(id)}/restore`,
        {
          backupId,
          ...(o.into ? { tenantId: o.into } : {}),
        },
      );
      show(t, () => formatRecord(t));
    });
  tenant
    .command('export <id>')
    .description('write one .tar.gz archive of the tenant (data + manifest), streamed')
    .option('-o, --output <file>', 'archive file (default: <id>.tar.gz)')
    .action(async (id: string, o: { output?: string }) => {
      const file = o.output ?? `${id}.tar.gz`;
      const res = await stream(ctx.connection(), 'GET', `/admin/v1/tenants/${enc(id)}/export`);
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file, { mode: 0o600 }));
      const { size } = await stat(file);
      show({ tenant: id, file, sizeBytes: size }, () => `exported ${id} to ${file} (${size} bytes)`);
    });
  tenant
    .command('import <file>')
    .description('create a tenant from an export archive (keys are not carried: a new one is shown once)')
    .requiredOption('--id <newId>', 'id of the new tenant')
    .action(async (file: string, o: { id: string }) => {
      await stat(file).catch(() => {
        throw new CliError(`no such file: ${file}`);
      });
      const res = await stream(ctx.connection(), 'POST', `/admin/v1/tenants/import?id=${enc(o.id)}`, {
        headers: { 'content-type': 'application/gzip' },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      const t = (await res.json()) as { id: string; key: { key: string } };
      show(t, () => `imported ${t.id}; its new key (shown once, store it now):\n${t.key.key}`);
    });
}
