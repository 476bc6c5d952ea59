import { InternalStorage, STORAGE_SCHEME, StorageUriError } from '../../../storage/internal-storage.js';
import { NonRetryableTaskError, type RunContext } from '../../runnable-task.js';

/**
 * Kestra's `formData` of http.Request, rendered: a plain value is a text
 * field; a `kestra://` URI is a file part (the stored file, named by its last
 * path segment); a map `{name, content, contentType?}` is a file part named
 * `name` whose content is a `kestra://` file or the text itself.
 *
 * @example
 * multipartBody({ user: { name: 'a.txt', content: 'kestra:///n/f/a.txt' }, note: 'hi' }, ctx);
 */
export function multipartBody(fields: Record<string, unknown>, ctx: RunContext): FormData {
  const form = new FormData();
  const storage = new InternalStorage(ctx.dataDir);
  for (const [key, value] of Object.entries(fields)) {
    if (isStorageUri(value)) {
      form.append(key, new Blob([new Uint8Array(read(storage, value))]), lastSegment(value));
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const content = v.content;
      const data = isStorageUri(content)
        ? read(storage, content)
        : Buffer.from(String(content ?? ''), 'utf8');
      const name = typeof v.name === 'string' ? v.name : isStorageUri(content) ? lastSegment(content) : key;
      const type = typeof v.contentType === 'string' ? v.contentType : 'application/octet-stream';
      form.append(key, new Blob([new Uint8Array(data)], { type }), name);
    } else {
      form.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return form;
}

const isStorageUri = (v: unknown): v is string => typeof v === 'string' && v.startsWith(STORAGE_SCHEME);

function lastSegment(uri: string): string {
  const last = uri.split('/').at(-1) ?? 'file';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function read(storage: InternalStorage, uri: string): Buffer {
  try {
    return storage.read(uri);
  } catch (err) {
    if (err instanceof StorageUriError) throw new NonRetryableTaskError(`formData: ${err.message}`);
    throw err;
  }
}
