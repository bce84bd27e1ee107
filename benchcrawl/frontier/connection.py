"""The frontier's Redis client: short timeouts, no hidden retries (the scheduler retries
with its own backoff, without blocking the reactor in redis-py's sleeps); and
:class:`RedisRetry`, the same backoff for code that can await (the polite gate, the broad
spider's page call)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from benchcrawl.connection import redis_client
from benchcrawl.exceptions import RedisUnavailable
from benchcrawl.frontier.timing import Backoff

logger = logging.getLogger(__name__)

T = TypeVar("T")
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, OSError)


def frontier_client(settings: BaseSettings) -> redis.Redis:
    return redis_client(
        settings["REDIS_URL"],
        settings.getfloat("REDIS_CONNECT_TIMEOUT"),
        settings.getfloat("FRONTIER_REDIS_TIMEOUT"),
    )


class RedisGuard:
    """Runs synchronous Redis calls for code on the reactor. While Redis is unreachable a
    call fails fast and the guard backs off (calls in the backoff window are not even
    tried); one warning per outage, one line when it ends. *count* is called at each
    failed try (for a stat); *holding* says what the caller keeps meanwhile, for the
    warning."""

    def __init__(
        self,
        who: str,
        cap: float,
        count: Callable[[], None] | None = None,
        holding: Callable[[], str] | None = None,
    ) -> None:
        self.who = who
        self.backoff = Backoff(cap=cap)
        self.count = count
        self.holding = holding

    def attempt(self, fn: Callable[..., T], *args: Any) -> tuple[bool, T | None]:
        """``(True, fn(*args))``, or ``(False, None)`` when Redis is down or backing off."""
        now = time.monotonic()
        if not self.backoff.ready(now):
            return False, None
        try:
            result = fn(*args)
        except REDIS_DOWN as e:
            if self.count is not None:
                self.count()
            if self.backoff.failed(now):
                kept = f"; {self.holding()}" if self.holding else ""
                logger.warning("%s: lost Redis (%s)%s", self.who, e, kept)
            return False, None
        ended = self.backoff.succeeded(now)
        if ended is not None:
            logger.info("%s: Redis is back after %.1f s", self.who, ended)
        return True, result

    def __call__(self, fn: Callable[..., T], *args: Any) -> T | None:
        """``fn(*args)``, or None when Redis is down: the caller keeps its data and tries
        later."""
        return self.attempt(fn, *args)[1]


class RedisRetry(RedisGuard):
    """Await ``retry(fn, *args)``: like :class:`RedisGuard`, but for code that can wait:
    while Redis is unreachable it waits with backoff (never blocking the reactor) and
    tries again. With *stopping* (:meth:`for_crawler`: the crawler is shutting down), it
    stops waiting once that is true and raises :class:`RedisUnavailable`, so a shutdown
    is not held up by an outage (see :mod:`benchcrawl.frontier.shutdown`)."""

    def __init__(
        self,
        who: str,
        cap: float,
        count: Callable[[], None] | None = None,
        stopping: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(who, cap, count, holding=lambda: "waiting for it")
        self.stopping = stopping

    @classmethod
    def for_crawler(
        cls, crawler: Crawler, who: str, count: Callable[[], None] | None = None
    ) -> RedisRetry:
        """Backoff capped at ``FRONTIER_RETRY_MAX_DELAY``; gives up once *crawler* stops."""
        return cls(
            who,
            crawler.settings.getfloat("FRONTIER_RETRY_MAX_DELAY"),
            count,
            stopping=lambda: not crawler.crawling,
        )

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:  # type: ignore[override]
        while True:
            done, result = self.attempt(fn, *args)
            if done:
                return result  # type: ignore[return-value]
            if self.stopping is not None and self.stopping():
                raise RedisUnavailable(
                    f"{self.who}: Redis is unreachable and the crawl is stopping; gave up"
                )
            await asyncio.sleep(max(0.05, self.backoff.retry_at - time.monotonic()))
