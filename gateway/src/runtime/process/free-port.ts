import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on `host` (listen on port 0, read it, close).
 * Another process could take it before the instance binds; the lifecycle's
 * start then fails and is retried like any failed start.
 *
 * @example
 * const port = await freePort('127.0.0.1');
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
