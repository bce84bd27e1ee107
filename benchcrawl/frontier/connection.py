"""The frontier's Redis client: short timeouts, no hidden retries (the scheduler retries
with its own backoff, without blocking the reactor in redis-py's sleeps)."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy.settings import BaseSettings


def frontier_client(settings: BaseSettings) -> redis.Redis:
    return redis.Redis.from_url(
        settings["REDIS_URL"],
        socket_connect_timeout=settings.getfloat("REDIS_CONNECT_TIMEOUT"),
        socket_timeout=settings.getfloat("FRONTIER_REDIS_TIMEOUT"),
        retry=Retry(NoBackoff(), 1),  # one immediate retry: a pooled socket Redis closed
        health_check_interval=30,
    )
