import { relative, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Engine } from '../runner/engine.js';
import { InternalStorage, StorageUriError } from '../storage/internal-storage.js';

/**
 * Kestra's `GET /executions/{executionId}/file?path=kestra:///...`: downloads
 * a file of that execution (an uploaded FILE input, a task's output file).
 * Only files stored under the execution's own folder
 * (`{namespace parts}/{flowId}/executions/{id}/`) are served, as in Kestra,
 * so an execution id cannot be used to read another execution's files.
 *
 * @example
 * api.route('/', createExecutionFileRoutes({ engine: () => engine, dataDir }));
 */
export function createExecutionFileRoutes(deps: { engine: () => Engine; dataDir: string }): Hono {
  const api = new Hono();
  const storage = new InternalStorage(deps.dataDir);
  api.get('/executions/:id/file', (c) => {
    const id = c.req.param('id');
    const e = deps.engine().get(id);
    if (!e) throw new NotFoundError('execution', id);
    const uri = c.req.query('path');
    if (!uri)
      throw new BadRequestError('Bad Request: path is required (a kestra:/// URI)', [
        { message: 'required', path: 'path' },
      ]);
    let file: string;
    try {
      file = storage.pathOf(uri);
    } catch (err) {
      if (err instanceof StorageUriError)
        throw new BadRequestError(`Bad Request: ${err.message}`, [{ message: err.message, path: 'path' }]);
      throw err;
    }
    const folder = storage.pathOf(
      `kestra:///${[...e.namespace.split('.'), e.flowId, 'executions', e.id].map(encodeURIComponent).join('/')}`,
    );
    const rel = relative(folder, resolve(file));
    if (rel === '' || rel.startsWith('..') || rel.split(sep)[0] === '..')
      throw new ForbiddenError(`Forbidden: ${uri} is not a file of execution ${e.id}`, [
        { message: 'not a file of this execution', path: 'path' },
      ]);
    let data: Buffer;
    try {
      data = storage.read(uri);
    } catch (err) {
      if (err instanceof StorageUriError && /no such file/.test(err.message))
        throw new NotFoundError('file', uri);
      if (err instanceof StorageUriError)
        throw new BadRequestError(`Bad Request: ${err.message}`, [{ message: err.message, path: 'path' }]);
      throw err;
    }
    const name = (file.split(sep).pop() ?? 'file').replace(/["\\\r\n]/g, '_');
    return c.body(new Uint8Array(data), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${name}"`,
      'x-content-type-options': 'nosniff',
    });
  });
  return api;
}
