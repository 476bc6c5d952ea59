import { Hono } from 'hono';
import { NotFoundError } from '../errors.js';
import { type Asset, assetResponse, consoleDistDir, loadAssets } from './static-assets.js';

const NOT_BUILT =
  'The console is not built: run `npm run build` (it builds packages/console into packages/console/dist).';

/**
 * The built console under `/ui`: `/ui/_assets/*` (hashed, immutable) and, for
 * every other path under `/ui/`, `index.html` (no-cache): the app reads the
 * tenant (or `admin`) from the path and routes the rest itself. Files are read
 * at the first request and kept (a rebuild needs a gateway restart).
 *
 * @example
 * app.route('/ui', staticRoutes());
 */
export function staticRoutes(distDir?: string): Hono {
  const app = new Hono();
  let assets: Map<string, Asset> | undefined;
  const files = () => {
    assets ??= loadAssets(distDir ?? consoleDistDir());
    return assets;
  };
  app.get('/_assets/*', (c) => {
    const pathname = new URL(c.req.url).pathname;
    const name = pathname.slice(pathname.indexOf('/_assets/') + 1);
    const asset = files()?.get(name);
    if (asset === undefined) throw new NotFoundError('console file', name);
    return assetResponse(asset, true, c.req.header('accept-encoding'), c.req.header('if-none-match'));
  });
  const index = (c: { req: { header(name: string): string | undefined } }) => {
    const html = files()?.get('index.html');
    if (html === undefined)
      return new Response(NOT_BUILT, {
        status: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    return assetResponse(html, false, c.req.header('accept-encoding'), c.req.header('if-none-match'));
  };
  app.get('/', index);
  app.get('/*', index);
  return app;
}
