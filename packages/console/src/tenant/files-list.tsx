import type { Client } from '../api';
import { Alert, useAction } from '../ui';

/** Every `kestra://` URI inside a value (inputs, outputs), depth-first. */
export function storageUris(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && value.startsWith('kestra://')) found.push(value);
  else if (Array.isArray(value)) for (const v of value) storageUris(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) storageUris(v, found);
  return found;
}

/**
 * Download buttons for the files of an execution. The file is fetched with
 * the session's CSRF header (a plain link could not carry it), then handed to
 * the browser as a download.
 */
export function FilesList({ api, executionId, value }: { api: Client; executionId: string; value: unknown }) {
  const uris = [...new Set(storageUris(value))];
  const download = useAction();
  if (uris.length === 0) return null;
  return (
    <>
      <ul aria-label="Files">
        {uris.map((uri) => {
          const name = decodeURIComponent(uri.split('/').pop() ?? 'file');
          return (
            <li key={uri}>
              <button
                type="button"
                class="secondary"
                aria-label={`Download ${name}`}
                onClick={() =>
                  download.run(async () => {
                    const res = await fetch(
                      `${api.base}/executions/${encodeURIComponent(executionId)}/file?path=${encodeURIComponent(uri)}`,
                      { headers: api.headers(), credentials: 'same-origin' },
                    );
                    if (!res.ok) throw new Error(`download ${name}: HTTP ${res.status}`);
                    const url = URL.createObjectURL(await res.blob());
                    const a = document.createElement('a');
                    a.href = url;
                    a.download = name;
                    a.click();
                    setTimeout(() => URL.revokeObjectURL(url), 10_000);
                  })
                }
              >
                Download {name}
              </button>{' '}
              <code class="muted">{uri}</code>
            </li>
          );
        })}
      </ul>
      <Alert error={download.error} />
    </>
  );
}
