// Status of a GET, or null when nothing answers in time. Uses node:http rather than fetch: on
// Node 20, fetch to a port published by docker-proxy whose container is not listening yet never
// settles and holds no handle, so the test runner sees an empty event loop and cancels the test.
import { get } from 'node:http';

export function getStatus(url: string, timeoutMs = 2000): Promise<number | null> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.once('error', () => resolve(null));
  });
}
