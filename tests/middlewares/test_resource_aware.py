"""The middleware built the way Scrapy builds it, against a real Redis."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from benchcrawl import settings as project_settings
from benchcrawl import signals as bc_signals
from benchcrawl.middlewares.resource_aware import ResourceAwareMiddleware
from benchcrawl.resources.board import BoardKeys, NodeBoard

PROJECT = {k: v for k, v in vars(project_settings).items() if k.isupper()}


class FarmSpider(Spider):
    name = "farm"


class Recorder:
    """Collects the leasing signals the middleware sends, in order."""

    def __init__(self, crawler: Any) -> None:
        self.events: list[tuple[str, Any]] = []
        for name in ("leasing_paused", "leasing_resumed", "lease_limit_changed"):
            crawler.signals.connect(getattr(self, name), signal=getattr(bc_signals, name))

    def leasing_paused(self, reason: str) -> None:
        self.events.append(("paused", reason))

    def leasing_resumed(self) -> None:
        self.events.append(("resumed", None))

    def lease_limit_changed(self, limit: int) -> None:
        self.events.append(("limit", limit))


# CPU is out of these tests: the machine's load from other processes is not theirs to set
QUIET_CPU = {"RESOURCES_CPU_LIMIT": "101", "RESOURCES_CPU_RESUME": "101"}


def build(**settings: Any) -> tuple[ResourceAwareMiddleware, Recorder]:
    crawler = get_crawler(
        FarmSpider, {**PROJECT, **QUIET_CPU, "RESOURCES_NODE_ID": "n1", **settings}
    )
    crawler.spider = FarmSpider.from_crawler(crawler)
    mw = build_from_crawler(ResourceAwareMiddleware, crawler)
    mw.run_in_thread = defer.maybeDeferred  # the heartbeat runs inline in these tests
    mw.sampler.sample()
    return mw, Recorder(crawler)


def beat(mw: ResourceAwareMiddleware) -> None:
    mw.next_heartbeat = 0.0
    mw.tick()


def test_off_without_redis_or_when_disabled(redis_url, caplog):
    # switched off by design: NotConfigured without a reason, so Scrapy logs no WARNING
    # ("Disabled ...: why"); the reason is at DEBUG
    caplog.set_level(logging.DEBUG, "benchcrawl.middlewares.resource_aware")
    with pytest.raises(NotConfigured) as off:
        build(REDIS_URL=None)
    assert off.value.args == ()
    with pytest.raises(NotConfigured) as off:
        build(REDIS_URL=redis_url, RESOURCES_ENABLED="False")
    assert off.value.args == ()
    assert caplog.messages == [
        "resource-aware scheduling is off: resource-aware scheduling needs the shared "
        "frontier (REDIS_URL)",
        "resource-aware scheduling is off: RESOURCES_ENABLED is off",
    ]


def test_heartbeat_in_flight_and_leaving(redis_server):
    mw, _ = build(REDIS_URL=redis_server.url)
    request = Request("http://127.0.0.1/x")
    mw.process_request(request)
    mw.process_request(request)
    mw.process_response(request, HtmlResponse(request.url, body=b"<html></html>"))
    beat(mw)
    r = redis_server.client()
    beat_hash = {k.decode(): v.decode() for k, v in r.hgetall("farm:nodes:n1").items()}
    assert beat_hash["node"] == "n1" and beat_hash["state"] == "running"
    assert beat_hash["in_flight"] == "1"
    assert float(beat_hash["pages_per_minute"]) > 0
    assert set(beat_hash) >= {"host", "pid", "cpu", "memory", "network", "limit"}
    assert 0 < r.pttl("farm:nodes:n1") <= 10_000
    mw.spider_closed()
    assert not r.exists("farm:nodes:n1")


def test_heartbeat_says_what_the_worker_does_and_since_when(redis_server):
    mw, _ = build(REDIS_URL=redis_server.url)
    mw.spider_opened()
    r = redis_server.client()

    def said() -> dict[str, str]:
        beat(mw)
        return {k.decode(): v.decode() for k, v in r.hgetall("farm:nodes:n1").items()}

    assert (said()["mode"], said()["activity"], said()["doing"]) == ("job", "idle", "")
    page = Request("http://127.0.0.1/" + "p" * 300)
    combo = Request(
        "http://127.0.0.1/dash",
        meta={"sweep_id": "s1", "combination": {"index": 3, "model": "gpt-oss 120B",
              "sequence": "1K / 8K"}},
    )  # fmt: skip
    mw.process_request(page)
    mw.process_request(combo)
    now = said()
    assert now["activity"] == "busy" and now["doing"] == page.url[:200]  # the oldest in flight
    assert abs(float(now["since"]) - time.time()) < 600 and now["sweep"] == "s1"
    assert now["taken"] == "1"
    mw.process_response(page, HtmlResponse(page.url, body=b"<html></html>"))
    assert said()["doing"] == "gpt-oss 120B x 1K / 8K"
    mw.process_exception(combo, OSError("reset"))
    idle = said()
    assert idle["activity"] == "idle" and idle["doing"] == "gpt-oss 120B x 1K / 8K"  # the last
    # a fetch begun and ended between two heartbeats: at work all the same, then idle
    quick = Request("http://127.0.0.1/quick")
    mw.process_request(quick)
    mw.process_response(quick, HtmlResponse(quick.url, body=b"<html></html>"))
    assert (said()["activity"], said()["activity"]) == ("busy", "idle")
    mw.spider_closed()


def test_pause_flags_pause_and_resume_leasing(redis_server):
    mw, seen = build(REDIS_URL=redis_server.url)
    board = NodeBoard(redis_server.client(), BoardKeys("farm"))
    beat(mw)
    board.pause("n1", "ops")
    beat(mw)
    board.resume("n1")
    board.pause(None)
    beat(mw)  # still paused, by the cluster flag now: no new signal
    board.resume(None)
    beat(mw)
    leasing = [e for e in seen.events if e[0] != "limit"]
    assert leasing == [("paused", "paused"), ("resumed", None)]
    assert mw.stats.get_value("resources/pause_events") == 1
    assert mw.stats.get_value("resources/paused_seconds") > 0


def test_overload_throttles_with_stats(redis_server, caplog):
    # any memory use is "overload" here, so the node throttles and never resumes
    mw, seen = build(
        REDIS_URL=redis_server.url, RESOURCES_MEMORY_LIMIT="0.01", RESOURCES_MEMORY_RESUME="0"
    )
    other = replace(mw.status(), node="other", load=0.0)  # a running node to take the work
    NodeBoard(redis_server.client(), BoardKeys("farm")).heartbeat(other, ttl=10)
    with caplog.at_level(logging.INFO, logger="benchcrawl.middlewares.resource_aware"):
        for _ in range(3):
            beat(mw)
    paused = [e for e in seen.events if e[0] == "paused"]
    assert len(paused) == 1 and paused[0][1].startswith("memory ")
    assert mw.stats.get_value("resources/throttle_events") == 1
    assert mw.stats.get_value("resources/throttled_seconds") > 0
    assert redis_server.client().hget("farm:nodes:n1", "state") == b"throttled"
    assert any("node n1 throttled: memory" in m for m in caplog.messages)


def test_lease_limit_follows_the_ranking(redis_server):
    mw, seen = build(REDIS_URL=redis_server.url, RESOURCES_LEASE_LIMIT_MAX="20")
    beat(mw)
    assert ("limit", 20) in seen.events  # alone: the full limit
    idle_reading = mw.reading
    assert idle_reading is not None
    idle = mw.status()
    NodeBoard(redis_server.client(), BoardKeys("farm")).heartbeat(
        replace(idle, node="idle", load=0.0), ttl=10
    )
    mw.sampler.sample = lambda now=None: replace(  # type: ignore[method-assign]
        idle_reading, cpu_load=60.0, memory=30.0, network=0.0
    )
    beat(mw)  # this node's load is 30, the other's 0: 70% of the best headroom
    limits = [e[1] for e in seen.events if e[0] == "limit"]
    assert limits[-1] == 14


def test_redis_outage_warns_once_and_keeps_deciding(redis_server, caplog):
    mw, _ = build(REDIS_URL=redis_server.url, REDIS_CONNECT_TIMEOUT="0.5")
    beat(mw)
    redis_server.kill()
    with caplog.at_level(logging.WARNING, logger="benchcrawl.middlewares.resource_aware"):
        for _ in range(3):
            beat(mw)
    assert len(caplog.records) == 1 and "cannot send node n1's heartbeat" in caplog.messages[0]
    assert mw.stats.get_value("resources/heartbeat_errors") == 3
    mw.spider_closed()  # does not raise either


def test_a_throttled_node_alone_or_least_loaded_of_a_cluster_all_over_still_leases(
    redis_server, caplog
):
    mw, seen = build(
        REDIS_URL=redis_server.url, RESOURCES_MEMORY_LIMIT="0.01", RESOURCES_MEMORY_RESUME="0"
    )
    with caplog.at_level(logging.INFO, logger="benchcrawl.middlewares.resource_aware"):
        beat(mw)
        beat(mw)
    assert mw.stats.get_value("resources/throttle_events") == 1
    assert [e for e in seen.events if e[0] != "limit"] == []  # never stopped leasing
    assert mw.leasing
    del seen.events[:]
    # a less loaded throttled node appears: this one stops, that one is served
    busy = replace(mw.status(), node="calmer", state="throttled", load=0.0)
    NodeBoard(redis_server.client(), BoardKeys("farm")).heartbeat(busy, ttl=10)
    beat(mw)
    assert [e for e in seen.events if e[0] != "limit"] == [("paused", mw.decision.reason)]
    NodeBoard(redis_server.client(), BoardKeys("farm")).leave("calmer")
    with caplog.at_level(logging.INFO, logger="benchcrawl.middlewares.resource_aware"):
        beat(mw)  # alone again: served
    assert [e for e in seen.events if e[0] != "limit"][-1] == ("resumed", None)
    assert "node n1 leases again (every node is over a limit and it is the least loaded)" in (
        caplog.messages
    )
