/**
 * Reads an engine's output as it comes: the start marker both engines print (RS_T0=<ms>),
 * Locust's live counters (RS_LIVE={...}), and warnings/errors worth showing (deduplicated:
 * k6 repeats "Insufficient VUs" for every dropped iteration).
 */
import type { LoadEvent } from '../events.js';
import type { EngineName } from '../summary-schema.js';
import { parseK6LogLine, parseStartMarker } from './k6-invocation.js';
import type { LiveReading } from './types.js';

export interface LineHandler {
  onLine(line: string): void;
  t0Ms(): number | null;
  /** last live counters printed by the engine (Locust); k6's come from its REST API */
  live(): LiveReading | null;
}

export function createLineHandler(engine: EngineName, emit: (e: LoadEvent) => void): LineHandler {
  let t0: number | null = null;
  let live: LiveReading | null = null;
  const seen = new Set<string>();
  const report = (level: 'warn' | 'error', message: string) => {
    const key = message.replace(/\d+/g, '#');
    if (seen.has(key)) return;
    seen.add(key);
    emit({ type: 'log', level, message });
  };
  return {
    onLine(line) {
      const text = engine === 'k6' ? (parseK6LogLine(line)?.msg ?? line) : line;
      const marker = parseStartMarker(text);
      if (marker !== null) {
        t0 = marker;
        return;
      }
      const liveMatch = /RS_LIVE=(\{.*\})\s*$/.exec(text);
      if (liveMatch) {
        try {
          const doc = JSON.parse(liveMatch[1]!) as { requests: number; failed: number; users: number; dropped?: number; p95_ms?: number | null };
          live = { atMs: Date.now(), requests: doc.requests, failed: doc.failed, vus: doc.users, dropped: doc.dropped ?? 0, stepP95Ms: doc.p95_ms ?? null };
        } catch {
          // a torn line; the next one comes in a second
        }
        return;
      }
      if (engine === 'k6') {
        const log = parseK6LogLine(line);
        // k6 logs its abortOnFail stop and our own interrupt as errors; both are expected ends of a run
        if (log && /thresholds on metrics .* were crossed|received a '\w+' signal/.test(log.msg)) emit({ type: 'log', level: 'info', message: log.msg });
        else if (log && (log.level === 'warning' || log.level === 'error')) report(log.level === 'error' ? 'error' : 'warn', log.msg);
      } else if (/\/(WARNING|ERROR|CRITICAL)\//.test(line) || /^Traceback/.test(line)) {
        report(/\/WARNING\//.test(line) ? 'warn' : 'error', line.replace(/^\[[^\]]*\]\s*/, ''));
      }
    },
    t0Ms: () => t0,
    live: () => live,
  };
}
