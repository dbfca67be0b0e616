/**
 * The report's charts, built from summary.json only: latency and throughput against users per
 * trial, the pass/fail map per replica count, the largest load each configuration held, and
 * CPU/memory use against their limits.
 */
import { compareCost, describeConfig } from '../core/config-space.js';
import type { Summary, TrialRow } from '../summary/summary-schema.js';
import { renderBarChart } from './svg/bar-chart.js';
import { renderLineChart, type Series } from './svg/line-chart.js';
import { renderMapLegend, renderPassFailMap } from './svg/pass-fail-map.js';

export interface ReportCharts {
  latency: string;
  throughput: string;
  maps: string[];
  mapLegend: string;
  held: string;
  cpu: string;
  memory: string;
}

export const trialName = (t: TrialRow) => `#${t.index} ${describeConfig(t.config)}${t.attempt > 1 ? ` try ${t.attempt}` : ''}`;

function perTrial(summary: Summary, y: (s: TrialRow['steps'][number]) => number | null): Series[] {
  return summary.trials
    .map((t) => ({
      name: trialName(t),
      points: t.steps.flatMap((s) => {
        const v = y(s);
        return v === null || !Number.isFinite(v) ? [] : [{ x: s.users, y: v, hollow: !s.pass }];
      }),
    }))
    .filter((s) => s.points.length > 0);
}

export function buildCharts(summary: Summary): ReportCharts {
  const objective = summary.plan.objective;
  const { cpus, memory, replicas } = summary.plan.candidates;
  const best = summary.overall?.config ?? null;
  return {
    latency: renderLineChart({
      title: 'p95 latency against users (hollow: step failed)',
      xLabel: 'concurrent users',
      yLabel: 'p95 latency, ms',
      series: perTrial(summary, (s) => s.p95_ms),
      references: [{ y: objective.p95_ms, label: `objective ${objective.p95_ms} ms` }],
      yMax: objective.p95_ms * 4,
    }),
    throughput: renderLineChart({
      title: 'Throughput against users',
      xLabel: 'concurrent users',
      yLabel: 'requests per second',
      series: perTrial(summary, (s) => s.rps),
    }),
    maps: replicas.map((r) =>
      renderPassFailMap({
        replicas: r,
        cpus,
        memory,
        cells: summary.configs,
        best: summary.per_replicas.find((x) => x.replicas === r)?.best?.config ?? (best?.replicas === r ? best : null),
        targetUsers: summary.target_users,
      }),
    ),
    mapLegend: renderMapLegend(),
    held: renderBarChart({
      title: 'Largest load each measured configuration held (cheapest first)',
      xLabel: 'users held',
      target: summary.target_users,
      bars: [...summary.configs]
        .filter((e) => e.measured)
        .sort((a, b) => compareCost(a.config, b.config))
        .map((e) => ({
          label: describeConfig(e.config),
          value: e.held_users,
          status: e.status,
          lowerBound: e.upper_users === null,
          measured: e.measured,
          tooltip: `${describeConfig(e.config)}: ${e.status}, held ${e.held_users}${e.upper_users === null ? ' or more' : ''}${e.measured ? ` (trial #${e.trial_index})` : ' (inferred)'}`,
        })),
    }),
    cpu: renderLineChart({
      title: 'API CPU use as % of its limit (all replicas)',
      xLabel: 'concurrent users',
      yLabel: '% of CPU limit',
      series: perTrial(summary, (s) => (s.cpu_pct !== null && s.cpu_limit_pct ? (100 * s.cpu_pct) / s.cpu_limit_pct : null)),
      references: [{ y: 100, label: 'limit' }],
      yMax: 150,
    }),
    memory: renderLineChart({
      title: 'API memory peak as % of its limit (largest replica)',
      xLabel: 'concurrent users',
      yLabel: '% of memory limit',
      series: perTrial(summary, (s) => (s.mem_max_mib !== null && s.mem_limit_mib ? (100 * s.mem_max_mib) / s.mem_limit_mib : null)),
      references: [{ y: 100, label: 'limit' }],
      yMax: 120,
    }),
  };
}
