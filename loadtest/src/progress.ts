/**
 * Terminal rendering of a run: a live status line (rewritten in place on a TTY, one line every
 * few seconds otherwise), a line per step change, and the per-step table at the end. Only
 * formats events and the summary; it never computes a result.
 */
import type { LoadEvent } from './events.js';
import type { LoadSummary } from './summary-schema.js';

export interface ProgressPrinterOptions {
  write: (text: string) => void;
  tty: boolean;
}

export function createProgressPrinter(opts: ProgressPrinterOptions): (event: LoadEvent) => void {
  let total = 0;
  let unit = 'users';
  let lastStep = -1;
  let lastPlain = 0;
  let statusShown = false;
  const clearStatus = () => {
    if (opts.tty && statusShown) opts.write('\r\u001b[2K');
    statusShown = false;
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        total = event.steps.length;
        unit = event.model === 'open' ? 'req/s' : 'users';
        opts.write(
          `rightsize load: ${event.engine} (${event.runtime}) ${event.scenario}, ${event.model} model, ${total} steps, ` +
            `stops by itself within ${Math.round(event.deadlineS)} s\n  results: ${event.outDir}\n`,
        );
        return;
      case 'progress': {
        const step = event.step;
        if (step && step.index !== lastStep) {
          clearStatus();
          lastStep = step.index;
          opts.write(`step ${step.index + 1}/${total}: ${fmt(step.target)} ${unit} (ramp ${fmt(step.holdStartS - step.rampStartS)} s, hold ${fmt(step.endS - step.holdStartS)} s)\n`);
        }
        const line = statusLine(event);
        if (opts.tty) {
          opts.write(`\r\u001b[2K${line}`);
          statusShown = true;
        } else if (Date.now() - lastPlain >= 5000) {
          lastPlain = Date.now();
          opts.write(`${line}\n`);
        }
        return;
      }
      case 'log':
        clearStatus();
        opts.write(`${event.level === 'info' ? 'engine' : event.level === 'error' ? 'engine error' : 'engine warning'}: ${event.message}\n`);
        return;
      case 'stopping':
        clearStatus();
        opts.write(`stopping the engine: ${event.reason}\n`);
        return;
      case 'end':
        clearStatus();
        opts.write(`${renderSummaryTable(event.summary)}\nsummary: ${event.summaryPath}\n`);
        return;
    }
  };
}

function statusLine(e: Extract<LoadEvent, { type: 'progress' }>): string {
  const parts = [e.elapsedS === null ? '[starting]' : `[${clock(e.elapsedS)}]`];
  if (e.rps !== null) parts.push(`${fmt(e.rps)} req/s`);
  if (e.failedPerS !== null) parts.push(`${fmt(e.failedPerS)} failed/s`);
  if (e.p95Ms !== null) parts.push(`step p95 ${e.p95Ms.toFixed(1)} ms`);
  if (e.users !== null) parts.push(`${fmt(e.users)} users`);
  if (e.dropped) parts.push(`${fmt(e.dropped)} dropped`);
  if (e.generatorCpuPct !== null) parts.push(`generator cpu ${fmt(e.generatorCpuPct)}%`);
  if (e.generatorMemMb !== null) parts.push(`mem ${fmt(e.generatorMemMb)} MB`);
  return `  ${parts.join(' · ')}`;
}

/** The per-step table printed at the end (and by `npm run load -- --show <summary.json>`). */
export function renderSummaryTable(s: LoadSummary): string {
  const unit = s.model === 'open' ? 'req/s' : 'users';
  const head = ['step', s.model === 'open' ? 'offered/s' : 'users', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'gen cpu%', 'valid'];
  const rows = s.steps.map((st) => [
    String(st.index + 1) + (st.completed ? '' : '*'),
    fmt(st.target.value),
    String(st.requests),
    fmt(st.rps),
    fmt(st.latency_ms.p50),
    fmt(st.latency_ms.p95),
    fmt(st.latency_ms.p99),
    fmt(st.latency_ms.max),
    `${st.errors.total} (${(st.errors.rate * 100).toFixed(2)}%)`,
    st.generator.cpu_pct_avg === null ? '-' : fmt(st.generator.cpu_pct_avg),
    st.generator.valid ? 'yes' : `NO: ${st.generator.reasons.join('; ')}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), ...rows.map(line)];
  out.push(
    `total: ${s.totals.requests} requests in ${fmt(s.totals.duration_s)} s (${fmt(s.totals.rps)} req/s), p95 ${fmt(s.totals.latency_ms.p95)} ms, ` +
      `${s.totals.errors.total} errors, ${s.totals.dropped_iterations} dropped iterations`,
  );
  if (s.aborted) out.push(`run ended early (* = step cut short): ${s.abort_reason ?? 'unknown reason'}`);
  return out.join('\n');
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
