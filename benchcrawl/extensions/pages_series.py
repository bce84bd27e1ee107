"""A worker's pages/min series in Redis, for the monitor's chart of the last hour.

Every ``MONITOR_SERIES_INTERVAL`` s (in a thread: Redis is not called on the reactor) the
worker adds ``"<unix s>:<pages/min>"`` to ``MONITOR_SERIES_KEY``, drops samples older than
``MONITOR_SERIES_WINDOW`` and sets the key to expire that long after. The node id is the
resource-aware middleware's (:func:`benchcrawl.identity.node_id`). Needs ``REDIS_URL``.
"""

from __future__ import annotations

import logging
import time

import redis
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task, threads

from benchcrawl.connection import frontier_client, key_scope
from benchcrawl.identity import node_id
from benchcrawl.resources.throttle import RateWindow

logger = logging.getLogger(__name__)


class PagesSeries:
    def __init__(self, client: redis.Redis, key: str, interval: float, window: int) -> None:
        self.client = client
        self.key = key
        self.interval = interval
        self.window = window
        self.rate = RateWindow(60.0)
        self.started = time.time()
        self.loop: task.LoopingCall | None = None
        self.failing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PagesSeries:
        s = crawler.settings
        # off without Redis (one machine) or with heartbeats off: the expected states, so no
        # reason is given and Scrapy logs no warning for them
        if not s.get("REDIS_URL"):
            raise NotConfigured
        if not s.getbool("RESOURCES_ENABLED") or s.getfloat("MONITOR_SERIES_INTERVAL") <= 0:
            raise NotConfigured
        assert crawler.spidercls is not None
        node = node_id(s)
        client = frontier_client(s)
        scope = key_scope(client, crawler.spidercls.name)
        key = s["MONITOR_SERIES_KEY"] % {"spider": scope, "node": node}
        ext = cls(
            client,
            key,
            s.getfloat("MONITOR_SERIES_INTERVAL"),
            s.getint("MONITOR_SERIES_WINDOW"),
        )
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self) -> None:
        self.rate.add(time.time())

    def spider_opened(self) -> None:
        self.started = time.time()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def tick(self) -> None:
        now = time.time()
        ppm = round(self.rate.per_minute(now, since=self.started), 1)
        d = threads.deferToThread(self.write, now, ppm)
        d.addErrback(self._failed)

    def write(self, now: float, ppm: float) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(self.key, {f"{int(now)}:{ppm}": now})
        pipe.zremrangebyscore(self.key, "-inf", now - self.window)
        pipe.expire(self.key, self.window)
        pipe.execute()
        if self.failing:
            logger.info("the monitor's pages/min series reaches Redis again")
            self.failing = False

    def _failed(self, failure: object) -> None:
        if not self.failing:
            logger.warning("could not write the monitor's pages/min series: %s", failure)
            self.failing = True
