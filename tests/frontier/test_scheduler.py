"""The scheduler built the way Scrapy builds it, in-process against a real Redis: the
resource signals (a lease limit, no leasing while paused) and SCHEDULER_PERSIST=False."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from benchcrawl import settings as project_settings
from benchcrawl import signals as bc_signals
from benchcrawl.frontier.lease import LEASE_KEY
from benchcrawl.frontier.scheduler import RedisScheduler

PROJECT = {k: v for k, v in vars(project_settings).items() if k.isupper()}


class FarmSpider(Spider):
    name = "farm"

    def parse(self, response: Any) -> None:
        pass


def open_scheduler(redis_url: str, **settings: Any) -> tuple[RedisScheduler, Any]:
    crawler = get_crawler(FarmSpider, {**PROJECT, "REDIS_URL": redis_url, **settings})
    crawler.spider = FarmSpider.from_crawler(crawler)
    crawler.engine = SimpleNamespace(crawl=lambda request: None)  # only read at leasing
    scheduler = build_from_crawler(RedisScheduler, crawler)
    scheduler.open(crawler.spider)
    return scheduler, crawler


def fill(scheduler: RedisScheduler, count: int) -> None:
    for i in range(count):
        assert scheduler.enqueue_request(Request(f"http://127.0.0.1/p/{i}"))
    scheduler._flush_all()


def take(scheduler: RedisScheduler, most: int) -> list[Request]:
    """What the engine would get asking *most* times without finishing any request."""
    got = []
    for _ in range(most):
        scheduler.lease_after = 0.0  # no idle-poll pause between the asks of this test
        request = scheduler.next_request()
        if request is not None:
            got.append(request)
    return got


def test_a_lease_limit_caps_the_requests_a_worker_holds(redis_url):
    scheduler, crawler = open_scheduler(redis_url, FRONTIER_LEASE_BATCH=4)
    try:
        fill(scheduler, 40)
        crawler.signals.send_catch_log(signal=bc_signals.lease_limit_changed, limit=6)
        first = take(scheduler, 30)
        assert len(first) == 6 and len(scheduler.held) == 6
        for request in first[:2]:  # two finish: room for two more, no more
            scheduler.finish(request.meta[LEASE_KEY], None)
        assert len(take(scheduler, 30)) == 2
        crawler.signals.send_catch_log(signal=bc_signals.lease_limit_changed, limit=0)
        assert len(take(scheduler, 30)) == 30  # 0 lifts the limit
        state = scheduler.queue.maintain([], 30_000, 300_000)
        assert state.queued + len(scheduler.buffer) == 40 - 6 - 2 - 30  # nothing lost
    finally:
        scheduler.loop.stop()


def test_no_leasing_while_paused_and_held_requests_still_served(redis_url):
    scheduler, crawler = open_scheduler(redis_url, FRONTIER_LEASE_BATCH=4)
    try:
        fill(scheduler, 20)
        assert scheduler.next_request() is not None  # leases a batch of 4, serves one
        crawler.signals.send_catch_log(signal=bc_signals.leasing_paused, reason="cpu 97% >= 90%")
        assert len(take(scheduler, 10)) == 3  # the rest of the batch it already held
        assert scheduler.queue.maintain([], 30_000, 300_000).queued == 16
        crawler.signals.send_catch_log(signal=bc_signals.leasing_resumed)
        assert len(take(scheduler, 10)) == 10
    finally:
        scheduler.loop.stop()


def test_persist_off_deletes_shared_state_only_when_the_last_worker_finishes(redis_server):
    settings = {"SCHEDULER_PERSIST": "False"}
    a, _ = open_scheduler(redis_server.url, **settings)
    b, _ = open_scheduler(redis_server.url, **settings)
    fill(a, 3)
    for request in take(b, 3):
        b.finish(request.meta[LEASE_KEY], None)
    b._flush_all()
    for s in (a, b):
        s._maintain()  # both heartbeat; nothing queued or leased
    r = redis_server.client()
    assert r.exists(a.dupefilter.key)
    a.loop.stop()
    a.close("finished")  # b is alive: its crawl state must stay
    assert r.exists(a.dupefilter.key) and r.zcard(a.queue.keys.workers) == 1
    b.loop.stop()
    b.close("shutdown")  # the last one, but stopped, not finished: the crawl may go on
    assert r.exists(a.dupefilter.key)
    c, _ = open_scheduler(redis_server.url, **settings)
    c.loop.stop()
    c.close("finished")  # the last one out of a finished crawl
    assert r.keys("farm:*") == []
