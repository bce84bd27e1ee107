"""Start URLs of scrapy-redis spiders (``RedisSpider``, ``RedisCrawlSpider``) on the frontier.

A scrapy-redis spider reads its ``redis_key`` itself: it pops a batch (``LRANGE`` +
``LTRIM``, ``SPOP``) in ``start_requests`` and in its ``spider_idle`` handler, and queues
the requests afterwards, so a worker that dies in between loses them; and its handler only
runs once the engine is idle, which the frontier's cluster-wide ``has_pending_requests``
holds off until the idle close. So the scheduler takes the key over, with the spider's
own settings and methods:

1. Intake (``lua/start_urls.lua``, every ``FRONTIER_IDLE_POLL_INTERVAL``, on any worker):
   in one call, up to ``redis_batch_size`` entries leave the key and enter the leased queue
   as *start entries*, ahead of every request (``START_PRIORITY``). Nothing is popped that is
   not queued in the same call.
2. The worker that leases a start entry builds its requests with the spider's
   ``make_request_from_data`` (a URL, or scrapy-redis's JSON ``{"url", "meta", "method",
   ...}``), queues them, then acks the entry: its new requests precede the ack, as for any
   page. A worker that dies first: the lease expires and another worker expands it.
3. The requests are deduplicated like any other (``FRONTIER_START_URLS_DEDUP``; scrapy-redis
   makes them ``dont_filter``, so a link back to a start page would be fetched again).
4. The spider's own reading is switched off (its ``fetch_data`` returns nothing, its
   ``spider_idle`` handler is disconnected); the spider closes by the frontier's idle close,
   after ``MAX_IDLE_TIME_BEFORE_CLOSE`` idle seconds cluster-wide (0: never), with an empty
   start key counted as part of idle.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import redis
from scrapy import Request, Spider, signals
from scrapy.settings import BaseSettings
from scrapy.signalmanager import SignalManager

from benchcrawl.connection import key_scope, on_cluster, one_slot
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.frontier.scripts import register
from benchcrawl.stats import inc

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from benchcrawl.frontier.serialize import RequestCodec

logger = logging.getLogger(__name__)

START_PRIORITY = 1_000_000_000  # start entries are expanded before any request is fetched
ENTRY_PREFIX = "s"  # ids of start entries; request ids are hex digits only


def reads_start_key(spider: Spider) -> bool:
    """A scrapy-redis spider (``scrapy_redis.spiders.RedisMixin``), told by what it has."""
    return isinstance(getattr(spider, "redis_key", None), str) and callable(
        getattr(spider, "make_request_from_data", None)
    )


def start_kind(settings: BaseSettings) -> str:
    """The start key's Redis type, chosen as scrapy-redis chooses it."""
    if settings.getbool("REDIS_START_URLS_AS_SET"):
        return "set"
    if settings.getbool("REDIS_START_URLS_AS_ZSET"):
        return "zset"
    return "list"


def is_entry(lease: str) -> bool:
    return lease.startswith(ENTRY_PREFIX)


def entry_data(data: bytes) -> bytes:
    """The start key's entry held in a start entry's JSON, byte for byte (Redis's cjson
    copies bytes that are not UTF-8 as they are; surrogateescape carries them through)."""
    try:
        stored = json.loads(data.decode("utf-8", "surrogateescape"))
    except ValueError as e:
        raise ValueError(f"not JSON: {e}") from e
    if not isinstance(stored, dict) or not isinstance(stored.get("start"), str):
        raise ValueError("not a start entry")
    return stored["start"].encode("utf-8", "surrogateescape")


def _nothing(key: str, count: int) -> list[bytes]:
    return []


@dataclass(frozen=True)
class Intake:
    moved: int
    left: int


