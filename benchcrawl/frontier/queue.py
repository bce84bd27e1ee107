"""The leased queue in Redis: every operation is one Lua call (see the key schema in
:mod:`benchcrawl.frontier`). No Scrapy here; requests are JSON strings, opaque but for
their URL and priority (read by ``url_of`` and ``priority_of`` in ``lua/_lib.lua``). It implements
:class:`~benchcrawl.frontier.interface.FrontierQueue` (which owns the values it speaks:
keys, pushes, results); the parts of a report common to every queue are here too."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import redis

from benchcrawl.connection import one_slot, server_time, text
from benchcrawl.frontier.interface import ClusterState, CommitResult, FrontierKeys, Push
from benchcrawl.frontier.replication import replicated
from benchcrawl.frontier.scripts import register

__all__ = ["ClusterState", "CommitResult", "FrontierKeys", "LeasedQueue", "Push", "report"]

RECLAIM_LIMIT = 500  # expired leases put back per maintenance call


class LeasedQueue:
    def __init__(
        self,
        server: redis.Redis,
        keys: FrontierKeys,
        worker: str,
        mode: str,
        settings: Any = None,
        stats: Any = None,
    ) -> None:
        """*settings* (a crawl's) may ask to wait for replicas after each lease and commit
        (:mod:`~benchcrawl.frontier.replication`); *stats* counts what fell short."""
        self.server = server
        self.keys = keys
        self.worker = worker
        self.mode = mode
        one_slot(server, keys.all(), "the frontier")
        self._lease = replicated(server, register(server, "lease"), settings, stats)
        self._commit = replicated(server, register(server, "commit"), settings, stats)
        self._maintain = register(server, "maintain")
        self._release = register(server, "release")
        self._requeue = register(server, "requeue_failed")

    @classmethod
    def from_crawler(
        cls, crawler: Any, server: redis.Redis, keys: FrontierKeys, worker: str, mode: str
    ) -> LeasedQueue:
        """How the scheduler builds its ``FRONTIER_QUEUE_CLASS``."""
        settings, stats = getattr(crawler, "settings", None), getattr(crawler, "stats", None)
        return cls(server, keys, worker, mode, settings, stats)

    @classmethod
    def for_inspection(
        cls, server: redis.Redis, keys: FrontierKeys, settings: Any, spider_name: str
    ) -> LeasedQueue:
        """A queue for ``scrapy frontier`` (report, re-queue, purge), without a crawl."""
        return cls(server, keys, "scrapy-frontier-command", "exact")

    @staticmethod
    def route_key(url: str, fingerprint: bytes) -> bytes:
        """What picks a request's partition (:mod:`~benchcrawl.frontier.partitions`): its
        fingerprint, so that its dedup is in one partition."""
        return fingerprint

    def lease(self, n: int, lease_ms: int) -> list[tuple[str, bytes]]:
        k = self.keys
        flat = self._lease(
            keys=[k.queue, k.data, k.leases, k.owners, k.seq], args=[self.worker, lease_ms, n]
        )
        return [(flat[i].decode(), flat[i + 1]) for i in range(0, len(flat), 2)]

    def commit(
        self, pushes: list[Push], acks: list[str], fails: list[tuple[str, str]]
    ) -> CommitResult:
        k = self.keys
        args: list[Any] = [self.mode, self.worker, len(pushes), len(acks), len(fails)]
        for p in pushes:
            args += ["1" if p.filtered else "0", p.score, p.data, len(p.fingerprint)]
            args += p.fingerprint
        args += acks
        for lease, record in fails:
            args += [lease, record]
        pushed, dups, acked, failed = self._commit(
            keys=[k.queue, k.data, k.leases, k.owners, k.failed, k.seq, k.dupefilter], args=args
        )
        return CommitResult(int(pushed), int(dups), int(acked), int(failed))

    def maintain(self, held: list[str], lease_ms: int, worker_ttl_ms: int) -> ClusterState:
        k = self.keys
        lost, reclaimed, queued, leased = self._maintain(
            keys=[k.queue, k.data, k.leases, k.owners, k.workers],
            args=[self.worker, lease_ms, worker_ttl_ms, RECLAIM_LIMIT, *held],
        )
        return ClusterState([x.decode() for x in lost], int(reclaimed), int(queued), int(leased))

    def release(self, ids: list[str]) -> int:
        if not ids:
            return 0
        k = self.keys
        return int(
            self._release(keys=[k.queue, k.data, k.leases, k.owners], args=[self.worker, *ids])
        )

    def leave(self) -> None:
        """Take this worker off the cluster's list of live workers (at close)."""
        self.server.zrem(self.keys.workers, self.worker)

    # --- for the `scrapy frontier` command -------------------------------------------------
    def requeue_failed(self, ids: list[str] | None = None) -> int:
        k = self.keys
        return int(self._requeue(keys=[k.failed, k.data, k.queue], args=ids or []))

    def report(self, failed_limit: int = 20) -> dict[str, Any]:
        return {"queued": queued(self.server, self.keys.queue)} | report(
            self.server, self.keys, failed_limit
        )

    def purge(self) -> int:
        return int(self.server.delete(*self.keys.all(), *fresh_keys(self.server, self.keys.queue)))


def fresh_keys(server: redis.Redis, queue: str) -> list[str]:
    """The keys of *queue*'s fresh requests: its lists by score and their index (see
    ``fresh_push`` in ``lua/_lib.lua``)."""
    scores = [text(s) for s in server.zrange(f"{queue}:lists", 0, -1)]
    return [f"{queue}:lists"] + [f"{queue}:list:{s}" for s in scores]


def queued(server: redis.Redis, queue: str) -> int:
    """Requests waiting in *queue*: its zset of ids and its fresh lists."""
    lists = fresh_keys(server, queue)[1:]
    pipe = server.pipeline(transaction=False)
    pipe.zcard(queue)
    for key in lists:
        pipe.llen(key)
    return sum(int(n) for n in pipe.execute())


def report(server: redis.Redis, keys: FrontierKeys, failed_limit: int = 20) -> dict[str, Any]:
    """What every queue reports of the lease protocol's keys: leases per worker, the next
    lease expiry, failed requests (count and a sample), live workers and their silence."""
    pipe = server.pipeline(transaction=False)
    pipe.hgetall(keys.owners)
    pipe.zrange(keys.leases, 0, 0, withscores=True)
    pipe.hlen(keys.failed)
    pipe.zrange(keys.workers, 0, -1, withscores=True)
    owners, first_lease, nfailed, workers = pipe.execute()
    now = server_time(server, keys.leases)
    failed: list[tuple[str, Any]] = []
    cursor = 0
    while len(failed) < failed_limit:
        cursor, batch = server.hscan(keys.failed, cursor, count=100)
        failed += [(text(i), json.loads(r)) for i, r in _pairs(batch)]
        if cursor == 0:
            break
    now_ms = int(now[0]) * 1000 + int(now[1]) // 1000
    return {
        "leases": dict(Counter(w.decode() for w in owners.values())),
        "next_lease_expiry_s": (first_lease[0][1] - now_ms) / 1000 if first_lease else None,
        "failed": int(nfailed),
        "failed_sample": failed[:failed_limit],
        "workers": {w.decode(): (now_ms - s) / 1000 for w, s in workers},
    }


def _pairs(reply: Any) -> list[tuple[Any, Any]]:
    """HSCAN's field/value reply as pairs (a dict from redis-py, a flat list in RESP2 raw)."""
    if isinstance(reply, dict):
        return list(reply.items())
    return list(zip(reply[::2], reply[1::2], strict=True))
