"""The Locust run as `rightsize.load-raw/v1`: the same raw shape k6's handleSummary writes
(loadtest/src/raw-schema.ts validates both), built from the merged per-step stats."""

from __future__ import annotations

from locust import __version__ as locust_version

from step_plan import Config
from step_stats import RAW_SCHEMA_ID, Collector, Histogram


def slo_breach(config: Config, stats) -> str | None:
    """Which objective the step's post-warm-up samples break, if any (k6's abortOnFail rules)."""
    lat = stats.slo_latency
    if stats.error_rate() > config.max_error_rate:
        return f"rate<={config.max_error_rate:g} crossed (error rate {stats.error_rate() * 100:.2f}%)"
    if lat.n == 0:
        return None
    if config.p95_ms is not None and lat.percentile(95) > config.p95_ms:
        return f"p(95)<={config.p95_ms:g} crossed (p95 {lat.percentile(95):.1f} ms)"
    if config.p99_ms is not None and lat.percentile(99) > config.p99_ms:
        return f"p(99)<={config.p99_ms:g} crossed (p99 {lat.percentile(99):.1f} ms)"
    return None


def build_raw(config: Config, collector: Collector, target_url: str, t0_s: float | None, duration_s: float, users_max: int, abort: dict | None) -> dict:
    steps, total_latency = [], Histogram()
    total_requests = total_failed = 0
    for plan_step in config.steps:
        s = collector.steps.get(plan_step.index)
        if s is None:
            continue
        failed = sum(s.errors.values())
        steps.append(
            {
                "index": plan_step.index,
                "requests": s.requests,
                "latency": s.latency.summary(),
                "failed": failed,
                "errors": dict(s.errors),
                "checks": dict(s.checks),
                "started": None,
                "dropped": None,
                "slo_latency": s.slo_latency.summary(),
                "slo_error_rate": s.error_rate(),
            }
        )
        total_latency.merge(s.latency.to_dict())
        total_requests += s.requests
        total_failed += failed
    mean_think = (config.think_min_s + config.think_max_s) / 2
    return {
        "schema": RAW_SCHEMA_ID,
        "engine": "locust",
        "engine_version": locust_version,
        "scenario": "steps",
        "target_url": target_url,
        "t0_ms": None if t0_s is None else t0_s * 1000,
        "test_run_duration_ms": duration_s * 1000,
        "plan": {
            "scenario": "steps",
            "model": "closed",
            "steps": [s.to_plan_dict() for s in config.steps],
            "durationS": config.duration_s,
            "meanThinkS": mean_think,
        },
        "objective": {"p95_ms": config.p95_ms, "p99_ms": config.p99_ms, "max_error_rate": config.max_error_rate},
        "think_time_s": {"min": config.think_min_s, "max": config.think_max_s},
        "steps": steps,
        "totals": {
            "requests": total_requests,
            "latency": total_latency.summary(),
            "failed": total_failed,
            "dropped_iterations": 0,
            "iterations": total_requests,
            "vus_max": users_max,
        },
        "failed_thresholds": [],
        "abort": abort,
    }