class StartUrls:
    """The start key of one scrapy-redis spider, read by the frontier."""

    def __init__(
        self, server: redis.Redis, spider: Spider, keys: FrontierKeys, kind: str, batch: int
    ) -> None:
        self.server = server
        self.spider = spider
        self.key: str = spider.redis_key  # type: ignore[attr-defined]
        self.keys = keys
        self.kind = kind
        self.batch = max(1, batch)
        self._intake = register(server, "start_urls")

    @classmethod
    def take_over(
        cls,
        server: redis.Redis,
        spider: Spider,
        keys: FrontierKeys,
        settings: BaseSettings,
        signal_manager: SignalManager,
    ) -> StartUrls:
        """Read *spider*'s start key from now on, and switch its own reading off. On a Redis
        Cluster the default key takes the frontier's hash tag (``{name}:start_urls``): the
        intake moves entries in one script, so the key must share the queue's slot."""
        if on_cluster(server):
            default = settings["REDIS_START_URLS_KEY"]
            if spider.redis_key == default % {"name": spider.name}:  # type: ignore[attr-defined]
                spider.redis_key = default % {"name": key_scope(server, spider.name)}  # type: ignore[attr-defined]
            try:
                one_slot(server, [spider.redis_key, keys.queue], "a spider's start URLs")  # type: ignore[attr-defined]
            except ConfigError as e:
                raise ConfigError(
                    f"on a Redis Cluster, {spider.name}'s redis_key "
                    f"{spider.redis_key} must share the frontier's hash slot ({keys.queue}); "  # type: ignore[attr-defined]
                    f"name it {key_scope(server, spider.name)}:start_urls (or leave it "
                    f"unset) and push start URLs there."
                ) from e
        spider.fetch_data = _nothing  # type: ignore[attr-defined]
        handler = getattr(spider, "spider_idle", None)
        if handler is not None:
            signal_manager.disconnect(handler, signal=signals.spider_idle)
        batch = getattr(spider, "redis_batch_size", None) or settings.getint("CONCURRENT_REQUESTS")
        return cls(server, spider, keys, start_kind(settings), int(batch))

    def take(self) -> Intake:
        """Move a batch of entries from the start key into the queue (one Lua call)."""
        k = self.keys
        moved, left = self._intake(
            keys=[self.key, k.queue, k.data, k.seq], args=[self.kind, self.batch, START_PRIORITY]
        )
        if int(moved) < 0:
            held = left.decode() if isinstance(left, bytes) else str(left)
            raise ConfigError(
                f"Redis key {self.key} (the spider's redis_key) holds a {held}, but the "
                f"settings read it as a {self.kind}; set REDIS_START_URLS_AS_SET or "
                f"REDIS_START_URLS_AS_ZSET to match, or push start URLs with "
                f"{'LPUSH' if self.kind == 'list' else 'SADD' if self.kind == 'set' else 'ZADD'}."
            )
        return Intake(int(moved), int(left))

    def expand(self, data: bytes, dedup: bool) -> list[Request]:
        """The requests of one start entry, made by the spider's ``make_request_from_data``;
        ValueError when it makes none (scrapy-redis's JSON form without a ``url``)."""
        made: Any = self.spider.make_request_from_data(entry_data(data))  # type: ignore[attr-defined]
        requests = [made] if isinstance(made, Request) else list(_requests(made))
        if not requests:
            raise ValueError("make_request_from_data made no request of it")
        if dedup:
            requests = [r.replace(dont_filter=False) if r.dont_filter else r for r in requests]
        return requests


def _requests(made: Any) -> Iterable[Request]:
    if not made:
        return []
    if not isinstance(made, Iterable):
        raise ValueError(f"make_request_from_data returned a {type(made).__name__}")
    out = []
    for r in made:
        if not isinstance(r, Request):
            raise ValueError(f"make_request_from_data yielded a {type(r).__name__}")
        out.append(r)
    return out


class StartUrlFeed:
    """The scheduler's side of a start key: when to take the next batch (every *poll* s),
    how many entries the key still holds (pending work, for the idle close), and the
    requests of a leased start entry, each checked storable before any is queued."""

    def __init__(
        self, starts: StartUrls, dedup: bool, poll: float, stats: StatsCollector | None
    ) -> None:
        self.starts = starts
        self.dedup = dedup
        self.poll = poll
        self.stats = stats
        self.next_at = 0.0  # monotonic time of the next intake
        self.left = 0  # entries left in the start key at the last intake

    def due(self, now: float) -> bool:
        """Whether an intake is due at *now*; if so, the next one is *poll* s later."""
        if now < self.next_at:
            return False
        self.next_at = now + self.poll
        return True

    def take(self) -> int:
        """Move a batch from the start key into the queue; how many entries moved."""
        intake = self.starts.take()
        self.left = intake.left
        if intake.moved:
            logger.debug("took %d start URLs from %s", intake.moved, self.starts.key)
            inc(self.stats, "frontier/start_urls/taken", intake.moved)
        return intake.moved

    def requests(self, data: bytes, codec: RequestCodec) -> list[Request]:
        """The requests of one leased start entry; an error (ValueError, or the codec's
        refusal) when it makes none or one that could not be queued."""
        requests = self.starts.expand(data, self.dedup)
        for request in requests:
            codec.encode(request)  # refused here, the entry is kept as failed
        inc(self.stats, "frontier/start_urls/requests", len(requests))
        return requests


def idle_before_close(spider: Spider, settings: BaseSettings) -> float:
    """scrapy-redis's ``MAX_IDLE_TIME_BEFORE_CLOSE`` (or the spider's ``max_idle_time``) as
    the frontier's cluster-wide idle close: seconds, and 0 for never (infinity)."""
    wait = getattr(spider, "max_idle_time", None)
    if wait is None:
        wait = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE")
    try:
        seconds = float(wait)
    except (TypeError, ValueError) as e:
        raise ConfigError(
            f"MAX_IDLE_TIME_BEFORE_CLOSE is {wait!r}; give seconds (0: never)."
        ) from e
    return seconds if seconds > 0 else math.inf
