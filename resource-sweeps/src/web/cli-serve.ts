/**
 * The CLI's side of the live page: `npm run sweep -- serve` (a server that starts, watches and
 * stops sweeps until Ctrl-C) and `--serve` on a sweep (the page follows that sweep; Stop on the
 * page is Ctrl-C). Kept here so src/cli.ts only calls in.
 */
import type { PreparedSweep } from '../engine/sweep-factory.js';
import type { SweepResult } from '../engine/sweep-engine.js';
import { startWebServer, type WebServer } from './server.js';
import type { WebOptions } from './web-options.js';
import type { WebPorts } from './web-ports.js';

function announce(out: NodeJS.WritableStream, server: WebServer, tokenSet: boolean): void {
  out.write(`live page: ${server.url}/   (API: ${server.url}/docs/json, events: ${server.url}/events)${tokenSet ? '; mutating requests need the bearer token' : ''}\n`);
}

/** Resolves at the first SIGINT/SIGTERM (replacing the sweep's own handlers: its run is over). */
function untilSignal(): Promise<string> {
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** `npm run sweep -- serve`: until Ctrl-C; a sweep it started is stopped and cleaned up first. */
export async function serveCommand(input: { options: WebOptions; ports: WebPorts; out: NodeJS.WritableStream }): Promise<number> {
  const { options, out } = input;
  const server = await startWebServer({ options, ports: input.ports, log: (m) => process.stderr.write(`${m}\n`) });
  announce(out, server, Boolean(options.token));
  out.write('Ctrl-C stops the server (and a sweep or load it runs: the current trial is torn down, finished trials are kept)\n');
  const signal = await untilSignal();
  process.once('SIGINT', () => process.exit(130));
  out.write(`\n${signal}: stopping\n`);
  await server.close();
  return 0;
}

export interface AttachedWeb {
  /** hand over the sweep's run() promise, as soon as run() is called */
  follow(result: Promise<SweepResult>): void;
  /** after the sweep: keep the page up until Ctrl-C, then close */
  linger(out: NodeJS.WritableStream): Promise<void>;
  close(): Promise<void>;
}

/** `--serve`: the page follows this CLI's sweep; its Stop button aborts the CLI's controller. */
export async function attachWeb(input: { options: WebOptions; ports: Omit<WebPorts, 'factory'>; prepared: PreparedSweep; abort: AbortController; out: NodeJS.WritableStream }): Promise<AttachedWeb> {
  const { options } = input;
  const server = await startWebServer({ options, ports: { ...input.ports, factory: null }, log: (m) => process.stderr.write(`${m}\n`) });
  let hand!: (p: Promise<SweepResult>) => void;
  const result = new Promise<SweepResult>((resolve, reject) => (hand = (p) => p.then(resolve, reject)));
  result.catch(() => undefined); // the CLI reports the sweep's own failure
  // the CLI cleans up its own sweep
  server.session.sweep.attach({ ...input.prepared, dispose: async () => undefined }, input.abort, result);
  announce(input.out, server, Boolean(options.token));
  return {
    follow: (p) => hand(p),
    async linger(out) {
      out.write(`\nthe live page stays up at ${server.url}/ : Ctrl-C to quit\n`);
      await untilSignal();
      await server.close();
    },
    close: () => server.close(),
  };
}
