import type { TemplateFunction } from '../template/index.js';
import { type InternalStorage, MAX_READ_BYTES } from './internal-storage.js';

/**
 * Kestra's `read(path)` for internal storage files: `{{ read(inputs.file) }}`
 * answers the file's content as UTF-8 text. Only `kestra:///` URIs of this
 * tenant's storage folder are read (Kestra's namespace files are not
 * supported yet), at most `maxBytes`; anything else fails the render.
 *
 * @example
 * render('{{ read(taskrun.items) }}', vars, { functions: { read: readTemplateFunction(storage) } });
 */
export function readTemplateFunction(storage: InternalStorage, maxBytes = MAX_READ_BYTES): TemplateFunction {
  return ([path], named) => {
    const uri = path ?? named.path;
    if (typeof uri !== 'string' || uri === '') throw new Error('read() needs a path: a kestra:/// URI');
    if (!uri.startsWith('kestra://'))
      throw new Error(`read() reads internal storage files only (kestra:///...), got '${uri}'`);
    return storage.readText(uri, maxBytes);
  };
}
