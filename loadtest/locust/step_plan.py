"""The Locust scenario's configuration and step plan.

Read once from the same RS_* variables the k6 scripts read (see loadtest/README.md). When the
Node runner starts Locust it also passes RS_PLAN, the step schedule computed by loadtest/k6/lib/schedule.ts,
so both engines run exactly the same steps; by hand, the plan is computed here the same way
(users from RS_START to RS_MAX by RS_STEP, each a linear ramp of RS_RAMP s and a hold of RS_HOLD s).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# The same protocols as loadtest/k6/lib/protocol.ts: our /predict (one row), MLflow's
# /invocations (`{"dataframe_records": [row]}`, what `mlflow models serve` takes), or the
# workshop FastAPI server's /predict (the same bare row as ours; only the answer differs).
DEFAULT_PATHS = {"rightsize": "/predict", "mlflow": "/invocations", "fastapi": "/predict"}


def request_body(protocol: str, row: dict) -> bytes:
    return json.dumps({"dataframe_records": [row]} if protocol == "mlflow" else row).encode()


@dataclass(frozen=True)
class Step:
    index: int
    target: int
    previous: int
    ramp_start_s: float
    hold_start_s: float
    end_s: float

    def to_plan_dict(self) -> dict:
        return {
            "index": self.index,
            "kind": "users",
            "target": self.target,
            "previous": self.previous,
            "users": self.target,
            "rampStartS": self.ramp_start_s,
            "holdStartS": self.hold_start_s,
            "endS": self.end_s,
        }


@dataclass(frozen=True)
class Config:
    protocol: str
    path: str
    steps: tuple[Step, ...]
    think_min_s: float
    think_max_s: float
    p95_ms: float | None
    p99_ms: float | None
    max_error_rate: float
    slo_warmup_s: float
    timeout_s: float
    check_every: int
    summary_path: str
    payloads_path: str

    @property
    def duration_s(self) -> float:
        return self.steps[-1].end_s

    def step_at(self, elapsed_s: float) -> Step:
        for step in self.steps:
            if elapsed_s < step.end_s:
                return step
        return self.steps[-1]


def user_levels(start: int, maximum: int, step: int) -> list[int]:
    levels = list(range(start, maximum, step))
    return levels + [maximum]


def build_steps(start: int, maximum: int, step: int, ramp_s: float, hold_s: float) -> tuple[Step, ...]:
    steps, t, previous = [], 0.0, 0
    for i, users in enumerate(user_levels(start, maximum, step)):
        steps.append(Step(i, users, previous, t, t + ramp_s, t + ramp_s + hold_s))
        t += ramp_s + hold_s
        previous = users
    return tuple(steps)


def read_config(env: dict[str, str], default_payloads: str) -> Config:
    """Every problem is collected and raised at once, naming the variable."""
    problems: list[str] = []

    def get(key: str) -> str | None:
        v = env.get(key, "").strip()
        return v or None

    def num(key: str, default: float | None, ok, want: str) -> float | None:
        raw = get(key)
        if raw is None:
            return default
        try:
            v = float(raw)
        except ValueError:
            v = float("nan")
        if v != v or not ok(v):
            problems.append(f"{key}={raw}: expected {want}")
            return default
        return v

    whole = lambda v: v > 0 and v == int(v)  # noqa: E731
    start = int(num("RS_START", 500, whole, "a whole number > 0"))
    maximum = int(num("RS_MAX", 10000, whole, "a whole number > 0"))
    step = int(num("RS_STEP", 500, whole, "a whole number > 0"))
    ramp = num("RS_RAMP", 10, lambda v: v >= 0, "seconds >= 0")
    hold = num("RS_HOLD", 60, lambda v: v > 0, "seconds > 0")
    think_min = num("RS_THINK_MIN", 1, lambda v: v >= 0, "seconds >= 0")
    think_max = num("RS_THINK_MAX", 2.5, lambda v: v >= 0, "seconds >= 0")
    if maximum < start:
        problems.append(f"RS_MAX={maximum} is below RS_START={start}")
    if think_max < think_min:
        problems.append(f"RS_THINK_MAX={think_max} is below RS_THINK_MIN={think_min}")
    steps = build_steps(start, maximum, step, ramp, hold)
    plan_json = get("RS_PLAN")
    if plan_json is not None:
        try:
            steps = tuple(
                Step(s["index"], int(s["target"]), int(s["previous"]), s["rampStartS"], s["holdStartS"], s["endS"])
                for s in json.loads(plan_json)["steps"]
            )
        except (ValueError, KeyError, TypeError) as err:
            problems.append(f"RS_PLAN: not a step schedule from loadtest/k6/lib/schedule.ts ({err})")
    protocol = get("RS_PROTOCOL") or "rightsize"
    if protocol not in DEFAULT_PATHS:
        problems.append(f"RS_PROTOCOL={protocol}: expected one of {', '.join(DEFAULT_PATHS)}")
        protocol = "rightsize"
    path = get("RS_PATH") or DEFAULT_PATHS[protocol]
    # another protocol's route that is not this one's own (rightsize and fastapi share /predict)
    other = next((p for p, route in DEFAULT_PATHS.items() if path != DEFAULT_PATHS[protocol] and route == path), None)
    if other is not None:
        problems.append(f"RS_PATH={path}: {path} is the {other} protocol's route; with protocol {protocol} use {DEFAULT_PATHS[protocol]}")
    config = Config(
        protocol=protocol,
        path=path,
        steps=steps,
        think_min_s=think_min,
        think_max_s=think_max,
        p95_ms=num("RS_P95_MS", None, lambda v: v > 0, "milliseconds > 0"),
        p99_ms=num("RS_P99_MS", None, lambda v: v > 0, "milliseconds > 0"),
        max_error_rate=num("RS_MAX_ERROR_RATE", 0.01, lambda v: 0 <= v <= 1, "a fraction in [0, 1]"),
        slo_warmup_s=num("RS_SLO_WARMUP", min(5.0, hold / 3), lambda v: v >= 0, "seconds >= 0"),
        timeout_s=num("RS_TIMEOUT", 10, lambda v: v > 0, "seconds > 0"),
        check_every=int(num("RS_CHECK_EVERY", 20, lambda v: v >= 0 and v == int(v), "a whole number >= 0")),
        summary_path=get("RS_SUMMARY") or "raw-summary.json",
        payloads_path=get("RS_PAYLOADS") or default_payloads,
    )
    if problems:
        raise SystemExit("rightsize locust: bad configuration:\n  " + "\n  ".join(problems))
    return config
