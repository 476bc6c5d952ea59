import { Readable } from 'node:stream';
import { TenantIdSchema } from '@silo/contracts';
import { Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { InstanceManager } from '../lifecycle/instance-manager.js';
import type { Registry } from '../tenants/registry.js';
import { type BackupScheduler, BackupScheduleSchema } from './backup-schedule.js';
import { BACKUP_ID, type BackupStore } from './backup-store.js';
import type { TenantOperations } from './tenant-operations.js';

export type OperationsRoutesDeps = {
  ops: TenantOperations;
  store: BackupStore;
  scheduler: BackupScheduler;
  registry: Pick<Registry, 'tenants'>;
  manager: InstanceManager;
};

const RestoreSchema = z
  .object({
    backupId: z.string().regex(BACKUP_ID, 'a backup id as listed by GET .../backups'),
    /** Restore into this new tenant instead (made like an import). */
    tenantId: TenantIdSchema.optional(),
  })
  .strict();

const parse = <T>(req: Request, schema: z.ZodType<T>): Promise<T> => parseJsonBody(req, schema);

/**
 * Tenant operations of the admin API (DESIGN.md, "Wave 2 surface"), mounted
 * at `/admin/v1` behind the admin token: backups (+ their schedule),
 * restore, export, import.
 *
 * @example
 * app.route('/admin/v1', operationsRoutes({ ops, store, scheduler, registry, manager }));
 */
export function operationsRoutes(deps: OperationsRoutesDeps): Hono {
  const { ops, store, scheduler, registry, manager } = deps;
  const app = new Hono();
  const tenantOr404 = async (id: string) => {
    const tenant = await registry.tenants.get(id);
    if (tenant === undefined) throw new NotFoundError('tenant', id);
    return tenant;
  };

  app.post('/tenants/import', async (c) => {
    const id = TenantIdSchema.safeParse(c.req.query('id'));
    if (!id.success)
      throw new BadRequestError(`id: ${id.error.issues[0]?.message ?? 'invalid'} (query parameter ?id=NEW)`, [
        { path: 'id', message: id.error.issues[0]?.message ?? 'invalid' },
      ]);
    if (c.req.raw.body === null)
      throw new BadRequestError('body: an export archive (application/gzip) is required');
    const tenant = await ops.importFrom(id.data, Readable.fromWeb(c.req.raw.body as never));
    return c.json({ ...tenant, instance: await manager.view(tenant.id) }, 201);
  });

  app.post('/tenants/:id/backups', async (c) => {
    const record = await ops.backup((await tenantOr404(c.req.param('id'))).id, 'manual');
    return c.json(record, 201);
  });

  app.get('/tenants/:id/backups', async (c) => {
    const results = await store.list((await tenantOr404(c.req.param('id'))).id);
    return c.json({ results, total: results.length });
  });

  app.get('/tenants/:id/backups/schedule', async (c) =>
    c.json(await scheduler.get((await tenantOr404(c.req.param('id'))).id)),
  );

  app.put('/tenants/:id/backups/schedule', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    await scheduler.set(tenant.id, await parse(c.req.raw, BackupScheduleSchema));
    return c.json(await scheduler.get(tenant.id));
  });

  app.post('/tenants/:id/restore', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const { backupId, tenantId } = await parse(c.req.raw, RestoreSchema);
    const restored = await ops.restore(tenant.id, backupId, tenantId);
    return c.json({ ...restored, instance: await manager.view(restored.id) }, tenantId ? 201 : 200);
  });

  app.get('/tenants/:id/export', async (c) => {
    const tenant = await tenantOr404(c.req.param('id'));
    const stream = await ops.exportStream(tenant.id);
    const name = `${tenant.id}-${new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}.tar.gz`;
    return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
      headers: {
        'content-type': 'application/gzip',
        'content-disposition': `attachment; filename="${name}"`,
      },
    });
  });

  return app;
}
