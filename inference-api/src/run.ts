// Shared by the main-thread and worker paths: start, wire shutdown, turn startup failures into
// one readable line and a non-zero exit.
import type { Config } from './config.js';
import { StartupError } from './errors.js';
import type { Sizing } from './limits.js';
import { writeFd } from './log-stream.js';
import { startServer } from './serve.js';

export interface RunOptions {
  config: Readonly<Config>;
  sizing: Sizing;
  mode: 'main' | 'worker';
  onShutdownRequest: (handler: (signal: string) => void) => void;
}

export async function runServer(options: RunOptions): Promise<void> {
  let server;
  try {
    server = await startServer({ config: options.config, sizing: options.sizing, mode: options.mode, forceExit: (code) => process.exit(code) });
  } catch (err) {
    const line =
      err instanceof StartupError
        ? `${err.code}: ${err.message}`
        : (err as { code?: string }).code === 'EADDRINUSE'
          ? `PORT ${options.config.port} on ${options.config.host} is already in use; set PORT to a free port (0 = any)`
          : `startup failed: ${(err as Error).stack ?? String(err)}`;
    writeFd(2, `rightsize-api: ${line}\n`);
    process.exit(1);
  }
  options.onShutdownRequest((signal) => {
    void server.shutdown(signal).then((code) => process.exit(code));
  });
}
