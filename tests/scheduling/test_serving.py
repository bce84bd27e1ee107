"""With a serving worker up, ``scrapy schedule --once`` opens the sweep and follows it
instead of running a child crawl; the serving worker does it; the scheduler reports it.

The worker's heartbeat ``mode`` field is written here by hand, as the node heartbeat of a
serving worker carries it (``RESOURCES_ENABLED`` is off for the worker: one 2-core host)."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest
import redis

from tests.support.crawl import PROJECT_DIR, crawl_command
from tests.support.worker import scrapy_command, scrapy_env, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_scheduler_opens_the_sweep_and_the_serving_worker_does_it(replica, redis_url, tmp_path):
    data = tmp_path / "data"
    settings = {"CONCURRENT_REQUESTS": "2", "RESOURCES_ENABLED": "False"}
    cmd, env = crawl_command(replica.url, data, redis_url=redis_url, settings=settings)
    server_log = tmp_path / "server.log"
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [*cmd, "-a", "serve=1"], cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        assert wait_until(lambda: "serving: joining every sweep" in server_log.read_text(), 120)
        client = redis.Redis.from_url(redis_url)
        client.hset("inferencemax:nodes:serving-node", mapping={"mode": "serve"})
        client.zadd("inferencemax:nodes", {"serving-node": int(time.time() * 1000)})
        schedule = scrapy_command(
            "schedule",
            "inferencemax",
            "--once",
            settings={"DATA_DIR": data, "RESOURCES_HEARTBEAT_TTL": 3600, "LOG_LEVEL": "INFO"},
            args={"base_url": replica.url},
        )
        sched_env = scrapy_env(drop=["DATA_DIR"])
        sched_env["REDIS_URL"] = redis_url
        done = subprocess.run(
            schedule, cwd=PROJECT_DIR, env=sched_env, capture_output=True, text=True, timeout=600
        )
        log = done.stdout + done.stderr
        assert done.returncode == 0, log[-3000:]
        assert "serving workers are up (serving-node): they do this run" in log
        manifests = list((data / "archive").glob("*/manifest.json"))
        assert len(manifests) == 1
        sweep_id = json.loads(manifests[0].read_text())["sweep_id"]
        assert f"opened sweep {sweep_id} for the serving workers" in log
        assert "succeeded" in log and sweep_id in log, log[-3000:]
        assert wait_until(
            lambda: f"serving: sweep {sweep_id} is over" in server_log.read_text(), 120
        )
        assert server_log.read_text().count("/9 done:") == 9, "the scheduler crawled some"
        server.send_signal(signal.SIGTERM)
        assert server.wait(120) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(30)
