/**
 * HTTP/1.1 over plain keep-alive sockets, as cheap per request as Node allows: each request is a
 * Buffer built once per payload row and written whole; a response is read only as far as its
 * status line, Content-Length (or the end of a chunked body) and Connection header; the body
 * is kept only when the caller wants to check it. A request that finds no idle connection opens
 * one, up to `maxConnections`; beyond that it waits in line for the next free one (its latency,
 * counted from when it was due, includes the wait). No pipelining: one request per connection
 * at a time, like a browser or a Python client.
 */
import net from 'node:net';

export interface Outcome {
  /** HTTP status, or 0 when no response came */
  status: number;
  /** no response: the timeout fired, or the connection failed or closed first */
  error: 'timeout' | 'connection' | null;
  /** the body, when the request asked for it */
  body: string | null;
  /** performance.now() when the response ended (or the error happened) */
  endMs: number;
}

export interface Request {
  bytes: Buffer;
  keepBody: boolean;
  /** performance.now() when the request was due: a request waiting for a connection times out from here */
  dueMs: number;
  /** performance.now() when the request was written */
  sentMs: number;
  done(outcome: Outcome): void;
}

interface Connection {
  socket: net.Socket;
  ready: boolean;
  current: Request | null;
  buf: Buffer | null;
  closing: boolean;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('\r\n0\r\n\r\n');

export interface ConnectionPool {
  send(request: Omit<Request, 'sentMs'>): void;
  /** requests written and not yet answered, and requests waiting for a connection */
  inflight(): number;
  waiting(): number;
  open(): number;
  /** fails every request older than the timeout (call it every 100 ms or so) */
  expire(nowMs: number): void;
  /** closes every connection; waiting requests fail as connection errors */
  close(): void;
}

export function createConnectionPool(opts: { host: string; port: number; maxConnections: number; timeoutMs: number; now: () => number }): ConnectionPool {
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  const queue: Omit<Request, 'sentMs'>[] = [];
  let queueHead = 0;
  let inflight = 0;
  let closed = false;

  const finish = (c: Connection, outcome: Omit<Outcome, 'endMs'>) => {
    const req = c.current;
    if (req === null) return;
    c.current = null;
    c.buf = null;
    inflight--;
    req.done({ ...outcome, endMs: opts.now() });
  };

  const release = (c: Connection) => {
    if (closed) return;
    if (c.closing) {
      drop(c);
      return;
    }
    const next = dequeue();
    if (next !== undefined) write(c, next);
    else idle.push(c);
  };

  const drop = (c: Connection) => {
    if (!all.delete(c)) return;
    const at = idle.indexOf(c);
    if (at >= 0) idle.splice(at, 1);
    c.socket.destroy();
    if (closed) return;
    if (!c.ready) {
      // the connection never opened (refused, unreachable): the request it was opened for fails
      // now, instead of retrying in a loop against a server that is not there
      dequeue()?.done({ status: 0, error: 'connection', body: null, endMs: opts.now() });
    } else if (queue.length > queueHead) {
      // a waiting request gets the freed slot
      connect();
    }
  };

  const dequeue = () => {
    if (queueHead >= queue.length) return undefined;
    const r = queue[queueHead++];
    if (queueHead > 4096 && queueHead * 2 > queue.length) {
      queue.splice(0, queueHead);
      queueHead = 0;
    }
    return r;
  };

  const write = (c: Connection, r: Omit<Request, 'sentMs'>) => {
    const req = r as Request;
    req.sentMs = opts.now();
    c.current = req;
    inflight++;
    c.socket.write(req.bytes);
  };

  const onData = (c: Connection, chunk: Buffer) => {
    if (c.current === null) return;
    const buf = c.buf === null ? chunk : Buffer.concat([c.buf, chunk]);
    const headEnd = buf.indexOf(HEADER_END);
    if (headEnd < 0) {
      c.buf = buf;
      return;
    }
    const head = buf.toString('latin1', 0, headEnd);
    const bodyStart = headEnd + 4;
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let bodyEnd: number;
    if (length !== null) {
      bodyEnd = bodyStart + Number(length[1]);
      if (buf.length < bodyEnd) {
        c.buf = buf;
        return;
      }
    } else if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
      const end = buf.indexOf(CHUNKED_END, bodyStart - 2);
      if (end < 0) {
        c.buf = buf;
        return;
      }
      bodyEnd = end + CHUNKED_END.length;
    } else {
      // no length: the body ends with the connection (HTTP/1.0 style); rare, never from our servers
      c.buf = buf;
      c.closing = true;
      return;
    }
    const status = Number(head.slice(9, 12)) || 0;
    if (/\r\nconnection:\s*close/i.test(head)) c.closing = true;
    const body = c.current.keepBody ? buf.toString('utf8', bodyStart, bodyEnd) : null;
    finish(c, { status, error: null, body });
    release(c);
  };

  const connect = () => {
    const socket = net.connect({ host: opts.host, port: opts.port, noDelay: true });
    const c: Connection = { socket, ready: false, current: null, buf: null, closing: false };
    all.add(c);
    socket.on('connect', () => {
      c.ready = true;
      release(c);
    });
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    const fail = () => {
      if (c.current !== null) {
        // a response read to the end of the connection (no Content-Length) is a response
        if (c.closing && c.buf !== null) {
          const head = c.buf.toString('latin1', 0, Math.max(0, c.buf.indexOf(HEADER_END)));
          finish(c, { status: Number(head.slice(9, 12)) || 0, error: null, body: null });
        } else finish(c, { status: 0, error: 'connection', body: null });
      }
      drop(c);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    socket.on('end', fail);
  };

  return {
    send(r) {
      if (closed) {
        r.done({ status: 0, error: 'connection', body: null, endMs: opts.now() });
        return;
      }
      const c = idle.pop();
      if (c !== undefined) {
        write(c, r);
        return;
      }
      queue.push(r);
      if (all.size < opts.maxConnections) connect();
    },
    inflight: () => inflight,
    waiting: () => queue.length - queueHead,
    open: () => all.size,
    expire(nowMs) {
      for (const c of all) {
        if (c.current !== null && nowMs - c.current.sentMs > opts.timeoutMs) {
          finish(c, { status: 0, error: 'timeout', body: null });
          drop(c);
        }
      }
      // a request still waiting for a connection after the timeout has failed too
      while (queueHead < queue.length) {
        const r = queue[queueHead]!;
        if (nowMs - r.dueMs <= opts.timeoutMs) break;
        queueHead++;
        r.done({ status: 0, error: 'timeout', body: null, endMs: nowMs });
      }
    },
    close() {
      closed = true;
      for (const c of all) {
        finish(c, { status: 0, error: 'connection', body: null });
        c.socket.destroy();
      }
      all.clear();
      idle.length = 0;
      while (queueHead < queue.length) queue[queueHead++]!.done({ status: 0, error: 'connection', body: null, endMs: opts.now() });
    },
  };
}
