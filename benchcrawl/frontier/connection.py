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
from scrapy.settings import BaseSettings

from benchcrawl.connection import redis_client
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


class RedisRetry:
    """Await ``retry(fn, *args)``: run a synchronous Redis call; while Redis is unreachable,
    wait with backoff (never blocking the reactor) and try again. One warning per outage,
    one line when it ends; *count* is called at each failed try (for a stat)."""

    def __init__(self, who: str, cap: float, count: Callable[[], None] | None = None) -> None:
        self.who = who
        self.backoff = Backoff(cap=cap)
        self.count = count

    async def __call__(self, fn: Callable[..., T], *args: Any) -> T:
        while True:
            now = time.monotonic()
            if self.backoff.ready(now):
                try:
                    result = fn(*args)
                except REDIS_DOWN as e:
                    if self.count is not None:
                        self.count()
                    if self.backoff.failed(now):
                        logger.warning("%s: lost Redis (%s); waiting for it", self.who, e)
                else:
                    ended = self.backoff.succeeded(now)
                    if ended is not None:
                        logger.info("%s: Redis is back after %.1f s", self.who, ended)
                    return result
            await asyncio.sleep(max(0.05, self.backoff.retry_at - time.monotonic()))
