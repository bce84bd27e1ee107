"""The queue interface: what the scheduler, ``scrapy frontier`` and the monitor call on a
``FRONTIER_QUEUE_CLASS``. Implemented by the plain leased queue
(:class:`~benchcrawl.frontier.queue.LeasedQueue`) and the broad crawl's polite per-domain
queue (:class:`~benchcrawl.polite.queue.PoliteQueue`); both keep the lease protocol of
:mod:`benchcrawl.frontier` (data, leases, owners, failed, workers, dupefilter keys) and
differ in how queued ids are kept and picked. Ids and request data are opaque here.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, runtime_checkable

import redis
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from benchcrawl.frontier.queue import ClusterState, CommitResult, FrontierKeys, Push


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
