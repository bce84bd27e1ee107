"""A serving broad worker (``-a serve=1``) waits for ``scrapy seed`` pushes: it is up
before any seed, crawls a seed pushed after it started, stays up through a drained
frontier, crawls the next push too, and exits 0 when told to stop."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.broad.conftest import broad_env, run_seed, scrapy_args
from tests.support.worker import scrapy_command, wait_until

pytestmark = pytest.mark.slow  # an nginx farm and a scrapy worker process

A, B = "127.0.0.61", "127.0.0.62"


def _site(name: str) -> dict[str, bytes]:
    return {
        "/index.html": f"<html><body><a href='/{name}.html'>{name}</a></body></html>".encode(),
        f"/{name}.html": b"<html><body>leaf</body></html>",
    }


def test_serving_broad_worker_crawls_seeds_pushed_after_it_started(
    make_farm, scrapy_process, redis_url: str, tmp_path: Path
) -> None:
    farm = make_farm({A: _site("a"), B: _site("b")})
    # a worker that did not serve would close 0.1 s after finding the frontier empty
    settings = {
        "SCHEDULER_IDLE_BEFORE_CLOSE": "0.1",
        "BROAD_MIN_DELAY": "0.1",
        "BROAD_WARC_DIR": "",
    }
    cmd = scrapy_command("crawl", "broad", args={"serve": 1}) + scrapy_args(redis_url, settings)
    worker = scrapy_process("server", cmd, broad_env())
    assert wait_until(lambda: "serving: waiting for work" in worker.log, 120), worker.log
    for host, leaf in ((A, "/a.html"), (B, "/b.html")):
        seeds = tmp_path / f"{host}.txt"
        seeds.write_text(farm.url(host, "/index.html") + "\n")
        assert run_seed(redis_url, seeds).returncode == 0
        assert wait_until(
            lambda host=host, leaf=leaf: leaf in {f.uri for f in farm.by_host().get(host, [])},
            120,
        ), worker.log[-3000:]
        assert worker.alive(), worker.log[-3000:]
    worker.proc.send_signal(signal.SIGTERM)
    assert worker.wait(120) == 0, worker.log[-3000:]
    assert "Closing spider (shutdown)" in worker.log
