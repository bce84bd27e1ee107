"""Real workers (``scrapy crawl`` subprocesses) crawling a local nginx farm through Redis."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest
import redis
from scrapy import Request
from scrapy.utils.request import fingerprint

from bench._farm import Farm
from benchcrawl.frontier.queue import queued
from tests.support.redis_server import RedisServer
from tests.support.worker import wait_until

pytestmark = pytest.mark.slow  # an nginx farm and scrapy worker processes

PAGES = 600


def _all_pages(farm: Farm) -> set[str]:
    return {f"/p/{i}.html" for i in range(farm.pages)}


def _dupes(fetches: Counter[str]) -> int:
    return sum(n - 1 for n in fetches.values() if n > 1)


def _owned(r: redis.Redis) -> int:
    """Leases held in every partition of the farm's frontier (``farm``, ``farm#1``, ...)."""
    return sum(r.hlen(k) for k in r.scan_iter("farm*:requests:owners"))


# one partition (key names as ever) and three, on one Redis: the partitioned frontier
PARTITIONS = pytest.mark.parametrize("partitions", ["0", "3"])


@pytest.mark.timeout(90)
def test_one_worker_crawls_every_page_once_and_closes_by_itself(
    make_farm, start_worker, redis_server: RedisServer
):
    farm = make_farm(PAGES)
    worker = start_worker(farm)
    assert worker.wait(60) == 0, worker.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm)
    assert _dupes(fetches) == 0
    assert "'frontier/requests/acked': 600" in worker.log
    assert "Traceback" not in worker.log
    r = redis_server.client()
    assert queued(r, "farm:requests") == 0 and r.zcard("farm:requests:leases") == 0
    assert r.scard("farm:dupefilter") == PAGES  # closing kept the shared state


@pytest.mark.timeout(120)
def test_an_upgrade_mid_crawl_loses_nothing(make_farm, start_worker, redis_server: RedisServer):
    """What an older version left in Redis mid-crawl (format-1 requests queued as ids in
    the queue zset with their JSON in the data hash, whole fingerprints in the dedup set)
    is crawled by this one: every page once, none unreadable, the old set kept as it is."""
    farm = make_farm(PAGES)
    r = redis_server.client()
    for i in range(farm.pages):
        url = farm.url(i)
        lease = f"{i + 1:016x}"
        old = {"v": 1, "url": url, "headers": [], "body": "", "meta": {"depth": 1}}
        old |= {"cookies": {}, "cb_kwargs": {}, "callback": "parse", "errback": "on_error"}
        old |= {"encoding": "utf-8", "flags": [], "dont_filter": False, "method": "GET"}
        r.hset("farm:requests:data", lease, json.dumps(old | {"priority": 0}))
        r.zadd("farm:requests", {lease: 0})
        r.sadd("farm:dupefilter", fingerprint(Request(url)))
    r.set("farm:requests:seq", farm.pages)
    worker = start_worker(farm)
    assert worker.wait(60) == 0, worker.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm)
    assert _dupes(fetches) == 0
    assert "unreadable" not in worker.log and "Traceback" not in worker.log
    assert f"'frontier/requests/acked': {PAGES}" in worker.log
    assert r.scard("farm:dupefilter") == PAGES
    assert {len(m) for m in r.smembers("farm:dupefilter")} == {20}


@PARTITIONS
@pytest.mark.timeout(120)
def test_kill_9_loses_nothing(make_farm, start_worker, redis_server: RedisServer, partitions):
    farm = make_farm(PAGES)
    settings = {
        "FRONTIER_LEASE_TIME": "3",
        "CONCURRENT_REQUESTS": "8",
        "FRONTIER_PARTITIONS": partitions,
    }
    first = start_worker(farm, **settings)
    assert wait_until(lambda: farm.fetched_total() >= 150, 60), first.log[-3000:]
    first.kill9()
    r = redis_server.client()
    held = _owned(r)
    fetched_before = farm.fetched_total()
    assert fetched_before < PAGES  # killed in the middle
    second = start_worker(farm, **settings)
    assert second.wait(90) == 0, second.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm)
    assert _dupes(fetches) <= held, (held, _dupes(fetches))
    assert "frontier/leases/reclaimed" in second.log or held == 0


@PARTITIONS
@pytest.mark.timeout(120)
def test_two_workers_crawl_every_page_exactly_once(
    make_farm, start_worker, redis_server: RedisServer, partitions
):
    farm = make_farm(PAGES)
    workers = [
        start_worker(
            farm,
            CONCURRENT_REQUESTS=8,
            FRONTIER_PARTITIONS=partitions,
            spider_args={"barrier": "test:started:2"},
        )
        for _ in range(2)
    ]
    for w in workers:
        assert w.wait(90) == 0, w.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm)
    assert _dupes(fetches) == 0
    for w in workers:  # both did a fair part of the work
        assert w.stat("frontier/requests/acked") >= 0.2 * PAGES, w.log[-3000:]
    with redis_server.client() as r:
        dedup = sorted(k.decode() for k in r.scan_iter("farm*:dupefilter"))
        assert len(dedup) == max(1, int(partitions))  # every partition saw part of the crawl
        assert sum(r.scard(k) for k in dedup) == PAGES  # each page's fingerprint once


