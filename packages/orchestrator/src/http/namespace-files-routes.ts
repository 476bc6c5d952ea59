import { Hono } from 'hono';
import { BadRequestError } from '../errors.js';
import { NamespaceFiles } from '../storage/namespace-files.js';
import { op } from './operation.js';

/**
 * Kestra 1.3's namespace files API on the tenant's data folder
 * (`storage/namespace-files.ts`: `files/{namespace}/`, confined, size-limited):
 * get (`fileContent`), upload (multipart part `fileContent`), delete, move
 * (`from`, `to`), list a directory, create a directory, stats.
 */
export function createNamespaceFilesRoutes(deps: { dataDir: string }): Hono {
  const app = new Hono();
  const files = new NamespaceFiles(deps.dataDir);
  const base = '/namespaces/:namespace/files';

  app.get(`${base}/directory`, op('listNamespaceDirectoryFiles'), (c) =>
    c.json(files.list(c.req.param('namespace'), c.req.query('path'))),
  );
  app.post(`${base}/directory`, op('createNamespaceDirectory'), (c) => {
    files.mkdir(c.req.param('namespace'), c.req.query('path'));
    return c.body(null, 200);
  });
  app.get(`${base}/stats`, op('fileMetadatas'), (c) =>
    c.json(files.stats(c.req.param('namespace'), c.req.query('path'))),
  );

  app.get(base, op('fileContent'), (c) => {
    const data = files.read(c.req.param('namespace'), c.req.query('path'));
    return c.body(new Uint8Array(data), 200, { 'content-type': 'application/octet-stream' });
  });
  app.post(base, op('createNamespaceFile'), async (c) => {
    const namespace = c.req.param('namespace');
    const path = c.req.query('path');
    files.segments(path);
    let form: Record<string, unknown>;
    try {
      form = (await c.req.parseBody()) as Record<string, unknown>;
    } catch (err) {
      throw new BadRequestError(
        'Bad Request: expected a multipart/form-data body',
        [{ message: 'malformed form body', path: 'body' }],
        { cause: err },
      );
    }
    const part = form.fileContent;
    const data =
      part instanceof File
        ? new Uint8Array(await part.arrayBuffer())
        : typeof part === 'string'
          ? new TextEncoder().encode(part)
          : undefined;
    if (data === undefined)
      throw new BadRequestError('Bad Request: the multipart part fileContent is missing', [
        { message: 'is required', path: 'fileContent' },
      ]);
    files.write(namespace, path, data);
    return c.body(null, 200);
  });
  app.delete(base, op('deleteFileDirectory'), (c) => {
    files.delete(c.req.param('namespace'), c.req.query('path'));
    return c.body(null, 200);
  });
  app.put(base, op('moveFileDirectory'), (c) => {
    files.move(c.req.param('namespace'), c.req.query('from'), c.req.query('to'));
    return c.body(null, 200);
  });
  return app;
}
