"""Redis connections, with one clear sentence when Redis cannot be reached."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from benchcrawl.exceptions import RedisUnavailable


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def text(reply: object) -> str:
    """A Redis reply (bytes from the clients here; str if decoding is on) as text."""
    if isinstance(reply, bytes):
        return reply.decode()
    if isinstance(reply, str):
        return reply
    raise TypeError(f"expected a Redis string reply, got {type(reply).__name__}")


def redis_client(
    url: str, connect_timeout: float, timeout: float, retries: int = 1
) -> redis.Redis:
    """A client for code on the reactor: short timeouts and no hidden retries. redis-py's
    default retries ten times with sleeps, which would block the reactor through an
    outage; callers retry with their own backoff instead. One immediate retry (*retries*)
    is kept for a pooled socket that Redis closed."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=connect_timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), retries),
        health_check_interval=30,
    )


def check_redis(url: str, timeout: float) -> None:
    """Ping Redis at *url*; raise :class:`RedisUnavailable` within about *timeout* seconds."""
    try:
        client = redis_client(url, timeout, timeout, retries=0)
        client.ping()
        client.close()
    except (redis.RedisError, OSError, ValueError) as e:
        reason = str(e).strip().rstrip(".") or type(e).__name__
        raise RedisUnavailable(
            f"cannot reach Redis at {redact(url)} ({reason}); start Redis or fix REDIS_URL."
        ) from e
