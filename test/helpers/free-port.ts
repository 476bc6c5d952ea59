import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now (the OS picks it; the listener is
 * closed again before it resolves), for a gateway started as a child process
 * that must be told its port up front.
 *
 * @example
 * const port = await freePort();
 * spawn(process.execPath, [MAIN, 'serve'], { env: { SILO_PORT: String(port) } });
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
