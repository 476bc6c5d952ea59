import { KestraVersionSchema } from '@silo/contracts';
import { Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { DialectMigrations } from './dialect-migration.js';

const MigrateSchema = z
  .object({
    to: KestraVersionSchema,
    /** false (or absent): only the report, as GET answers it. */
    apply: z.boolean().optional(),
    acceptManual: z.boolean().optional(),
    smokeFlow: z
      .string()
      .min(1)
      .max(512 * 1024)
      .optional(),
  })
  .strict();

/**
 * The dialect migration of the admin API (DESIGN.md "Wave 2 surface"):
 * `GET /tenants/{id}/migration?to=2.0` → the report per flow;
 * `POST /tenants/{id}/migration {to, apply: true, acceptManual?, smokeFlow?}`
 * → 200 `{outcome: 'applied' | 'rolled-back', reason, backupId, rewritten,
 * manual, steps}`; 409 while a flow needs a person (unless `acceptManual`)
 * or when the tenant already speaks `to`.
 *
 * @example
 * app.route('/admin/v1', migrationRoutes(migrations));
 */
export function migrationRoutes(migrations: DialectMigrations): Hono {
  const app = new Hono();
  app.get('/tenants/:id/migration', async (c) => {
    const to = KestraVersionSchema.safeParse(c.req.query('to') ?? '2.0');
    if (!to.success)
      throw new BadRequestError(`to: ${to.error.issues[0]?.message ?? 'invalid'}`, [
        { path: 'to', message: to.error.issues[0]?.message ?? 'invalid' },
      ]);
    return c.json(await migrations.report(c.req.param('id'), to.data));
  });
  app.post('/tenants/:id/migration', async (c) => {
    const body = await parseJsonBody(c.req.raw, MigrateSchema, {});
    const id = c.req.param('id');
    if (body.apply !== true) return c.json(await migrations.report(id, body.to));
    const { to, acceptManual, smokeFlow } = body;
    return c.json(
      await migrations.apply(id, {
        to,
        ...(acceptManual !== undefined ? { acceptManual } : {}),
        ...(smokeFlow !== undefined ? { smokeFlow } : {}),
      }),
    );
  });
  return app;
}
