import { InternalStorage } from '../../../storage/internal-storage.js';
import { NonRetryableTaskError, type RunnableTask } from '../../runnable-task.js';
import { renderBoolean } from '../kv/render-props.js';
import { abortReason, buildRequest, failure, readOptions } from './http-request.js';

/** The largest body a Download keeps (the file is buffered before it is stored). */
const MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024;

/**
 * `io.kestra.plugin.core.http.Download`: the same request as http.Request
 * (`uri`, `method`, `headers`, `body`, `formData`, `contentType`, `params`,
 * `options`), with the response body stored in the internal storage under the
 * execution. `failOnEmptyResponse` (default true) fails an empty body; a
 * 4xx/5xx fails unless `options.allowFailed`. Outputs `{ uri, code, length,
 * headers }`, `uri` being the `kestra:///` file.
 *
 * @example
 * // tasks: [{ id: dl, type: io.kestra.plugin.core.http.Download, uri: 'http://127.0.0.1:8080/a.csv' }]
 * // outputs.dl.uri → 'kestra:///company/team/flow/executions/<id>/tasks/dl/<taskRunId>/a.csv'
 */
export const httpDownloadTask: RunnableTask = {
  type: 'io.kestra.plugin.core.http.Download',
  async run(task, ctx) {
    const request = buildRequest(task, ctx);
    const options = readOptions(task, ctx);
    const timeout = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
    const signal = timeout === undefined ? ctx.signal : AbortSignal.any([ctx.signal, timeout]);
    let response: Response;
    const chunks: Uint8Array[] = [];
    let length = 0;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined && { body: request.body }),
        redirect: options.followRedirects ? 'follow' : 'manual',
        signal,
      });
      for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
        length += chunk.byteLength;
        if (length > MAX_DOWNLOAD_BYTES)
          throw new NonRetryableTaskError(`The download is larger than ${MAX_DOWNLOAD_BYTES} bytes`);
        chunks.push(chunk);
      }
    } catch (err) {
      if (err instanceof NonRetryableTaskError) throw err;
      throw abortReason(ctx, timeout, task, options.timeoutMs) ?? failure(request.url, err);
    }
    if (response.status >= 400 && !options.allowFailed)
      throw new Error(`Failed http request with response code '${response.status}'`);
    if (length === 0 && renderBoolean(ctx, task.props, 'failOnEmptyResponse', true))
      throw new Error(`No response from server for '${request.url}' (failOnEmptyResponse)`);
    const headers: Record<string, string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = [...(headers[name] ?? []), value];
    });
    const uri = new InternalStorage(ctx.dataDir).put(
      [
        ...ctx.namespace.split('.'),
        ctx.flowId,
        'executions',
        ctx.executionId,
        'tasks',
        task.id,
        ctx.taskRunId,
      ],
      fileName(request.url, response.headers.get('content-disposition')),
      Buffer.concat(chunks),
    );
    return { outputs: { uri, code: response.status, length, headers } };
  },
};

/** The file name: the `Content-Disposition` filename, else the URL's last path segment, else `download`. */
function fileName(url: string, disposition: string | null): string {
  const named = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
  if (named) return decodeURIComponent(named);
  const last = new URL(url).pathname
    .split('/')
    .filter((s) => s !== '')
    .at(-1);
  return last ? decodeURIComponent(last) : 'download';
}
