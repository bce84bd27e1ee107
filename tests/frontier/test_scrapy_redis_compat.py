"""Coming from scrapy-redis: its spiders (``RedisSpider``, ``RedisCrawlSpider``) and its
``RedisPipeline`` run on benchcrawl's frontier with settings changes only. Start URLs
pushed to the spider's ``redis_key`` are read atomically into the leased queue
(:mod:`benchcrawl.frontier.start_urls`), deduplicated, and the crawl closes after
``MAX_IDLE_TIME_BEFORE_CLOSE`` idle seconds cluster-wide."""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from scrapy_redis.spiders import RedisSpider

from bench._farm import Farm
from benchcrawl.addons import RedisFrontierAddon
from benchcrawl.frontier.scheduler import RedisScheduler
from benchcrawl.frontier.start_urls import idle_before_close
from tests.support.project import make_project, project_env
from tests.support.redis_server import RedisServer
from tests.support.worker import scrapy_command, wait_until

SPIDER = "srfarm"

pytestmark = pytest.mark.filterwarnings(
    # scrapy-redis 0.9.1's client defaults pass retry_on_timeout, deprecated in redis-py 6
    "ignore:Call to '__init__' function with deprecated usage:DeprecationWarning"
)

# A scrapy-redis project's settings, changed only: SCHEDULER and DUPEFILTER_CLASS lines
# gone, the add-on in; REDIS_URL, MAX_IDLE_TIME_BEFORE_CLOSE and the pipeline as they were.
SETTINGS = """\
BOT_NAME = "srproj"
SPIDER_MODULES = ["srproj.spiders"]
ADDONS = {{"benchcrawl.addons.RedisFrontierAddon": 100}}
REDIS_URL = "{redis_url}"
MAX_IDLE_TIME_BEFORE_CLOSE = 6
ITEM_PIPELINES = {{"scrapy_redis.pipelines.RedisPipeline": 300}}
CONCURRENT_REQUESTS = 8
FRONTIER_IDLE_POLL_INTERVAL = 0.5
LOG_LEVEL = "INFO"
"""

SPIDER_MODULE = """\
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import Rule
from scrapy_redis.spiders import RedisCrawlSpider


class FarmSpider(RedisCrawlSpider):
    name = "srfarm"
    redis_key = "srfarm:start_urls"
    rules = (Rule(LinkExtractor(), callback="parse_page", follow=True),)

    def parse_start_url(self, response):
        return self.parse_page(response)

    def parse_page(self, response):
        return {"url": response.url, "job": response.meta.get("job")}
"""


# --- a whole crawl: two workers, the start URL pushed after they start --------------------
@pytest.mark.slow  # an nginx farm, a redis-server and two scrapy processes
@pytest.mark.timeout(180)
@pytest.mark.parametrize("form", ["url", "json"])
def test_a_redis_crawl_spider_with_its_pipeline_runs_on_the_frontier(
    form: str, make_farm, scrapy_process, tmp_path: Path, redis_server: RedisServer
) -> None:
    farm: Farm = make_farm(200)
    project = make_project(
        tmp_path / "srproj",
        "srproj",
        SETTINGS.format(redis_url=redis_server.url),
        {"farm": SPIDER_MODULE},
    )
    workers = [
        scrapy_process(f"worker{i}", scrapy_command("crawl", SPIDER), project_env(project), project)
        for i in range(2)
    ]
    for w in workers:
        assert wait_until(lambda w=w: "reading start URLs from" in w.log, 60), w.log[-3000:]
    r = redis_server.client()
    start = farm.url(0)
    entry = json.dumps({"url": start, "meta": {"job": "j-1"}}) if form == "json" else start
    r.lpush(f"{SPIDER}:start_urls", entry)
    for w in workers:  # both close by themselves, MAX_IDLE_TIME_BEFORE_CLOSE after the end
        assert w.wait(120) == 0, w.log[-3000:]
    fetches = farm.fetches()
    assert set(fetches) == {f"/p/{i}.html" for i in range(farm.pages)}
    assert max(fetches.values()) == 1, fetches.most_common(3)  # a link back to p/0 too
    items = [json.loads(x) for x in r.lrange(f"{SPIDER}:items", 0, -1)]
    per_page = Counter(item["url"] for item in items)
    assert set(per_page) == {farm.url(i) for i in range(farm.pages)}
    assert max(per_page.values()) == 1
    assert {i["url"]: i["job"] for i in items}[start] == ("j-1" if form == "json" else None)
    assert r.llen(f"{SPIDER}:start_urls") == 0
    assert sum(w.stat("frontier/start_urls/taken") for w in workers) == 1
    for w in workers:
        assert "Traceback" not in w.log
        assert "'finish_reason': 'finished'" in w.log