@pytest.mark.timeout(120)
def test_redis_restart_mid_crawl(make_farm, tmp_path_factory, start_worker):
    farm = make_farm(PAGES)
    server = RedisServer(tmp_path_factory.mktemp("aof"), appendonly=True).start()
    try:
        worker = start_worker(
            farm, REDIS_URL=server.url, FRONTIER_LEASE_TIME="5", CONCURRENT_REQUESTS=4
        )
        assert wait_until(lambda: farm.fetched_total() >= 150, 60), worker.log[-3000:]
        server.stop()
        time.sleep(1.0)
        server.start()
        assert worker.wait(90) == 0, worker.log[-3000:]
    finally:
        server.kill()
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm)
    log = worker.log
    assert "Traceback" not in log
    assert log.count("frontier: lost Redis") == 1
    assert "frontier: Redis is back" in log


@pytest.mark.timeout(60)
def test_idle_worker_waits_for_a_lease_held_elsewhere(
    make_farm, start_worker, redis_server: RedisServer
):
    farm = make_farm(20)
    r = redis_server.client()
    r.hset("farm:requests:data", "00000000000000ff", '{"v":1,"priority":0}')
    r.zadd("farm:requests:leases", {"00000000000000ff": int(time.time() * 1000) + 600_000})
    r.hset("farm:requests:owners", "00000000000000ff", "elsewhere:1:abc")
    worker = start_worker(farm)
    assert wait_until(lambda: len(farm.fetches()) == 20, 30)
    time.sleep(4)  # well past SCHEDULER_IDLE_BEFORE_CLOSE (1 s)
    assert worker.alive(), worker.log[-3000:]
    r.zrem("farm:requests:leases", "00000000000000ff")  # the other worker acks
    r.hdel("farm:requests:owners", "00000000000000ff")
    assert worker.wait(20) == 0, worker.log[-3000:]  # about 1 s after the ack
    # it waited for that lease, not for anything else: it closed as finished, with the
    # crawl whole and nothing fetched twice
    assert "'finish_reason': 'finished'" in worker.log, worker.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == _all_pages(farm) and max(fetches.values()) == 1, fetches


@PARTITIONS
@pytest.mark.timeout(60)
def test_failed_requests_are_recorded_requeued_and_purged(
    make_farm, start_worker, redis_server: RedisServer, redis_url: str, partitions
):
    import subprocess
    import sys

    from tests.support.redis_server import free_port
    from tests.support.worker import PROJECT

    farm = make_farm(5)
    missing = f"http://{farm.host}:{farm.port}/p/missing.html"
    refused = f"http://127.0.0.1:{free_port()}/nothing.html"
    worker = start_worker(
        farm, FRONTIER_PARTITIONS=partitions, spider_args={"extra": f"{missing},{refused}"}
    )
    assert worker.wait(40) == 0, worker.log[-3000:]

    def frontier(*args: str) -> str:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "frontier",
                "farm",
                "-s",
                "SPIDER_MODULES=tests.frontier.spiders",
                "-s",
                f"REDIS_URL={redis_url}",
                *args,
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    report = frontier()
    assert "failed:  2" in report, report
    assert f"{missing}: HTTP 404" in report, report
    assert f"{refused}: DownloadConnectionRefusedError" in report, report
    assert "seen:    7 (exact)" in report
    assert "queued:  0" in report
    report = frontier("--requeue-failed")
    assert "re-queued 2 failed requests" in report and "queued:  2" in report
    assert "failed:  0" in report
    assert "purged" in frontier("--purge")
    with redis_server.client() as r:
        left = [k.decode() for k in r.scan_iter("farm*")]
    assert left == [], left  # every partition's keys, and their number
    assert redis.Redis.from_url(redis_url).keys("farm:*") == []


@pytest.mark.timeout(30)
def test_unreachable_redis_is_one_sentence_and_exit_1(make_farm):
    import subprocess
    import sys

    from tests.support.redis_server import free_port
    from tests.support.worker import PROJECT

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "farm",
            "-s",
            "SPIDER_MODULES=tests.frontier.spiders",
            "-s",
            f"REDIS_URL=redis://127.0.0.1:{free_port()}/0",
            "-a",
            "start_url=http://x/",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=20,  # it does not wait for Redis to come back (about 2 s with start-up)
    )
    assert out.returncode == 1
    assert out.stderr.count("cannot reach Redis") == 1  # said once: no retries
    assert "Traceback" not in out.stderr
