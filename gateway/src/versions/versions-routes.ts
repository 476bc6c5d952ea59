import { Hono } from 'hono';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import type { Upgrades } from './upgrades.js';
import type { VersionCatalog } from './version-catalog.js';
import { VersionNameSchema } from './version-name.js';

const UpgradeSchema = z.object({ version: VersionNameSchema }).strict();
const InstallSchema = z
  .object({
    version: VersionNameSchema,
    /** Process runtime: a bundle on the gateway's host (`main.js`, or a folder holding one). */
    bundle: z.string().min(1).max(4096).optional(),
    /** Docker: an image in the engine, tagged as the instance image's `<version>`. */
    image: z.string().min(1).max(512).optional(),
  })
  .strict();

/**
 * Versions of the admin API (DESIGN.md, "Wave 2 surface"), mounted at
 * `/admin/v1` behind the admin token: `GET /versions` (installed, tenants on
 * each), `POST /versions` (install one), `POST /tenants/{id}/upgrade`.
 *
 * @example
 * app.route('/admin/v1', versionsRoutes({ catalog, upgrades }));
 */
export function versionsRoutes(deps: { catalog: VersionCatalog; upgrades: Upgrades }): Hono {
  const { catalog, upgrades } = deps;
  const app = new Hono();

  app.get('/versions', async (c) => {
    const results = await upgrades.list();
    return c.json({ results, total: results.length, current: await catalog.current() });
  });

  app.post('/versions', async (c) => {
    const body = await parseJsonBody(c.req.raw, InstallSchema);
    if ((body.bundle === undefined) === (body.image === undefined))
      throw new BadRequestError('one of bundle (process runtime) or image (docker) is required', [
        { path: 'bundle', message: 'a bundle path, or an image, not both' },
      ]);
    const installed = await catalog.install(body.version, {
      ...(body.bundle !== undefined ? { bundle: body.bundle } : {}),
      ...(body.image !== undefined ? { image: body.image } : {}),
    });
    return c.json({ ...installed, installed: true, tenants: [] }, 201);
  });

  app.post('/tenants/:id/upgrade', async (c) => {
    const { version } = await parseJsonBody(c.req.raw, UpgradeSchema);
    return c.json(await upgrades.upgrade(c.req.param('id'), version));
  });

  return app;
}
