"""The queue interface: what the scheduler, ``scrapy frontier`` and the monitor call on a
``FRONTIER_QUEUE_CLASS``. Implemented by the plain leased queue
(:class:`~benchcrawl.frontier.queue.LeasedQueue`) and the broad crawl's polite per-domain
queue (:class:`~benchcrawl.polite.queue.PoliteQueue`); both keep the lease protocol of
:mod:`benchcrawl.frontier` (data, leases, owners, failed, workers, dupefilter keys) and
differ in how queued ids are kept and picked. Ids and request data are opaque here. The
values the interface speaks (:class:`FrontierKeys`, :class:`Push`, :class:`CommitResult`,
:class:`ClusterState`) are defined here, for every implementation to import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Protocol, Self, runtime_checkable

import redis
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings


@dataclass(frozen=True)
class FrontierKeys:
    queue: str
    data: str
    leases: str
    owners: str
    failed: str
    seq: str
    workers: str
    dupefilter: str
    # what %(spider)s stood for (the partition's scope, see connection.partition_scopes),
    # for a queue that keeps keys of its own in the same partition; not a key
    scope: str = field(default="", compare=False)

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider: str) -> FrontierKeys:
        """The keys for *spider*, what ``%(spider)s`` stands for: the spider's name, or on a
        Redis Cluster its hash tag (:func:`benchcrawl.connection.key_scope`)."""
        names = {
            "queue": "SCHEDULER_QUEUE_KEY",
            "data": "FRONTIER_DATA_KEY",
            "leases": "FRONTIER_LEASES_KEY",
            "owners": "FRONTIER_OWNERS_KEY",
            "failed": "FRONTIER_FAILED_KEY",
            "seq": "FRONTIER_SEQUENCE_KEY",
            "workers": "FRONTIER_WORKERS_KEY",
            "dupefilter": "SCHEDULER_DUPEFILTER_KEY",
        }
        keys = {f: settings[s] % {"spider": spider} for f, s in names.items()}
        return cls(**keys, scope=spider)

    def all(self) -> list[str]:
        keys = [getattr(self, f.name) for f in fields(self) if f.name != "scope"]
        return keys + [f"{self.dupefilter}:bloom"]


@dataclass(frozen=True)
class Push:
    filtered: bool  # False for dont_filter requests
    score: int  # -priority: the queue pops the lowest score, then the lowest id
    data: str  # the request's JSON
    fingerprint: list[Any]  # what mark_seen takes (see RedisDupeFilter.key_of)
    partition: int = 0  # the frontier partition it goes to (frontier.partitions.route)


@dataclass(frozen=True)
class CommitResult:
    pushed: int
    duplicates: int
    acked: int
    failed: int


@dataclass(frozen=True)
class ClusterState:
    lost: list[str]  # leases this worker thought it held but no longer does
    reclaimed: int  # expired leases put back in the queue by this call
    queued: int
    leased: int


@runtime_checkable
class FrontierQueue(Protocol):
    server: redis.Redis
    keys: FrontierKeys
    worker: str  # this worker's id (benchcrawl.identity.worker_id), owner of its leases

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, server: redis.Redis, keys: FrontierKeys, worker: str, mode: str
    ) -> Self:
        """The scheduler's queue for a crawl; *mode* is the dedup mode (exact, bloom)."""
        ...

    @classmethod
    def for_inspection(
        cls, server: redis.Redis, keys: FrontierKeys, settings: BaseSettings, spider_name: str
    ) -> Self:
        """A queue for ``scrapy frontier`` and the monitor (report, re-queue, purge)."""
        ...

    def lease(self, n: int, lease_ms: int) -> list[tuple[str, bytes]]:
        """Up to *n* ``(lease id, request JSON)``, leased to this worker for *lease_ms*."""
        ...

    def commit(
        self, pushes: list[Push], acks: list[str], fails: list[tuple[str, str]]
    ) -> CommitResult:
        """In one call: queue the new requests (deduplicated), then ack and fail leases."""
        ...

    def maintain(self, held: list[str], lease_ms: int, worker_ttl_ms: int) -> ClusterState:
        """Heartbeat, renew the *held* leases, put expired leases back, count the queue."""
        ...

    def release(self, ids: list[str]) -> int:
        """Give this worker's leases among *ids* back to the queue at once (a clean close)."""
        ...

    def leave(self) -> None:
        """Take this worker off the cluster's list of live workers (at close)."""
        ...

    def requeue_failed(self, ids: list[str] | None = None) -> int:
        """Queue failed requests again (all of them when *ids* is None)."""
        ...

    def report(self, failed_limit: int = 20) -> dict[str, Any]:
        """Counts for ``scrapy frontier`` and the monitor (see :func:`~benchcrawl.frontier.
        queue.report`)."""
        ...

    def purge(self) -> int:
        """Delete every key of the crawl's frontier; how many keys were deleted."""
        ...
