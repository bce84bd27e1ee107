"""Stopping is bounded: a worker told to stop (SIGTERM: ``docker compose stop``, systemd,
scrapyd's cancel) exits within ``FRONTIER_SHUTDOWN_TIMEOUT``, Redis up or down, and what it
could not give back is left to lease expiry, so nothing is lost."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from bench._farm import Farm
from tests.support.redis_server import RedisServer
from tests.support.worker import ScrapyProcess, wait_until

pytestmark = pytest.mark.slow  # an nginx farm, redis-servers and scrapy worker processes

PAGES = 400
BOUND = 4.0  # FRONTIER_SHUTDOWN_TIMEOUT of these workers
SLACK = 5.0  # a busy 2-core machine: Python start-up is not in the bound, log flushing is
SETTINGS = {
    "FRONTIER_SHUTDOWN_TIMEOUT": str(BOUND),
    "FRONTIER_LEASE_TIME": "4",  # the stopped worker's leases come back soon
    "FRONTIER_LEASE_BATCH": "8",
    "CONCURRENT_REQUESTS": "4",
}


def _stop(worker: ScrapyProcess) -> float:
    """SIGTERM, as ``docker compose stop`` sends it; the seconds until the worker exited."""
    started = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)
    worker.wait(BOUND + SLACK + 30)  # generous here; the bound is asserted by the caller
    return time.monotonic() - started


def _dupes(fetches: Counter[str]) -> int:
    return sum(n - 1 for n in fetches.values() if n > 1)


@pytest.mark.timeout(180)
def test_sigterm_while_redis_is_down_exits_within_the_bound_and_loses_nothing(
    make_farm, start_worker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    farm: Farm = make_farm(PAGES)
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    try:
        settings = {**SETTINGS, "REDIS_URL": server.url}
        first = start_worker(farm, **settings)
        assert wait_until(lambda: farm.fetched_total() >= 100, 60), first.log[-3000:]
        owned = server.client().hlen("farm:requests:owners")  # not acked in Redis yet
        server.kill()  # a crash: Redis is gone, and stays gone while the worker stops
        assert wait_until(lambda: "frontier: lost Redis" in first.log, 20), first.log[-3000:]
        took = _stop(first)
        log = first.log
        assert took < BOUND + SLACK, (took, log[-3000:])
        assert "Redis unreachable at close" in log, log[-3000:]
        fetched_by_first = farm.fetched_total()
        assert fetched_by_first < PAGES  # stopped in the middle
        # Redis is back (its data kept): a new worker crawls the rest, the stopped worker's
        # leases reclaimed once they expire
        server.start()
        second = start_worker(farm, **settings)
        assert second.wait(120) == 0, second.log[-3000:]
    finally:
        server.kill()
    fetches = farm.fetches()
    assert set(fetches) == {f"/p/{i}.html" for i in range(PAGES)}
    # a page fetched twice is one the stopped worker held when Redis went away (leased, in
    # flight or fetched but not acked in Redis): those it owned a moment before, and at most
    # one more lease batch taken in that moment
    assert _dupes(fetches) <= owned + 8, (owned, fetches.most_common(5))
    assert second.stat("frontier/leases/reclaimed") > 0, second.log[-3000:]
    assert "expired leases back in the queue" in second.log, second.log[-3000:]
    assert "Traceback" not in log and "Traceback" not in second.log


@pytest.mark.timeout(120)
def test_a_callback_waiting_out_the_outage_does_not_hold_the_stop(
    make_farm, start_worker, tmp_path_factory: pytest.TempPathFactory
) -> None:
    farm: Farm = make_farm(PAGES)
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    try:
        settings = {**SETTINGS, "REDIS_URL": server.url}
        worker = start_worker(farm, spider="farm_recorded", **settings)
        assert wait_until(lambda: farm.fetched_total() >= 100, 60), worker.log[-3000:]
        server.kill()
        assert wait_until(lambda: "recorded farm: lost Redis" in worker.log, 20), worker.log
        took = _stop(worker)
    finally:
        server.kill()
    log = worker.log
    assert took < BOUND + SLACK, (took, log[-3000:])
    # its callbacks never got Redis back: the watchdog ended the process at the deadline
    assert "still stopping after FRONTIER_SHUTDOWN_TIMEOUT (4.0 s); exiting" in log
    assert worker.proc.returncode == 1


@pytest.mark.timeout(120)
def test_sigterm_with_redis_up_gives_leases_back_at_once(
    make_farm, start_worker, redis_server: RedisServer
) -> None:
    farm: Farm = make_farm(PAGES)
    first = start_worker(farm, **{**SETTINGS, "FRONTIER_LEASE_TIME": "600"})
    assert wait_until(lambda: farm.fetched_total() >= 100, 60), first.log[-3000:]
    took = _stop(first)
    assert took < BOUND + SLACK, (took, first.log[-3000:])
    r = redis_server.client()
    assert r.zcard("farm:requests:leases") == 0  # given back, not left to expire (600 s)
    second = start_worker(farm, **SETTINGS)
    assert second.wait(90) == 0, second.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == {f"/p/{i}.html" for i in range(PAGES)}
    assert _dupes(fetches) <= 4, fetches.most_common(5)  # only what was in flight at stop
    assert "Traceback" not in first.log
