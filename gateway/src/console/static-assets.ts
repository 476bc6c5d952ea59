import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** One built file of the console, kept in memory with its gzipped form. */
export type Asset = { body: Buffer; gzip: Buffer | undefined; type: string; etag: string };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

/**
 * Where `npm run build` writes the console: `packages/console/dist`, found from
 * this file (`gateway/{src,dist}/console/`) rather than through a package
 * dependency, so that the gateway's production install needs nothing of the
 * console's toolchain; an install without it answers 503 with the fix.
 */
export function consoleDistDir(): string {
  return fileURLToPath(new URL('../../../packages/console/dist', import.meta.url));
}

/**
 * The console's built files, read once into memory (the whole build is a few
 * hundred KB) with a gzipped copy of each text file, keyed by their path
 * relative to the dist folder (`index.html`, `_assets/index-3f2a.js`).
 * Undefined while the console is not built.
 *
 * @example
 * const assets = loadAssets(consoleDistDir()); assets?.get('index.html');
 */
export function loadAssets(dir: string): Map<string, Asset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.name.startsWith('.')) continue; // .vite/manifest.json is for the build's own tests
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const ext = extname(entry.name);
        const body = readFileSync(full);
        assets.set(relative(dir, full).split(sep).join('/'), {
          body,
          gzip: COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body) : undefined,
          type: TYPES[ext] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        });
      }
    }
  };
  walk(dir);
  return assets;
}

/**
 * The HTTP answer for one asset: hashed files (under `_assets/`) are
 * immutable for a year; `index.html` is `no-cache` (revalidated with its
 * ETag) so a new build is picked up at once.
 */
export function assetResponse(
  asset: Asset,
  hashed: boolean,
  acceptEncoding: string | undefined,
  ifNoneMatch: string | undefined,
): Response {
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag: asset.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (!hashed) {
    // The console loads nothing from elsewhere: the policy says so to the browser as well.
    headers['content-security-policy'] =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
    headers['referrer-policy'] = 'no-referrer';
  }
  if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers });
  if (asset.gzip && /\bgzip\b/.test(acceptEncoding ?? '')) {
    headers['content-encoding'] = 'gzip';
    return new Response(new Uint8Array(asset.gzip), { status: 200, headers });
  }
  return new Response(new Uint8Array(asset.body), { status: 200, headers });
}
