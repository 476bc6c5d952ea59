import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { Context } from 'hono';
import { BadRequestError, PayloadTooLargeError } from '../errors.js';
import type { FlowRecord } from '../ports/flow-repository.js';

/** Files read from one uploaded zip (a bound on the loop), and their total size once unpacked. */
export const MAX_ZIP_ENTRIES = 1000;
export const MAX_ZIP_UNPACKED_BYTES = 50 * 1024 * 1024;

/**
 * The export archive of Kestra: one `{namespace}.{id}.yml` file per flow,
 * holding its source as written.
 *
 * @example
 * c.body(flowsZip(records), 200, { 'content-type': 'application/octet-stream' });
 */
export function flowsZip(records: readonly FlowRecord[]): Uint8Array<ArrayBuffer> {
  const files: Record<string, Uint8Array> = {};
  for (const r of records) files[`${r.namespace}.${r.id}.yml`] = strToU8(r.source);
  return new Uint8Array(zipSync(files));
}

const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/**
 * The YAML texts of an uploaded file (multipart part `field`): each `.yml` /
 * `.yaml` entry of a zip (other entries ignored; at most `MAX_ZIP_ENTRIES`,
 * `MAX_ZIP_UNPACKED_BYTES` unpacked, by the sizes the zip declares, which
 * also bound what is inflated), or the file itself as YAML.
 */
export async function sourcesOfUpload(
  c: Context,
  field: string,
): Promise<Array<{ name: string; text: string }>> {
  let form: Record<string, unknown>;
  try {
    form = (await c.req.parseBody()) as Record<string, unknown>;
  } catch (err) {
    throw new BadRequestError(
      'Bad Request: expected a multipart/form-data body',
      [{ message: 'malformed form body', path: 'body' }],
      {
        cause: err,
      },
    );
  }
  const file = form[field];
  if (!(file instanceof File))
    throw new BadRequestError(`Bad Request: the multipart part ${field} (a file) is missing`, [
      { message: 'a file is required', path: field },
    ]);
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (!isZip(bytes)) return [{ name: file.name || field, text: strFromU8(bytes) }];
  let entries = 0;
  let unpacked = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!/\.ya?ml$/i.test(f.name) || f.name.endsWith('/')) return false;
        entries++;
        unpacked += f.originalSize;
        if (entries > MAX_ZIP_ENTRIES || unpacked > MAX_ZIP_UNPACKED_BYTES)
          throw new PayloadTooLargeError(
            `Payload Too Large: the zip holds more than ${MAX_ZIP_ENTRIES} YAML files or ${MAX_ZIP_UNPACKED_BYTES} bytes of them`,
            [{ message: 'too many or too large YAML files', path: field }],
          );
        return true;
      },
    });
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw err;
    throw new BadRequestError(
      `Bad Request: ${field} is not a readable zip archive`,
      [{ message: 'not a readable zip archive', path: field }],
      { cause: err },
    );
  }
  return Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, data]) => ({ name, text: strFromU8(data) }));
}
