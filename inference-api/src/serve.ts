// Starts the HTTP server for a parsed config and sizing: loads the model (inside buildApp),
// listens, reports ready; on shutdown: readiness false, optional delay (SHUTDOWN_DELAY_MS), then
// the drain (drain.ts: stop accepting, answer every request on an open connection with
// Connection: close, close connections idle for SHUTDOWN_IDLE_GRACE_MS), then close, and exit
// within SHUTDOWN_TIMEOUT_MS no matter what.
import { buildApp, type App } from './app.js';
import type { Config } from './config.js';
import type { Sizing } from './limits.js';
import { trackConnections } from './drain.js';
import { stdoutStream } from './log-stream.js';

export interface RunningServer {
  app: App;
  address: string;
  /** Resolves with the exit code once closed (1 if the hard deadline hit). */
  shutdown(signal: string): Promise<number>;
}

export interface StartOptions {
  config: Readonly<Config>;
  sizing: Sizing;
  /** 'main' or 'worker' (heap limited via resourceLimits); logged. */
  mode: 'main' | 'worker';
  /** Hard exit used when graceful shutdown overruns. */
  forceExit: (code: number) => void;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, sizing } = options;
  const app = await buildApp({
    config,
    sizing,
    ready: false,
    logger: { level: config.logLevel, base: { service: 'rightsize-api' }, stream: stdoutStream },
  });
  const drain = trackConnections(app.server, { idleGraceMs: config.shutdown.idleGraceMs });
  // Node's default backlog (511) overflows when thousands of load-test users connect at once on a
  // busy core, turning into 1-3 s SYN retries that look like API latency; the kernel caps the
  // value at net.core.somaxconn (4096 on Debian 12).
  // past MAX_CONNECTIONS Node closes a new connection at once (overload.ts)
  app.server.maxConnections = app.ctx.overload.maxConnections;
  const address = await app.listen({ host: config.host, port: config.port, backlog: app.ctx.overload.listenBacklog });
  app.ctx.state.ready = true;
  app.log.info(
    {
      address,
      mode: options.mode,
      model: `${app.ctx.model.name}${app.ctx.model.version ? `@${app.ctx.model.version}` : ''}`,
      cgroup: sizing.cgroup.version,
      cpuQuota: sizing.cgroup.cpuQuota,
      cpus: sizing.cpus,
      intraOpThreads: sizing.intraOpThreads,
      interOpThreads: sizing.interOpThreads,
      memoryLimitBytes: sizing.memoryLimitBytes,
      heapLimitMb: sizing.heapLimitMb,
      heapYoungMb: options.mode === 'worker' ? config.runtime.youngGenerationMb : null,
      batching: config.batching,
      overload: app.ctx.overload,
      lab: config.lab,
    },
    `rightsize-api listening on ${address}`,
  );

  let closing: Promise<number> | null = null;
  const shutdown = (signal: string): Promise<number> => {
    closing ??= (async () => {
      app.ctx.state.ready = false;
      const inflight = app.ctx.admission.inflight();
      app.log.info({ signal, inflight, delayMs: config.shutdown.delayMs }, 'shutting down: readiness is now false');
      const deadline = setTimeout(() => {
        app.log.error({ timeoutMs: config.shutdown.timeoutMs, inflight: app.ctx.admission.inflight() }, 'shutdown did not finish in time; exiting');
        options.forceExit(1);
      }, config.shutdown.timeoutMs);
      deadline.unref();
      if (config.shutdown.delayMs > 0) await new Promise((r) => setTimeout(r, config.shutdown.delayMs));
      // leave the close (and the model's release) half a second before the hard deadline
      const drained = await drain.drain({ deadline: Date.now() + config.shutdown.timeoutMs - config.shutdown.delayMs - 500 });
      app.log.info(drained, 'drained: no longer accepting; every open connection answered and closed');
      await app.close();
      clearTimeout(deadline);
      app.log.info('closed');
      return 0;
    })();
    return closing;
  };
  return { app, address, shutdown };
}
