"""The bench's Locust: FastHttpUser posting one fixed body (RS_BODY_FILE) to RS_PATH, each user
paced at RS_USER_RPS requests per second (constant_throughput), so N users offer N x RS_USER_RPS
req/s while the target answers fast: an open model in effect. Nothing else (no per-step stats,
no checks): what Locust itself costs per request. SIGUSR1 (sent by the bench when its
measurement window starts) resets Locust's stats, so its final --csv report covers the window on. Run by bench/generators.ts:

    locust -f loadtest/bench/generators/locustfile.py --headless -u 250 -r 250 -t 25s \
        --host http://127.0.0.1:8000 --csv /tmp/bench   # RS_BODY_FILE=/tmp/body.json RS_USER_RPS=4
"""

from __future__ import annotations

import os
import signal

import gevent
from locust import FastHttpUser, constant_throughput, events, task

with open(os.environ["RS_BODY_FILE"], encoding="utf-8") as f:
    BODY = f.read().encode("utf-8")
PATH = os.environ.get("RS_PATH", "/predict")
HEADERS = {"content-type": "application/json"}


class PacedUser(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("RS_USER_RPS", "4")))

    @task
    def predict(self) -> None:
        self.client.post(PATH, data=BODY, headers=HEADERS)


@events.init.add_listener
def _reset_on_sigusr1(environment, **_kwargs) -> None:
    gevent.signal_handler(signal.SIGUSR1, environment.stats.reset_all)
