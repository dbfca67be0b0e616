"""Per-step statistics for the Locust scenario, independent of Locust (so it is easy to test).

Locust's own CSV history is sampled in coarse windows and its percentiles are rounded to two
significant digits; the sweep needs exact step boundaries and millisecond-level tails. So every
request is recorded here into the step it started in: counts, failures by class, a latency
histogram with ~3 significant digits, and the latency samples that count toward the objective
(the hold after its warm-up; errors count over the whole step, as in the k6 scripts). Workers send their deltas to the master with Locust's stats reports; the
master merges them. The result is written as `rightsize.load-raw/v1`, the same raw shape k6's
handleSummary writes, and the Node runner turns either into `rightsize.load-summary/v1`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

RAW_SCHEMA_ID = "rightsize.load-raw/v1"


def bucket(ms: float) -> float:
    """Round a duration to ~3 significant digits: 0.01 ms below 10 ms, 0.1 ms below 100 ms..."""
    if ms <= 0:
        return 0.0
    digits = max(0, 2 - int(math.floor(math.log10(ms))))
    return round(ms, digits)


@dataclass
class Histogram:
    counts: dict[str, int] = field(default_factory=dict)
    total: float = 0.0
    n: int = 0
    max: float = 0.0

    def add(self, ms: float) -> None:
        key = repr(bucket(ms))
        self.counts[key] = self.counts.get(key, 0) + 1
        self.total += ms
        self.n += 1
        self.max = max(self.max, ms)

    def merge(self, other: dict) -> None:
        for key, c in other["counts"].items():
            self.counts[key] = self.counts.get(key, 0) + c
        self.total += other["total"]
        self.n += other["n"]
        self.max = max(self.max, other["max"])

    def to_dict(self) -> dict:
        return {"counts": self.counts, "total": self.total, "n": self.n, "max": self.max}

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile (p in 0..100) over the bucketed values."""
        if self.n == 0:
            return 0.0
        rank = max(1, math.ceil(p / 100 * self.n))
        seen = 0
        for value in sorted(self.counts, key=float):
            seen += self.counts[value]
            if seen >= rank:
                return min(float(value), self.max)
        return self.max

    def summary(self) -> dict:
        return {
            "avg": self.total / self.n if self.n else 0.0,
            "p50": self.percentile(50),
            "p90": self.percentile(90),
            "p95": self.percentile(95),
            "p99": self.percentile(99),
            "max": self.max,
            "count": self.n,
        }


ERROR_CLASSES = ("http4xx", "http5xx", "timeouts", "connection")


def classify(status: int, exception: BaseException | None) -> str | None:
    """The failure class of a request, or None when it succeeded (status 200-399, like k6)."""
    if 400 <= status < 500:
        return "http4xx"
    if status >= 500:
        return "http5xx"
    if status == 0 or exception is not None:
        if exception is not None and ("timeout" in type(exception).__name__.lower() or isinstance(exception, TimeoutError)):
            return "timeouts"
        return "connection"
    return None


@dataclass
class StepStats:
    requests: int = 0
    errors: dict[str, int] = field(default_factory=lambda: {k: 0 for k in ERROR_CLASSES})
    checks: dict[str, int] = field(default_factory=lambda: {"passes": 0, "fails": 0})
    latency: Histogram = field(default_factory=Histogram)
    slo_latency: Histogram = field(default_factory=Histogram)

    def to_dict(self) -> dict:
        return {
            "requests": self.requests,
            "errors": dict(self.errors),
            "checks": dict(self.checks),
            "latency": self.latency.to_dict(),
            "slo_latency": self.slo_latency.to_dict(),
        }

    def merge(self, d: dict) -> None:
        self.requests += d["requests"]
        for k in ERROR_CLASSES:
            self.errors[k] += d["errors"][k]
        for k in ("passes", "fails"):
            self.checks[k] += d["checks"][k]
        self.latency.merge(d["latency"])
        self.slo_latency.merge(d["slo_latency"])

    def error_rate(self) -> float:
        """Failed / requests over the whole step: the error objective (as k6's http_req_failed per step)."""
        return sum(self.errors.values()) / self.requests if self.requests else 0.0


class Collector:
    """Per-step stats. On a worker, `drain()` hands over what was recorded since the last report."""

    def __init__(self) -> None:
        self.steps: dict[int, StepStats] = {}

    def step(self, index: int) -> StepStats:
        return self.steps.setdefault(index, StepStats())

    def record(self, index: int, ms: float, status: int, exception: BaseException | None, in_slo: bool) -> None:
        s = self.step(index)
        s.requests += 1
        s.latency.add(ms)
        failure = classify(status, exception)
        if failure:
            s.errors[failure] += 1
        if in_slo:
            s.slo_latency.add(ms)

    def record_check(self, index: int, ok: bool) -> None:
        self.step(index).checks["passes" if ok else "fails"] += 1

    def drain(self) -> dict[str, dict]:
        out = {str(i): s.to_dict() for i, s in self.steps.items()}
        self.steps = {}
        return out

    def merge(self, deltas: dict[str, dict]) -> None:
        for i, d in deltas.items():
            self.step(int(i)).merge(d)


PROBABILITY_PREFIX = "probability_"


def is_prediction(body: str) -> bool:
    """The /predict response contract, the same structural check as loadtest/k6/lib/contract.ts."""
    doc = _parse_object(body)
    if doc is None or not isinstance(doc.get("probabilities"), dict):
        return False
    return _is_labelled(doc.get("label"), doc["probabilities"])


def is_record_prediction(body: str) -> bool:
    """One flat record, {label, probability_<class>: p...}: the fastapi protocol's /predict answer."""
    doc = _parse_object(body)
    return doc is not None and _is_labelled_record(doc)


def is_mlflow_prediction(body: str) -> bool:
    """MLflow's /invocations contract for one row: {"predictions": [{label, probability_<class>...}]}."""
    doc = _parse_object(body)
    predictions = doc.get("predictions") if doc is not None else None
    if not isinstance(predictions, list) or len(predictions) != 1 or not isinstance(predictions[0], dict):
        return False
    return _is_labelled_record(predictions[0])


CHECKS = {"rightsize": is_prediction, "mlflow": is_mlflow_prediction, "fastapi": is_record_prediction}


def contract_check(protocol: str):
    return CHECKS[protocol]


def _is_labelled_record(record: dict) -> bool:
    probabilities = {k[len(PROBABILITY_PREFIX) :]: v for k, v in record.items() if k.startswith(PROBABILITY_PREFIX)}
    return _is_labelled(record.get("label"), probabilities)


def _parse_object(body: str) -> dict | None:
    try:
        doc = json.loads(body)
    except (ValueError, TypeError):
        return None
    return doc if isinstance(doc, dict) else None


def _is_labelled(label, probabilities: dict) -> bool:
    if not isinstance(label, str) or not label or not probabilities:
        return False
    values = list(probabilities.values())
    if not all(isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 1 for p in values):
        return False
    return abs(sum(values) - 1) < 1e-3 and label in probabilities
