/** Host networking helpers shared by the stack's callers (tests, the sweep, the load runner). */
import net from 'node:net';

/**
 * A port that was free on 127.0.0.1 a moment ago, for the rare host port that must be chosen
 * up front (compose files' RIGHTSIZE_PORT). Prefer letting the engine pick (`publish: [{ container }]`).
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
