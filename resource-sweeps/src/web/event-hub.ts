/**
 * Server-sent events to every connected page: `event: <name>` + one JSON `data:` line. A
 * client that went away is dropped on the next write; a comment line every 15 s keeps proxies
 * and idle timeouts from closing a quiet stream. Pages reconnect by themselves and get a fresh
 * snapshot first, so a lost event is never a lasting gap.
 */
import type { ServerResponse } from 'node:http';

export interface EventHub {
  /** takes over a response: SSE headers, the first events, then everything broadcast */
  add(res: ServerResponse, first: { name: string; data: unknown }[]): void;
  broadcast(name: string, data: unknown): void;
  size(): number;
  close(): void;
}

export function formatEvent(name: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createEventHub(options: { heartbeatMs?: number } = {}): EventHub {
  const clients = new Set<ServerResponse>();
  let seq = 0;
  const write = (res: ServerResponse, text: string) => {
    if (res.destroyed || res.writableEnded) {
      clients.delete(res);
      return;
    }
    res.write(text);
  };
  const heartbeat = setInterval(() => {
    for (const res of clients) write(res, `: keep-alive ${new Date().toISOString()}\n\n`);
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    add(res, first) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        // a reverse proxy (nginx) would otherwise buffer the stream
        'x-accel-buffering': 'no',
      });
      // tells EventSource clients how long to wait before reconnecting
      res.write('retry: 2000\n\n');
      for (const e of first) res.write(formatEvent(e.name, e.data, ++seq));
      clients.add(res);
      res.on('close', () => clients.delete(res));
    },
    broadcast(name, data) {
      if (clients.size === 0) return;
      const text = formatEvent(name, data, ++seq);
      for (const res of clients) write(res, text);
    },
    size: () => clients.size,
    close() {
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
