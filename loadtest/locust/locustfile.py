"""rightsize's workshop scenario for Locust: FastHttpUser posting held-out rows to /predict
(or, with RS_PROTOCOL=mlflow, to MLflow's /invocations as {"dataframe_records": [row]}),
each user thinking 1 to 2.5 s between requests, and a LoadTestShape adding 500 users at a time
up to 10,000 (all configurable with the same RS_* variables as the k6 scripts).

    locust -f loadtest/locust/locustfile.py --host http://127.0.0.1:8000            # web UI
    locust -f loadtest/locust/locustfile.py --host http://127.0.0.1:8000 --headless # no UI
    locust -f ... --master --headless --expect-workers 2   /   locust -f ... --worker  # distributed

Per-step results are aggregated by step_stats.py (workers report to the master) and written at
the end to RS_SUMMARY as rightsize.load-raw/v1; `npm run load -- --engine locust` turns that
into the shared per-step summary. The shape stops the run at the first step whose hold breaks
the objective (RS_P95_MS, RS_P99_MS, RS_MAX_ERROR_RATE), like k6's abortOnFail.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
import time

import gevent

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from locust import FastHttpUser, LoadTestShape, between, events, task  # noqa: E402
from locust.runners import MasterRunner, WorkerRunner  # noqa: E402

from raw_result import build_raw, slo_breach  # noqa: E402
from step_plan import read_config, request_body  # noqa: E402
from step_stats import Collector, contract_check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = read_config(dict(os.environ), os.path.join(HERE, "..", "data", "payloads.json"))

with open(CONFIG.payloads_path, encoding="utf-8") as f:
    _doc = json.load(f)
if not _doc.get("rows"):
    raise SystemExit(f"{CONFIG.payloads_path}: expected {{model, features[], rows: [...]}} with at least one row")
# serialized once, in the protocol's shape; every user of the process shares them
BODIES = [request_body(CONFIG.protocol, row) for row in _doc["rows"]]
IS_PREDICTION = contract_check(CONFIG.protocol)

collector = Collector()
state: dict = {"t0": None, "abort": None, "users_max": 0, "host": "", "worker": False, "stop": False}


def _emit(line: str) -> None:
    print(line, flush=True)


@events.init.add_listener
def _on_init(environment, **_kw):
    state["host"] = environment.host or ""
    state["worker"] = isinstance(environment.runner, WorkerRunner)
    if state["worker"]:
        environment.runner.register_message("rs_t0", lambda environment, msg, **kw: state.update(t0=msg.data["t0"]))
    elif getattr(environment.parsed_options, "headless", False):
        # Headless, Locust installs its own SIGTERM handler only after the shape has finished, and
        # SIGINT may be ignored (a background job). Both end the shape at its next tick instead,
        # and Locust then quits the usual way, so the per-step results are still written.
        def _stop() -> None:
            state["stop"] = True
            _emit("RS_STOP requested")

        gevent.signal_handler(signal.SIGTERM, _stop)
        gevent.signal_handler(signal.SIGINT, _stop)


@events.request.add_listener
def _on_request(name, response_time, response=None, exception=None, start_time=None, **_kw):
    if name != "predict" or state["t0"] is None:
        return
    elapsed = (start_time or time.time()) - state["t0"]
    step = CONFIG.step_at(elapsed)
    status = getattr(response, "status_code", 0) or 0
    collector.record(step.index, response_time, status, exception, elapsed >= step.hold_start_s + CONFIG.slo_warmup_s)


@events.report_to_master.add_listener
def _on_report_to_master(client_id, data, **_kw):
    data["rs_steps"] = collector.drain()


@events.worker_report.add_listener
def _on_worker_report(client_id, data, **_kw):
    collector.merge(data.get("rs_steps", {}))


@events.quit.add_listener
def _on_quit(exit_code, **_kw):
    if state["t0"] is None or state["worker"]:
        return
    elapsed = time.time() - state["t0"]
    # a run that went to the end of its plan lasted the plan (Locust stops a moment later)
    duration = elapsed if state["abort"] or state["stop"] else min(elapsed, CONFIG.duration_s)
    raw = build_raw(CONFIG, collector, f"{state['host'].rstrip('/')}{CONFIG.path}", state["t0"], duration, state["users_max"], state["abort"])
    tmp = f"{CONFIG.summary_path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(raw, f, indent=1)
    os.replace(tmp, CONFIG.summary_path)


class PredictUser(FastHttpUser):
    wait_time = between(CONFIG.think_min_s, CONFIG.think_max_s)
    network_timeout = CONFIG.timeout_s
    connection_timeout = CONFIG.timeout_s
    _seq = itertools.count()

    @task
    def predict(self) -> None:
        n = next(self._seq)
        r = self.client.post(CONFIG.path, data=BODIES[n % len(BODIES)], headers={"content-type": "application/json"}, name="predict")
        if CONFIG.check_every and n % CONFIG.check_every == 0 and state["t0"] is not None:
            step = CONFIG.step_at(time.time() - state["t0"])
            collector.record_check(step.index, r.status_code == 200 and IS_PREDICTION(r.text or ""))


class StepShape(LoadTestShape):
    """Users step up the plan: each step a linear ramp (spawn rate = increase / ramp) and a hold."""

    def tick(self):
        runner = self.runner
        if state["t0"] is None:
            state["t0"] = time.time()
            _emit(f"RS_T0={round(state['t0'] * 1000)}")
            if isinstance(runner, MasterRunner):
                runner.send_message("rs_t0", {"t0": state["t0"]})
        elapsed = time.time() - state["t0"]
        state["users_max"] = max(state["users_max"], runner.user_count if runner else 0)
        if runner is not None:
            total = runner.stats.total
            _emit("RS_LIVE=" + json.dumps({"requests": total.num_requests, "failed": total.num_failures, "users": runner.user_count}))
        if elapsed >= CONFIG.duration_s or state["abort"] is not None or state["stop"]:
            return None
        step = CONFIG.step_at(elapsed)
        if elapsed >= step.ramp_start_s + 1:
            breach = slo_breach(CONFIG, collector.step(step.index))
            if breach:
                state["abort"] = {"step": step.index, "reason": f"objective broken at {step.target} users (step index {step.index}): {breach}"}
                _emit(f"RS_ABORT step={step.index} {breach}")
                return None
        ramp = step.hold_start_s - step.ramp_start_s
        rate = (step.target - step.previous) / ramp if ramp > 0 else max(step.target - step.previous, 1)
        return step.target, max(rate, 1)