# --- in-process: the start key, the spider's own reading, the idle close -------------------
class StartSpider(RedisSpider):
    name = "srunit"
    redis_key = "srunit:start_urls"

    def parse(self, response: Any) -> None:
        pass


def open_scheduler(redis_url: str, **settings: Any) -> tuple[RedisScheduler, Any]:
    crawler = get_crawler(
        StartSpider,
        {
            "ADDONS": {RedisFrontierAddon: 100},
            "REDIS_URL": redis_url,
            "FRONTIER_LEASE_BATCH": 20,
            **settings,
        },
    )
    crawler.spider = StartSpider.from_crawler(crawler)
    scheduler = build_from_crawler(RedisScheduler, crawler)
    crawler.engine = SimpleNamespace(crawl=scheduler.enqueue_request, _slot=None)
    scheduler.open(crawler.spider)
    return scheduler, crawler


def test_start_entries_are_queued_atomically_and_expanded_with_the_spiders_method(
    redis_url: str, redis_server: RedisServer
) -> None:
    r = redis_server.client()
    urls = [f"http://127.0.0.1:9/p/{i}.html" for i in range(3)]
    r.lpush("srunit:start_urls", *urls, json.dumps({"url": urls[0]}), json.dumps({"meta": {}}))
    scheduler, crawler = open_scheduler(redis_url)
    try:
        # open took the whole key (batch = CONCURRENT_REQUESTS) into the queue, nothing lost
        assert r.llen("srunit:start_urls") == 0
        assert r.zcard("srunit:requests") == 5
        assert list(crawler.spider.next_requests()) == []  # its own destructive pop is off
        got = [scheduler.next_request() for _ in range(5)]
        scheduler._flush_all()
        got += [scheduler.next_request() for _ in range(5)]
        urls_got = sorted(req.url for req in got if req is not None)
        assert urls_got == sorted(urls)  # the JSON copy of p/0 was a duplicate
        assert all(not req.dont_filter for req in got if req is not None)
        failed = {k.decode(): json.loads(v) for k, v in r.hgetall("srunit:requests:failed").items()}
        assert [f["reason"] for f in failed.values()] == [
            "start URL entry: make_request_from_data made no request of it"
        ]
        assert crawler.stats.get_value("frontier/dedup/hits") == 1
    finally:
        scheduler.close("finished")


def test_a_start_entry_leased_by_a_worker_that_dies_is_crawled_by_another(
    redis_url: str, redis_server: RedisServer
) -> None:
    r = redis_server.client()
    r.lpush("srunit:start_urls", "http://127.0.0.1:9/start.html")
    first, _ = open_scheduler(redis_url, FRONTIER_LEASE_TIME=0.3)
    rows = first.queue.lease(10, 300)  # leased, then the worker dies before expanding it
    assert [lease[0] for lease, _ in rows] == ["s"]
    first.loop.stop()  # type: ignore[union-attr]
    first.dupefilter.server.close()
    time.sleep(0.4)
    second, _ = open_scheduler(redis_url, FRONTIER_LEASE_TIME=30)
    try:
        assert second.cluster is not None and second.cluster.reclaimed == 1
        request = second.next_request()  # the entry: expanded, its request queued
        assert request is None and second.outbox
        request = second.next_request()  # committed with the entry's ack, then leased
        assert request is not None and request.url == "http://127.0.0.1:9/start.html"
    finally:
        second.close("finished")


def test_max_idle_time_before_close_is_the_idle_close() -> None:
    for value, wait in ((0, math.inf), ("7", 7.0)):
        crawler = get_crawler(StartSpider, {"MAX_IDLE_TIME_BEFORE_CLOSE": value})
        spider = StartSpider.from_crawler(crawler)
        assert idle_before_close(spider, crawler.settings) == wait
        spider.server.close()


def test_start_entries_wait_in_partition_0_and_their_requests_spread(
    redis_url: str, redis_server: RedisServer
) -> None:
    """With partitions, the start key feeds partition 0 (bare start-entry ids, as ever); the
    requests made of the entries go to the partitions of their fingerprints."""
    r = redis_server.client()
    urls = [f"http://127.0.0.1:9/p/{i}.html" for i in range(12)]
    r.lpush("srunit:start_urls", *urls)
    scheduler, _ = open_scheduler(redis_url, FRONTIER_PARTITIONS=3)
    try:
        assert r.zcard("srunit:requests") == 12  # the entries, in partition 0
        got = []
        for _ in range(40):  # bounded: the entries are expanded, then their requests leased
            request = scheduler.next_request()
            if request is not None:
                got.append(request.url)
            if len(got) == len(urls):
                break
        assert sorted(got) == sorted(urls)
        dedup = [r.scard(f"srunit{p}:dupefilter") for p in ("", "#1", "#2")]
        assert sum(dedup) == 12 and all(dedup), dedup
    finally:
        scheduler.close("finished")
        r.close()
