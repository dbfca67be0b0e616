// Log lines go straight to file descriptors, synchronously. In the worker thread (launcher.ts),
// process.stdout is a stream relayed through the main thread, and lines still in flight when the
// worker exits are lost (the last "closed" line, a startup failure). Logs are rare here (startup,
// shutdown, errors; never per request), so a blocking write costs nothing that matters.
import { writeSync } from 'node:fs';

export function writeFd(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text);
  let offset = 0;
  for (let attempts = 0; offset < buf.length && attempts < 10_000; attempts++) {
    try {
      offset += writeSync(fd, buf, offset);
    } catch (err) {
      // A non-blocking pipe that is full: try again (the reader is draining it).
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
    }
  }
}

/** A pino destination (Fastify's `logger.stream`). */
export const stdoutStream = { write: (line: string) => writeFd(1, line) };
