"""Two real workers on one Redis: load and pause flags move the work between them."""

from __future__ import annotations

import os
import time

import pytest

from benchcrawl.frontier.queue import queued
from benchcrawl.resources.board import BoardKeys, NodeBoard
from tests.support.worker import wait_until

pytestmark = [
    pytest.mark.slow,  # an nginx farm, two scrapy workers and a CPU hog
    pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs"),
]


@pytest.mark.timeout(120)
def test_the_worker_on_a_busy_core_throttles_and_the_other_takes_most_pages(
    make_farm, start_worker, cpu_hog
):
    farm = make_farm(500, size=20_000)
    cpu_hog(0)
    time.sleep(0.5)
    settings = {"parse_passes": 2, "CONCURRENT_REQUESTS": 8}
    loaded = start_worker(farm, "loaded", cpu=0, **settings)
    free = start_worker(farm, "free", cpu=1, **settings)
    for w in (loaded, free):
        assert w.wait(90) == 0, w.log[-3000:]
    assert set(farm.fetches()) == {f"/p/{i}.html" for i in range(500)}
    assert "node loaded throttled: cpu" in loaded.log, loaded.log[-3000:]
    assert loaded.stat("resources/throttle_events") >= 1
    assert loaded.stat("resources/throttled_seconds") > 0
    pages = {w: w.stat("response_received_count") for w in (loaded, free)}
    # the shares depend on what else the host runs (about 70% for the free node on a quiet
    # host; bench/resource_aware.py measures them); here: the free node took work while
    # the loaded one was throttled (above), and the crawl finished on both
    assert pages[free] > 0, pages
    assert "Traceback" not in loaded.log + free.log


@pytest.mark.timeout(120)
def test_a_paused_node_stops_leasing_and_resumes(make_farm, start_worker, redis_server):
    farm = make_farm(400)
    worker = start_worker(
        farm,
        "w0",
        DOWNLOAD_DELAY="0.02",  # about 50 pages/s: the crawl lasts long enough to pause it
        RANDOMIZE_DOWNLOAD_DELAY="False",
        RESOURCES_CPU_LIMIT="101",  # this test is about the flag, not the machine's load
        RESOURCES_CPU_RESUME="101",
    )
    assert wait_until(lambda: farm.fetched_total() >= 50, 60), worker.log[-3000:]
    client = redis_server.client()
    board = NodeBoard(client, BoardKeys("loadfarm"))
    board.pause("w0", "test")
    # the node says it is paused at its next heartbeat; what it held then still finishes,
    # and after that it leases nothing: the queue and the farm stand still
    assert wait_until(lambda: client.hget("loadfarm:nodes:w0", "state") == b"paused", 30)
    assert wait_until(lambda: client.hlen("loadfarm:requests:owners") == 0, 30)
    waiting, fetched = queued(client, "loadfarm:requests"), farm.fetched_total()
    time.sleep(2)
    assert (queued(client, "loadfarm:requests"), farm.fetched_total()) == (waiting, fetched)
    assert waiting > 0 and fetched < 400
    assert client.hget("loadfarm:nodes:w0", "state") == b"paused"
    board.resume("w0")
    assert worker.wait(60) == 0, worker.log[-3000:]
    assert set(farm.fetches()) == {f"/p/{i}.html" for i in range(400)}
    assert "node w0 paused by its node pause flag" in worker.log
    # paused from when the worker read the flag until it read the resume: at least the 2 s
    # it stood still above
    assert worker.stat("resources/paused_seconds") >= 2
