import type { SSEStreamingApi } from 'hono/streaming';
import { type Execution, isSettled } from '../model/execution.js';
import type { Engine } from '../runner/engine.js';

/**
 * The common part of the SSE follow endpoints: counts the stream in the
 * lifecycle report (`activeStreams`, so the gateway never stops an instance
 * with a stream open), calls `onChange` for every change of the execution, and
 * resolves when it is settled or the client went away. Writes that
 * `onChange` starts are the caller's to await.
 *
 * @example
 * await followExecution(engine, stream, execution, (e) => { writes = writes.then(() => send(e)); });
 */
export async function followExecution(
  engine: Engine,
  stream: SSEStreamingApi,
  execution: Execution,
  onChange: (e: Execution) => void,
): Promise<void> {
  if (isSettled(execution)) return;
  await new Promise<void>((resolve) => {
    const off = engine.subscribe(execution.id, (e) => {
      onChange(e);
      if (isSettled(e)) {
        off();
        resolve();
      }
    });
    stream.onAbort(() => {
      off();
      resolve();
    });
  });
}

/** Runs `body` with the stream counted in `engine.activeStreams`. */
export async function countedStream(engine: Engine, body: () => Promise<void>): Promise<void> {
  engine.activeStreams++;
  try {
    await body();
  } finally {
    engine.activeStreams--;
  }
}
