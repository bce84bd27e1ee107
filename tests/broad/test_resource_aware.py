"""Resource-aware scheduling runs for the broad crawl too (``ResourceAwareAddon`` brings it to
every spider, and the broad spider adds its fetch gate instead of replacing the project's
middlewares): a broad worker heartbeats to the board and stops leasing on its pause flag."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from bench.broad_farm import BroadFarm, generated_site
from benchcrawl.resources import defaults as resources_defaults
from benchcrawl.resources.board import BoardKeys, NodeBoard
from tests.broad.conftest import broad_env, run_seed, scrapy_args
from tests.middlewares.conftest import cpu_hog  # noqa: F401  (a fixture)
from tests.support.redis_server import RedisServer
from tests.support.worker import ScrapyProcess, scrapy_command, wait_until

pytestmark = pytest.mark.slow  # an nginx farm and a scrapy worker process

HOSTS = [f"127.0.0.{41 + i}" for i in range(4)]
PAGES = 80  # per host


@pytest.mark.timeout(150)
def _seeded_farm(make_farm: Callable[..., BroadFarm], redis_url: str, tmp_path: Path) -> BroadFarm:
    farm = make_farm({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    assert run_seed(redis_url, seeds).returncode == 0
    return farm


def _pages(farm: BroadFarm) -> Counter[str]:
    """Fetches per page, robots.txt left out."""
    return Counter(
        f"{h}{f.uri}"
        for h, fetches in farm.by_host().items()
        for f in fetches
        if f.uri != "/robots.txt"
    )


def test_a_broad_worker_heartbeats_and_stops_on_its_pause_flag(
    make_farm, start_worker, redis_server: RedisServer, tmp_path: Path
) -> None:
    farm = _seeded_farm(make_farm, redis_server.url, tmp_path)
    total = len(HOSTS) * PAGES
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
    # the worker yields the CPU to co-located work first (RESOURCES_NICE), every thread of it
    # (a niceness is per thread on Linux)
    threads = psutil.Process(worker.proc.pid).threads()
    nices = {os.getpriority(os.PRIO_PROCESS, t.id) for t in threads}
    assert nices == {max(resources_defaults.RESOURCES_NICE, os.getpriority(os.PRIO_PROCESS, 0))}
    assert wait_until(lambda: fetched() >= 40, 60), worker.log[-3000:]
    board = NodeBoard(r, BoardKeys("broad"))
    assert [s.node for s in board.ranking()] == ["b0"]
    board.pause("b0", "test")
    paused_at = time.monotonic()
    # the node says it is paused at its next heartbeat; what it held then still finishes,
    # and after that it leases nothing: the queue and the farm stand still
    assert wait_until(lambda: r.hget("broad:nodes:b0", "state") == b"paused", 30), worker.log[
        -3000:
    ]
    assert wait_until(lambda: r.hlen("broad:requests:owners") == 0, 30), worker.log[-3000:]
    queued, stopped_at = r.get("broad:domains:queued"), fetched()
    time.sleep(2)
    assert (r.get("broad:domains:queued"), fetched()) == (queued, stopped_at)
    assert int(queued or 0) > 0 and stopped_at < total
    assert r.hget("broad:nodes:b0", "state") == b"paused"
    board.resume("b0")
    assert worker.wait(90) == 0, worker.log[-3000:]
    log = worker.log
    assert "node b0 paused by its node pause flag" in log
    # paused from when the worker read the flag until it read the resume: at least the 2 s
    # it stood still above, at most the time since the flag was set
    assert 2 <= worker.stat("resources/paused_seconds") <= time.monotonic() - paused_at
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


@pytest.mark.timeout(150)
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
def test_the_broad_worker_next_to_a_cpu_hog_throttles(
    make_farm,
    scrapy_process,
    cpu_hog,  # noqa: F811  (the fixture imported above)
    redis_server: RedisServer,
    tmp_path: Path,
) -> None:
    farm = _seeded_farm(make_farm, redis_server.url, tmp_path)
    cpu_hog(0)
    time.sleep(0.5)

    def start(node: str, cpu: int) -> ScrapyProcess:
        settings = {"RESOURCES_ENABLED": "True", "RESOURCES_NODE_ID": node}
        settings |= {"BROAD_MIN_DELAY": "0.1", "BROAD_WARC_DIR": ""}
        cmd = ["taskset", "-c", str(cpu), *scrapy_command("crawl", "broad")]
        return scrapy_process(node, cmd + scrapy_args(redis_server.url, settings), broad_env())

    loaded, free = start("loaded", 0), start("free", 1)
    for w in (loaded, free):
        assert w.wait(120) == 0, w.log[-3000:]
    assert "node loaded throttled: cpu" in loaded.log, loaded.log[-3000:]
    assert loaded.stat("resources/throttle_events") >= 1
    assert loaded.stat("resources/throttled_seconds") > 0
    pages = {w: w.stat("broad/pages") for w in (loaded, free)}
    # the shares depend on what else the host runs (bench/resource_aware.py measures them;
    # a bound on them flakes on a shared 2-core machine); here: the free node took work
    # while the loaded one was throttled (above), and the crawl is whole (below)
    assert pages[free] > 0 and sum(pages.values()) == len(HOSTS) * PAGES, pages
    assert set(_pages(farm)) == {f"{h}/p/{i}.html" for h in HOSTS for i in range(PAGES)}
    assert "Traceback" not in loaded.log + free.log
