"""The one place a crawl's frontier queue is built: by the scheduler, ``scrapy frontier``,
``scrapy seed``, the monitor and the metrics. It decides how many partitions the crawl has
(``FRONTIER_PARTITIONS``, stored in Redis at the crawl's first start, see
:mod:`benchcrawl.frontier`) and builds ``FRONTIER_QUEUE_CLASS`` once per partition, behind a
:class:`~benchcrawl.frontier.partitions.PartitionedQueue` when there are several.
"""

from __future__ import annotations

from typing import Any

import redis
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from benchcrawl.connection import key_scope, on_cluster, partition_scopes, primaries, text
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.frontier.partitions import PartitionedQueue

PER_MASTER = 4  # partitions per master a crawl gets on a cluster when it sets none


def partitions_key(server: redis.Redis, settings: BaseSettings, name: str) -> str:
    return str(settings["FRONTIER_PARTITIONS_KEY"]) % {"spider": key_scope(server, name)}


def stored_partitions(server: redis.Redis, settings: BaseSettings, name: str) -> int | None:
    """The number of partitions stored for *name*'s crawl, or None."""
    key = partitions_key(server, settings, name)
    raw = server.get(key)
    if raw is None:
        return None
    value = text(raw)
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(
            f"Redis key {key} holds {value!r}, not a number of partitions; purge the "
            f"frontier (scrapy frontier {name} --purge) or set it right."
        )
    return int(value)


def partitions(server: redis.Redis, settings: BaseSettings, name: str, queue_cls: Any) -> int:
    """The number of partitions of *name*'s frontier for a worker (or ``scrapy seed``)
    starting now, stored in Redis when the crawl has none yet (except a single Redis's one
    partition, so that its key names stay exactly as they were)."""
    wanted = settings.getint("FRONTIER_PARTITIONS")
    if wanted < 0:
        raise ConfigError(
            f"FRONTIER_PARTITIONS is {wanted}; use 0 (auto) or a number of partitions."
        )
    stored = stored_partitions(server, settings, name)
    routes = getattr(queue_cls, "route_key", None) is not None
    if stored is not None:
        if wanted and wanted != stored:
            raise ConfigError(
                f"FRONTIER_PARTITIONS is {wanted}, but the crawl of {name} was started with "
                f"{stored} partitions, and changing them mid-crawl would break its dedup: set "
                f"it to {stored} (or 0), or purge the frontier (scrapy frontier {name} --purge)."
            )
        n = stored
    elif wanted:
        n = wanted
    elif on_cluster(server) and routes and not _begun(server, settings, name):
        n = PER_MASTER * primaries(server)
    else:
        n = 1
    if n > 1 and not routes:
        raise ConfigError(
            f"FRONTIER_PARTITIONS is {n}, but {queue_cls.__name__} keeps its frontier in one "
            f"partition; set FRONTIER_PARTITIONS = 1 (or 0) for {name}."
        )
    if stored is None and (n > 1 or on_cluster(server)):
        if not server.set(partitions_key(server, settings, name), n, nx=True):
            return partitions(server, settings, name, queue_cls)  # another worker was first
    return n


def _begun(server: redis.Redis, settings: BaseSettings, name: str) -> bool:
    """Whether a crawl of one partition, from before partitions were stored, is in Redis."""
    keys = FrontierKeys.from_settings(settings, key_scope(server, name))
    return bool(server.exists(keys.seq, keys.dupefilter))


def frontier_queue(
    server: redis.Redis,
    settings: BaseSettings,
    spider_name: str,
    worker: str | None = None,
    crawler: Any = None,
    mode: str = "exact",
) -> Any:
    """The crawl's queue: for a worker (*crawler* given; *worker* its id, *mode* the dedup
    mode), or, without a crawler, for inspection (report, re-queue, purge) with the stored
    number of partitions, which is never written then."""
    queue_cls = load_object(settings["FRONTIER_QUEUE_CLASS"])
    if crawler is None:
        n = stored_partitions(server, settings, spider_name) or 1
    else:
        n = partitions(server, settings, spider_name, queue_cls)
    parts = []
    for scope in partition_scopes(server, spider_name, n):
        keys = FrontierKeys.from_settings(settings, scope)
        if crawler is None:
            parts.append(queue_cls.for_inspection(server, keys, settings, spider_name))
        else:
            parts.append(queue_cls.from_crawler(crawler, server, keys, worker, mode))
    if n == 1:
        return parts[0]
    return PartitionedQueue(parts, partitions_key(server, settings, spider_name))


def purge_frontier(server: redis.Redis, settings: BaseSettings, name: str, queue: Any) -> int:
    """Delete every key of *queue*, the crawl's, and its stored number of partitions (kept
    on a cluster for a crawl of one); how many keys were deleted."""
    return int(queue.purge()) + int(server.delete(partitions_key(server, settings, name)))


class InspectedFrontier:
    """A crawl's queue for readers that outlive a crawl (the monitor, the metrics): built
    again whenever the stored number of partitions changes (a crawl started, or purged)."""

    def __init__(self, server: redis.Redis, settings: BaseSettings, spider_name: str) -> None:
        self.server = server
        self.settings = settings
        self.spider_name = spider_name
        self._n = 0
        self._queue: Any = None

    @property
    def queue(self) -> Any:
        n = stored_partitions(self.server, self.settings, self.spider_name) or 1
        if n != self._n:
            self._queue = frontier_queue(self.server, self.settings, self.spider_name)
            self._n = n
        return self._queue

    def report(self, failed_limit: int = 20) -> dict[str, Any]:
        return self.queue.report(failed_limit=failed_limit)

    def requeue_failed(self, ids: list[str] | None = None) -> int:
        return int(self.queue.requeue_failed(ids))

    def purge(self) -> int:
        return purge_frontier(self.server, self.settings, self.spider_name, self.queue)
