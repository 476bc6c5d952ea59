/**
 * The JSON-lines progress stream that the engine answers to build, import and
 * pull, read to the end. An `error` line rejects (the engine reports a failed
 * build with status 200 and an error line, not with an HTTP error).
 */

/** One line of the engine's progress stream (build: `stream`; import/pull: `status`, `progress`). */
export type ProgressEvent = {
  stream?: string;
  status?: string;
  progress?: string;
  id?: string;
  aux?: { ID?: string };
  error?: string;
  errorDetail?: { message?: string };
};

/** Thrown when the engine reports an error in a progress stream. */
export class DockerProgressError extends Error {
  override readonly name = 'DockerProgressError';
  readonly code = 'DOCKER_PROGRESS_ERROR';
}

/**
 * Reads a progress stream to its end and returns every event.
 *
 * @example
 * const events = await readProgress(await docker.buildImage(tar, { t: 'x:1' }), (e) => log(e.stream));
 */
export function readProgress(
  stream: NodeJS.ReadableStream,
  onEvent?: (event: ProgressEvent) => void,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let buffer = '';
    let failed: DockerProgressError | undefined;
    const line = (text: string) => {
      const trimmed = text.trim();
      if (!trimmed) return;
      let event: ProgressEvent;
      try {
        event = JSON.parse(trimmed) as ProgressEvent;
      } catch {
        event = { stream: trimmed };
      }
      events.push(event);
      if (event.error || event.errorDetail?.message) {
        failed ??= new DockerProgressError(
          event.errorDetail?.message ?? event.error ?? 'unknown engine error',
        );
      }
      onEvent?.(event);
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let at = buffer.indexOf('\n');
      while (at >= 0) {
        line(buffer.slice(0, at));
        buffer = buffer.slice(at + 1);
        at = buffer.indexOf('\n');
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      line(buffer);
      if (failed) reject(failed);
      else resolve(events);
    });
  });
}
