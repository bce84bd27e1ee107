"""Which requests the frontier has seen: fingerprints in a Redis set (exact) or bitmap (Bloom).

The scheduler does not ask per request: it sends each batch's fingerprints with the batch
(one Lua call marks them and queues the new ones). This class computes what is sent, sets
the filter up, and answers a lone ``request_seen`` for code that needs the classic API.

The exact set holds a 12-byte (96-bit) BLAKE2b digest of each request fingerprint, not the
fingerprint itself: a Redis set member of up to 12 bytes takes a 16-byte allocation, a
20-byte SHA1 a 32-byte one, so the set costs 16 bytes less per URL. Two of a billion URLs
share a digest with a chance of 6e-12. A set an older version filled with whole
fingerprints (20 bytes) is recognised by its members and kept as it is, until purged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from benchcrawl.connection import frontier_client, key_scope, one_slot, text
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.bloom import BloomShape
from benchcrawl.frontier.partitions import route
from benchcrawl.frontier.scripts import register

logger = logging.getLogger(__name__)

MODES = ("exact", "bloom")
EXACT_BYTES = 12  # bytes of the digest an exact set keeps per fingerprint


@dataclass(frozen=True)
class DedupQuery:
    """What a Lua script that marks fingerprints seen takes for some requests (``mark_seen``
    in ``lua/_lib.lua``): the dedup mode, the width of one item and one item per request."""

    mode: str
    width: int
    items: list[list[Any]]
    partitions: list[int] = field(default_factory=list)  # per item, its frontier partition


class RedisDupeFilter(BaseDupeFilter):
    def __init__(
        self,
        server: redis.Redis,
        key: str,
        fingerprinter: Any,
        mode: str = "exact",
        bloom: BloomShape | None = None,
    ) -> None:
        if mode not in MODES:
            raise ConfigError(f"FRONTIER_DEDUP is {mode!r}; use one of {', '.join(MODES)}.")
        if mode == "bloom" and bloom is None:
            raise ValueError("the bloom mode needs a BloomShape")
        self.server = server
        self.key = key
        self.fingerprinter = fingerprinter
        self.mode = mode
        self.bloom = bloom
        self.params_key = f"{key}:bloom"
        self.whole = False  # an older version's set of whole fingerprints (see open)
        self.keys = [key]  # one per frontier partition (see partition)
        self.route_key: Callable[[str, bytes], bytes] | None = None  # the queue's, see partition
        one_slot(server, [key, self.params_key], "the dupefilter")
        self._seen = register(server, "seen")

    def partition(
        self,
        keys: list[str],
        bloom: BloomShape | None,
        route_key: Callable[[str, bytes], bytes] | None = None,
    ) -> None:
        """Keep the fingerprints in *keys*, one per frontier partition, each request's in
        the key of the partition its queue sends it to (*route_key* of its URL and
        fingerprint, the queue class's; its fingerprint when None, see
        :func:`~benchcrawl.frontier.partitions.route`); a Bloom filter per partition is of
        *bloom*'s shape (the capacity shared out)."""
        for key in keys:
            one_slot(self.server, [key, f"{key}:bloom"], "the dupefilter")
        self.keys = keys
        self.route_key = route_key
        if self.mode == "bloom":
            self.bloom = bloom

    def partition_of(self, url: str, fingerprint: bytes) -> int:
        """The partition whose key holds the fingerprint of a request of *url*."""
        if len(self.keys) == 1:
            return 0
        key = self.route_key(url, fingerprint) if self.route_key else fingerprint
        return route(key, len(self.keys))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisDupeFilter:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            raise NotConfigured("the Redis dupefilter needs REDIS_URL")
        assert crawler.spider is not None
        server = frontier_client(settings)
        return cls(
            server,
            settings["SCHEDULER_DUPEFILTER_KEY"]
            % {"spider": key_scope(server, crawler.spider.name)},
            crawler.request_fingerprinter,
            **dedup_options(settings),
        )

    # --- what the scheduler sends --------------------------------------------------------
    def fingerprint(self, request: Request) -> bytes:
        return self.fingerprinter.fingerprint(request)

    def key_of(self, fingerprint: bytes) -> list[Any]:
        """What ``mark_seen`` in ``lua/_lib.lua`` takes for one item: the fingerprint, or
        its k Bloom bit positions (sent as decimal strings: Redis's Lua is slow to turn
        numbers into command arguments)."""
        if self.mode == "bloom":
            assert self.bloom is not None
            return self.bloom.positions(fingerprint)
        if self.whole:
            return [fingerprint]
        return [hashlib.blake2b(fingerprint, digest_size=EXACT_BYTES).digest()]

    @property
    def width(self) -> int:
        """Arguments per item: the k Bloom bit positions, or the one fingerprint."""
        return self.bloom.hashes if self.mode == "bloom" and self.bloom else 1

    def query(self, requests: Iterable[Request]) -> DedupQuery:
        """The dedup items of *requests*, for a script that checks them with other work in
        the same call (the broad crawl's page check)."""
        if len(self.keys) == 1:  # one partition: nothing to route
            items = [self.key_of(self.fingerprint(r)) for r in requests]
            return DedupQuery(self.mode, self.width, items)
        items, partitions = [], []
        for request in requests:
            fingerprint = self.fingerprint(request)
            items.append(self.key_of(fingerprint))
            partitions.append(self.partition_of(request.url, fingerprint))
        return DedupQuery(self.mode, self.width, items, partitions)

    # --- set-up --------------------------------------------------------------------------
    def open(self) -> None:
        """Check the stored filter matches the settings; create the Bloom bitmap once, at
        its full size (growing it bit by bit would over-allocate by up to 1 MB)."""
        for key in self.keys:
            self._open(key, f"{key}:bloom")

    def _open(self, key: str, params_key: str) -> None:
        kind = text(self.server.type(key))
        want = "set" if self.mode == "exact" else "string"
        if kind not in ("none", want):
            raise ConfigError(
                f"Redis key {key} holds a {kind}, but FRONTIER_DEDUP={self.mode} needs a "
                f"{want}; purge the frontier (scrapy frontier SPIDER --purge) or change the "
                f"setting back."
            )
        if self.mode != "bloom":
            sample = self.server.srandmember(key) if kind == "set" else None
            whole = isinstance(sample, bytes) and len(sample) != EXACT_BYTES
            self.whole = self.whole or whole
            if whole:
                logger.info(
                    "the exact dedup set %s holds whole fingerprints (an older version's); "
                    "kept that way until the frontier is purged",
                    key,
                )
            return
        assert self.bloom is not None
        shape = {"bits": str(self.bloom.bits), "hashes": str(self.bloom.hashes)}
        self.server.hsetnx(params_key, "bits", shape["bits"])
        self.server.hsetnx(params_key, "hashes", shape["hashes"])
        stored = {text(k): text(v) for k, v in self.server.hgetall(params_key).items()}
        if stored != shape:
            raise ConfigError(
                f"the Bloom filter at {key} was made with {stored['bits']} bits and "
                f"{stored['hashes']} hashes, but FRONTIER_BLOOM_CAPACITY and "
                f"FRONTIER_BLOOM_ERROR_RATE now give {shape['bits']} and {shape['hashes']}; "
                f"set them back, or purge the frontier to start a new filter."
            )
        if self.server.set(key, bytes(self.bloom.nbytes), nx=True):
            logger.info(
                "created a Bloom filter of %d KiB (%d hashes) at %s",
                self.bloom.nbytes // 1024,
                self.bloom.hashes,
                key,
            )

    # --- the classic API -----------------------------------------------------------------
    def request_seen(self, request: Request) -> bool:
        return not self.mark([self.fingerprint(request)], urls=[request.url])[0]

    def mark(
        self, fingerprints: list[bytes], readonly: bool = False, urls: list[str] | None = None
    ) -> list[bool]:
        """Mark fingerprints seen in one call per partition (or only look, with
        *readonly*); per fingerprint, True when it was new. A queue that routes by more
        than the fingerprint (the polite queue, by domain) needs the requests' *urls*."""
        if self.route_key is not None and len(self.keys) > 1 and urls is None:
            raise ValueError("this dupefilter routes by URL: give the requests' urls")
        groups: dict[int, list[int]] = {}
        for j, fp in enumerate(fingerprints):
            groups.setdefault(self.partition_of(urls[j] if urls else "", fp), []).append(j)
        new = [False] * len(fingerprints)
        for i, members in groups.items():
            args: list[Any] = [self.mode, "1" if readonly else "0", self.width]
            for j in members:
                args += self.key_of(fingerprints[j])
            for j, x in zip(members, self._seen(keys=[self.keys[i]], args=args), strict=True):
                new[j] = bool(x)
        return new

    def seen_count(self) -> int:
        """Fingerprints stored (exact), or the Bloom filter's estimate of them."""
        if self.mode == "exact":
            return sum(int(self.server.scard(key)) for key in self.keys)
        assert self.bloom is not None
        return sum(self.bloom.estimate_items(int(self.server.bitcount(key))) for key in self.keys)

    def close(self, reason: str) -> None:
        self.server.close()


