"""Resource-aware scheduling runs for the broad crawl too (``ResourceAwareAddon`` brings it to
every spider, and the broad spider adds its fetch gate instead of replacing the project's
middlewares): a broad worker heartbeats to the board and stops leasing on its pause flag."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from bench.broad_farm import generated_site
from benchcrawl.resources.board import BoardKeys, NodeBoard
from tests.broad.conftest import run_seed
from tests.support.redis_server import RedisServer
from tests.support.worker import wait_until

pytestmark = pytest.mark.slow  # an nginx farm and a scrapy worker process

HOSTS = [f"127.0.0.{41 + i}" for i in range(4)]
PAGES = 80  # per host


@pytest.mark.timeout(150)
def test_a_broad_worker_heartbeats_and_stops_on_its_pause_flag(
    make_farm, start_worker, redis_server: RedisServer, tmp_path: Path
) -> None:
    farm = make_farm({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})
    total = len(HOSTS) * PAGES
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    assert run_seed(redis_server.url, seeds).returncode == 0
    worker = start_worker(
        RESOURCES_ENABLED="True",
        RESOURCES_NODE_ID="b0",
        RESOURCES_CPU_LIMIT="101",  # this test is about the board and the flag, not the load
        RESOURCES_CPU_RESUME="101",
        BROAD_MIN_DELAY="0.15",  # about 25 pages/s over 4 hosts: long enough to pause it
        BROAD_WARC_DIR="",
    )

    def fetched() -> int:
        return sum(
            1 for fetches in farm.by_host().values() for f in fetches if f.uri != "/robots.txt"
        )

    r = redis_server.client()
    # heartbeats: the node's hash and its entry in the index, while it crawls
    assert wait_until(lambda: r.hget("broad:nodes:b0", "state") == b"running", 30), worker.log[
        -3000:
    ]
    assert r.zscore("broad:nodes", "b0") is not None
    assert wait_until(lambda: fetched() >= 40, 60), worker.log[-3000:]
    board = NodeBoard(r, BoardKeys("broad"))
    assert [s.node for s in board.ranking()] == ["b0"]
    board.pause("b0", "test")
    paused_at = time.monotonic()
    time.sleep(5)
    stopped_at = fetched()
    time.sleep(2)
    assert fetched() == stopped_at, "still fetching 5 s after the pause flag"
    assert stopped_at < total
    assert r.hget("broad:nodes:b0", "state") == b"paused"
    board.resume("b0")
    assert worker.wait(90) == 0, worker.log[-3000:]
    log = worker.log
    assert "node b0 paused by its node pause flag" in log
    assert 3 <= worker.stat("resources/paused_seconds") <= time.monotonic() - paused_at
    assert "Traceback" not in log
    # the crawl itself is whole: every page of every host once
    pages: Counter[str] = Counter(
        f"{h}{f.uri}"
        for h, fetches in farm.by_host().items()
        for f in fetches
        if f.uri != "/robots.txt"
    )
    assert set(pages) == {f"{h}/p/{i}.html" for h in HOSTS for i in range(PAGES)}
    assert max(pages.values()) == 1
