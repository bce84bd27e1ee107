"""``/api/live`` against a live InferenceMAX worker sweeping the InferenceX replica (real
Chromium, a real Redis): the worker says which combination it is on (``model @ run date``,
read from its requests' meta by the resource-aware middleware, not by the spider), the
open sweep shows what it took, and when the sweep is over every combination is counted
as finished by a worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.monitor.test_app import BEARER
from tests.support.redis_server import RedisServer
from tests.support.replica import inferencex_replica
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]  # Chromium and a scrapy worker
COMBINATION = re.compile(r"^\S.* @ \d{4}-\d\d-\d\d$")  # "DeepSeek-R1-0528 @ 2026-06-14"


def test_a_sweeping_worker_shows_its_combination_and_the_sweep_what_it_took(
    make_client, redis_server: RedisServer, tmp_path: Path
) -> None:
    client = make_client()

    def live() -> dict:
        return client.get("/api/live", headers=BEARER).json()

    def worker_row() -> dict:
        return next((n for n in live()["nodes"] if n["node"] == "x1"), {})

    with inferencex_replica(dates=4) as site:
        site.latency = 1.5  # each combination's answer takes a while: a heartbeat sees it
        env = scrapy_env(drop=("REDIS_URL", "DATA_DIR", "DATABASE_URL"))
        env["REDIS_URL"] = redis_server.url
        cmd = scrapy_command(
            "crawl",
            "inferencemax",
            settings={
                "DATA_DIR": tmp_path / "data",
                "LOG_LEVEL": "INFO",
                "CONCURRENT_REQUESTS": "2",
                "RESOURCES_ENABLED": "True",
                "RESOURCES_NODE_ID": "x1",
                "RESOURCES_CPU_LIMIT": "101",  # about what it does, not the load
                "RESOURCES_CPU_RESUME": "101",
            },
            args={"base_url": site.url},
        )
        worker = ScrapyProcess(tmp_path / "worker.log", cmd, env)
        try:
            assert wait_until(lambda: COMBINATION.match(worker_row().get("doing", "")), 180, 0.2), (
                worker_row(),
                worker.log[-3000:],
            )
            row = worker_row()
            assert row["mode"] == "job" and row["since"] > 0

            def took() -> int:
                sweeps = live()["sweeps"]
                rows = [w for s in sweeps for w in s["workers"] if w["worker"] == "x1"]
                return rows[0]["taken"] if rows else 0

            assert wait_until(lambda: took() >= 1, 120, 0.2), live()
            assert worker.wait(240) == 0, worker.log[-3000:]
        finally:
            if worker.alive():
                worker.proc.kill()
                worker.wait(10)
    [sweep] = live()["sweeps"]
    assert sweep["status"] == "succeeded" and sweep["accounted"] == sweep["planned"] > 0
    assert sum(w["finished"] for w in sweep["workers"]) == sweep["planned"]
    assert worker_row() == {}  # a worker that ended leaves the board
    assert "Traceback" not in worker.log
