"""FRONTIER_WAIT_REPLICAS against a real Redis and its real replica: a commit returns once
the replica has it; a stalled replica is counted, logged once, and does not stop the crawl."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from benchcrawl.frontier.queue import FrontierKeys, LeasedQueue, Push, queued
from tests.support.redis_server import RedisServer

KEYS = FrontierKeys(
    queue="r:requests",
    data="r:requests:data",
    leases="r:requests:leases",
    owners="r:requests:owners",
    failed="r:requests:failed",
    seq="r:requests:seq",
    workers="r:workers",
    dupefilter="r:dupefilter",
)
SHORT = "frontier/replication/short"


def _push(url: str) -> Push:
    return Push(True, 0, url, [hashlib.sha1(url.encode()).digest()[:12]])


def _wait(condition, what: str, limit: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {limit} s"
        time.sleep(0.05)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[RedisServer, RedisServer]]:
    primary = RedisServer(tmp_path / "primary").start()
    replica = RedisServer(tmp_path / "replica", replica_of=primary.port).start()
    with primary.client() as client:
        _wait(
            lambda: (
                client.info("replication").get("connected_slaves") == 1
                and client.info("replication")["slave0"]["state"] == "online"
            ),
            "the replica is online",
        )
    try:
        yield primary, replica
    finally:
        replica.kill()
        primary.kill()


@pytest.fixture
def client(pair: tuple[RedisServer, RedisServer]) -> Iterator[redis.Redis]:
    """A client of the primary, as a worker's."""
    with pair[0].client() as primary:
        yield primary


def _queue(client: redis.Redis, timeout: float) -> tuple[LeasedQueue, StatsCollector]:
    settings = {"FRONTIER_WAIT_REPLICAS": 1, "FRONTIER_WAIT_TIMEOUT": timeout}
    crawler = get_crawler(settings_dict=settings)
    queue = LeasedQueue(client, KEYS, "w1", "exact", crawler.settings, crawler.stats)
    return queue, crawler.stats


def test_a_commit_returns_only_once_the_replica_has_it(
    pair: tuple[RedisServer, RedisServer], client: redis.Redis
) -> None:
    primary, replica = pair
    queue, stats = _queue(client, timeout=60)
    replica.pause()  # the master takes the write; its replica cannot acknowledge it yet
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (queue.commit([_push("https://a.example/1")], [], []), done.set())
    )
    thread.start()
    with primary.client() as reader:
        _wait(lambda: queued(reader, KEYS.queue) == 1, "the master holds the request")
    assert not done.is_set(), "the commit returned while its replica could not have it"
    replica.resume()
    assert done.wait(60), "the commit did not return once the replica was back"
    thread.join(10)
    with replica.client() as reader:
        assert queued(reader, KEYS.queue) == 1
        assert reader.scard(KEYS.dupefilter) == 1
    assert stats.get_value(SHORT) is None

    leased = queue.lease(1, 60_000)
    assert [data for _, data in leased] == [b"https://a.example/1"]
    with replica.client() as reader:  # a lease waits the same way
        assert reader.zcard(KEYS.leases) == 1


def test_a_stalled_replica_is_counted_logged_once_and_the_crawl_goes_on(
    pair: tuple[RedisServer, RedisServer], client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    replica = pair[1]
    queue, stats = _queue(client, timeout=0.2)
    replica.pause()
    with caplog.at_level(logging.INFO, logger="benchcrawl.frontier.replication"):
        first = queue.commit([_push("https://a.example/1")], [], [])
        second = queue.commit([_push("https://a.example/2")], [], [])
        assert (first.pushed, second.pushed) == (1, 1)  # the master has both
        assert stats.get_value(SHORT) == 2
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "reached 0 of 1 replicas" in warnings[0].getMessage()

        replica.resume()
        queue.commit([_push("https://a.example/3")], [], [])
        assert stats.get_value(SHORT) == 2
        back = "reach 1 replicas again (2 were short)"
        assert any(back in r.getMessage() for r in caplog.records)
    with replica.client() as reader:
        assert queued(reader, KEYS.queue) == 3


def test_without_the_setting_nothing_waits(
    pair: tuple[RedisServer, RedisServer], client: redis.Redis
) -> None:
    stats = get_crawler().stats
    queue = LeasedQueue(client, KEYS, "w1", "exact", Settings(), stats)
    replica = pair[1]
    replica.pause()
    result = queue.commit([_push("https://a.example/1")], [], [])  # returns: no WAIT
    assert result.pushed == 1
    assert stats.get_value(SHORT) is None