def dedup_options(settings: BaseSettings, partitions: int = 1) -> dict[str, Any]:
    """The dupefilter's mode and Bloom shape; with *partitions*, the shape of each
    partition's filter, which holds its share of ``FRONTIER_BLOOM_CAPACITY``."""
    mode = settings.get("FRONTIER_DEDUP")
    if mode not in MODES:
        raise ConfigError(f"FRONTIER_DEDUP is {mode!r}; use one of {', '.join(MODES)}.")
    bloom = None
    if mode == "bloom":
        try:
            bloom = BloomShape.for_capacity(
                -(-settings.getint("FRONTIER_BLOOM_CAPACITY") // partitions),
                settings.getfloat("FRONTIER_BLOOM_ERROR_RATE"),
            )
        except ValueError as e:
            raise ConfigError(f"FRONTIER_BLOOM_CAPACITY/FRONTIER_BLOOM_ERROR_RATE: {e}.") from e
    return {"mode": mode, "bloom": bloom}


def stored_seen(server: redis.Redis, keys: list[str]) -> tuple[int, str]:
    """What the dedup keys of a crawl's partitions hold, for reports: the fingerprints of
    the exact sets, or the Bloom filters' estimate (``"bloom estimate"``), summed."""
    total, kinds = 0, set()
    for key in keys:
        kind = text(server.type(key))
        if kind == "set":
            total += int(server.scard(key))
            kinds.add("exact")
        elif kind == "string":
            params = server.hgetall(f"{key}:bloom")
            try:
                shape = BloomShape(int(params[b"bits"]), int(params[b"hashes"]))
            except (KeyError, ValueError):
                continue
            total += shape.estimate_items(int(server.bitcount(key)))
            kinds.add("bloom estimate")
    return total, " and ".join(sorted(kinds)) or "none"
