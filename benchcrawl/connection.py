"""benchcrawl's one Redis connection module, imported by everyone who talks to Redis.

- :func:`redis_client` / :func:`frontier_client`: clients for code on the reactor, with
  short timeouts and no hidden retries; :func:`check_redis`: one clear sentence when Redis
  cannot be reached; :func:`redact` and :func:`text` for messages and replies.
- Redis Cluster: a URL naming any node of a cluster is enough. :func:`redis_client` asks
  the server (``INFO cluster``) and, on a cluster, returns redis-py's
  :class:`~redis.cluster.RedisCluster`, which routes each command to its slot's master and
  follows ``MOVED``/``ASK``. :func:`key_scope` is what ``%(spider)s`` stands for in key
  templates: on a cluster the name as a hash tag, ``{name}``, so all of a crawl's keys hash
  to one slot and every script and transaction stays on one master; on a single Redis the
  name itself, so key names there are unchanged. :func:`one_slot` checks a set of keys
  that one script or transaction touches.
- :class:`RedisGuard` (synchronous calls that fail fast and back off) and
  :class:`RedisRetry` (awaitable calls that wait with backoff, giving up once the crawl is
  stopping), both paced by :class:`Backoff`, pure logic that takes ``now``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import ClusterDownError, RedisClusterException, TryAgainError
from redis.retry import Retry
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from benchcrawl.exceptions import ConfigError, RedisUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Redis is out of reach, for now: retried with backoff. On a cluster also while a master
# fails over (CLUSTERDOWN), a slot migrates (TRYAGAIN), or no node answers the client's
# topology refresh (RedisClusterException; a key spread over slots is caught before, by
# one_slot, so it does not end up here).
REDIS_DOWN = (
    redis.ConnectionError,
    redis.TimeoutError,
    OSError,
    ClusterDownError,
    TryAgainError,
    RedisClusterException,
)
SLOTS = 16384  # a Redis Cluster's hash slots
# any failure of a Redis call (redis-py's cluster client raises RedisClusterException,
# which is not a RedisError)
REDIS_ERRORS = (redis.RedisError, OSError, RedisClusterException)


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


def redis_client(url: str, connect_timeout: float, timeout: float, retries: int = 1) -> redis.Redis:
    """A client for code on the reactor: short timeouts and no hidden retries. redis-py's
    default retries ten times with sleeps, which would block the reactor through an
    outage; callers retry with their own backoff instead. One immediate retry (*retries*)
    is kept for a pooled socket that Redis closed (on a cluster: for a node that failed,
    after the client has re-read the cluster's slot map).

    When *url* names a node of a Redis Cluster, the client is a
    :class:`~redis.cluster.RedisCluster` (the same commands; typed as ``redis.Redis``
    here). A server that cannot be asked (down) gets a plain client, as before: the
    caller's first command fails and is retried with its backoff."""
    options: dict[str, Any] = {
        "socket_connect_timeout": connect_timeout,
        "socket_timeout": timeout,
        "health_check_interval": 30,
    }
    plain = redis.Redis.from_url(url, retry=Retry(NoBackoff(), retries), **options)
    if not _cluster_enabled(plain):
        return plain
    plain.close()
    try:
        cluster = RedisCluster.from_url(url, retry=Retry(NoBackoff(), retries), **options)
    except RedisClusterException as e:  # a db other than 0, or no node answers now
        raise RedisUnavailable(
            f"cannot use the Redis Cluster at {redact(url)} ({e}); a cluster has only "
            f"database 0, so REDIS_URL names a node as redis://HOST:PORT/0."
        ) from e
    return cast(redis.Redis, cluster)


def _cluster_enabled(client: redis.Redis) -> bool:
    """Whether the server runs in cluster mode (False when it cannot be asked)."""
    try:
        return bool(client.info("cluster").get("cluster_enabled"))
    except (redis.RedisError, OSError):
        return False


def on_cluster(server: Any) -> bool:
    """Whether *server* is a Redis Cluster client (see :func:`redis_client`)."""
    return isinstance(server, RedisCluster)


def key_scope(server: Any, name: str) -> str:
    """What ``%(spider)s`` stands for in the key templates on *server*: *name*, or on a
    Redis Cluster ``{name}``, a hash tag that puts all of the crawl's keys in one slot."""
    if not on_cluster(server):
        return name
    if "{" in name or "}" in name:
        raise ConfigError(
            f"the spider name {name!r} holds a brace, which Redis Cluster reads as a hash "
            f"tag; rename the spider to run it on a cluster."
        )
    return "{" + name + "}"


def partition_scopes(server: Any, name: str, n: int) -> list[str]:
    """What ``%(spider)s`` stands for in each of the *n* partitions of a crawl's frontier:
    partition 0 is :func:`key_scope` (so one partition is today's key names), partition
    *i* > 0 is ``name#i`` on one Redis, and on a Redis Cluster a hash tag of its own slot
    (:func:`spread_tags`)."""
    first = key_scope(server, name)
    if not on_cluster(server):
        return [first] + [f"{name}#{i}" for i in range(1, n)]
    return [first] + ["{" + tag + "}" for tag in spread_tags(name, n)[1:]]


def spread_tags(name: str, n: int) -> list[str]:
    """Hash tags for *n* partitions, one in each of n equal windows of the 16384 slots.
    ``redis-cli --cluster create`` gives each of M masters an equal run of slots, so with n
    a multiple of M every master gets n / M partitions: ``name#i`` as it falls put half of
    a 12-partition crawl on one of 3 masters (bench/cluster_scale.py). Partition 0 is
    *name* (today's tag), in whichever window its slot is; partition i > 0 takes the next
    free window, as ``name#i`` or ``name#i.k``, the smallest k whose slot lies in the
    middle half of that window (away from the edges, where masters' runs meet; about 2n
    tries). Pure: every worker finds the same tags."""
    width = SLOTS / n
    first = int(key_slot(name.encode()) // width)
    windows = [w for w in range(n) if w != first]
    tags = [name]
    for i, window in enumerate(windows, start=1):
        low, high = (window + 0.25) * width, (window + 0.75) * width
        tag = f"{name}#{i}"
        for k in range(1, 64 * n):
            if low <= key_slot(tag.encode()) < high:
                break
            tag = f"{name}#{i}.{k}"
        tags.append(tag)
    return tags


def primaries(server: Any) -> int:
    """The number of masters serving *server*'s keys: 1 on a single Redis."""
    return len(server.get_primaries()) if on_cluster(server) else 1


def server_time(server: Any, key: str) -> tuple[int, int]:
    """Redis's ``TIME`` (s, µs) on the server that holds *key*: the clock the scripts use
    for that key's deadlines (on a cluster each master has its own)."""
    if on_cluster(server):
        return server.time(target_nodes=server.get_node_from_key(key))
    return server.time()


def one_slot(server: Any, keys: list[str], what: str) -> None:
    """On a Redis Cluster, raise :class:`ConfigError` unless *keys* (all touched by one
    script or transaction of *what*) hash to one slot; nothing to check on one Redis."""
    if not on_cluster(server) or not keys:
        return
    slots = {key: key_slot(key.encode()) for key in keys}
    if len(set(slots.values())) > 1:
        first = keys[0]
        other = next(k for k in keys if slots[k] != slots[first])
        raise ConfigError(
            f"on a Redis Cluster, the keys of {what} must share one hash slot, but {first} "
            f"and {other} do not; keep %(spider)s in every key template of the crawl (it "
            f"becomes a hash tag there) or tag the keys yourself, e.g. {{name}}:requests."
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


class Backoff:
    """Exponential delays between attempts while a dependency is down: *first*, doubling,
    at most *cap*. ``outage_started`` is set for the whole outage (log once per outage)."""

    def __init__(self, first: float = 0.25, cap: float = 10.0) -> None:
        self.first = first
        self.cap = cap
        self.delay = 0.0
        self.retry_at = 0.0
        self.outage_started: float | None = None

    def ready(self, now: float) -> bool:
        return now >= self.retry_at

    def failed(self, now: float) -> bool:
        """Record a failure; True when it starts a new outage."""
        new = self.outage_started is None
        if new:
            self.outage_started = now
        self.delay = min(self.cap, self.delay * 2 if self.delay else self.first)
        self.retry_at = now + self.delay
        return new

    def succeeded(self, now: float) -> float | None:
        """Record a success; the outage's length when one just ended, else None."""
        ended = None if self.outage_started is None else now - self.outage_started
        self.outage_started = None
        self.delay = 0.0
        self.retry_at = 0.0
        return ended


def frontier_client(settings: BaseSettings) -> redis.Redis:
    """A :func:`redis_client` for ``REDIS_URL`` with the frontier's timeouts."""
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
