import pino, { type Logger } from 'pino';

/** Bytes of log lines buffered before a write, and the longest a line waits in the buffer. */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_MS = 200;

/**
 * The gateway's default logger: JSON lines on stdout through an asynchronous,
 * buffered destination. The proxy logs one line per proxied request at
 * `info` (request id, tenant, method, status, ms); with pino's default
 * synchronous stdout each of them was a blocking `write(2)` on the request
 * path, the largest item of the gateway's own code in a CPU profile under wrk.
 * Buffered, lines go out together once 4 KB have gathered or after at most
 * 200 ms, and pino flushes what is left when the process exits.
 *
 * @example
 * const logger = createGatewayLogger('info');
 */
export function createGatewayLogger(level: string, destination: string | number = 1): Logger {
  const stream = pino.destination({ dest: destination, sync: false, minLength: LOG_BUFFER_BYTES });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Not open yet, or already closed: nothing to flush.
    }
  }, LOG_FLUSH_MS);
  timer.unref();
  stream.once('close', () => clearInterval(timer));
  return pino({ level, base: { component: 'gateway' } }, stream);
}
