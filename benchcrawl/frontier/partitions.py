"""A frontier in N partitions: N complete queues (each its own keys, leases and dedup, in
its own slot on a Redis Cluster) behind the one queue interface the scheduler speaks.

A request goes to the partition its queue class routes it to (``route_key``: the plain
leased queue routes by request fingerprint, the polite queue by domain, so the dedup of a
URL, and a domain's politeness, are in one partition and stay exact). Lease ids carry their
partition (``i:id``; partition 0's ids are bare, so a crawl of one partition and its start
entries read as before). The partition-by-partition fan-out is pure logic here
(:func:`route`, :func:`tag`, :func:`split`, :func:`plan_commit`), tested without Redis;
:class:`PartitionedQueue` applies it to the inner queues. Which N a crawl uses, and who
builds the queues, is :mod:`benchcrawl.frontier.factory`.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchcrawl.frontier.interface import (
    ClusterState,
    CommitResult,
    FrontierKeys,
    FrontierQueue,
    Push,
)

COMMON = {"queued", "leases", "next_lease_expiry_s", "failed", "failed_sample", "workers"}


def route(key: bytes, n: int) -> int:
    """The partition of a request whose routing key (its fingerprint, or its domain) is
    *key*, among *n*."""
    return zlib.crc32(key) % n if n > 1 else 0


def tag(partition: int, lease: str) -> str:
    """A lease id as the scheduler holds it: the inner id, prefixed with its partition."""
    return lease if partition == 0 else f"{partition}:{lease}"


def split(lease: str) -> tuple[int, str]:
    """``(partition, inner id)`` of a lease id made by :func:`tag`."""
    head, sep, rest = lease.partition(":")
    if sep and head.isdigit():
        return int(head), rest
    return 0, lease


def by_partition(ids: Iterable[str], n: int) -> dict[int, list[str]]:
    """Inner ids grouped by partition, in their order; ids of no partition are left out
    (nothing in the crawl can hold them)."""
    out: dict[int, list[str]] = {}
    for lease in ids:
        i, inner = split(lease)
        if i < n:
            out.setdefault(i, []).append(inner)
    return out


@dataclass
class Call:
    """One partition's share of a commit."""

    partition: int
    pushes: list[Push] = field(default_factory=list)
    acks: list[str] = field(default_factory=list)
    fails: list[tuple[str, str]] = field(default_factory=list)


def plan_commit(
    pushes: Sequence[Push], acks: Sequence[str], fails: Sequence[tuple[str, str]], n: int
) -> list[Call]:
    """The calls that commit a batch over *n* partitions, in order. Crash safety (see
    :mod:`~benchcrawl.frontier.outbox`): every push is written before any ack or failure,
    so the pushes of all partitions come first, and acks ride only with the last push call
    (a partition holding both, if any); the other partitions' acks follow, one call each.
    At most 2n - 1 calls, and none for a partition with nothing to write."""
    calls: dict[int, Call] = {}
    for p in pushes:
        calls.setdefault(p.partition, Call(p.partition)).pushes.append(p)
    settles: dict[int, Call] = {}
    for i, ids in by_partition(acks, n).items():
        settles.setdefault(i, Call(i)).acks = ids
    for lease, record in fails:
        i, inner = split(lease)
        if i < n:
            settles.setdefault(i, Call(i)).fails.append((inner, record))
    pushing = sorted(calls)
    rider = max((i for i in pushing if i in settles), default=None)
    if rider is not None:
        pushing.remove(rider)
        pushing.append(rider)
        calls[rider].acks = settles[rider].acks
        calls[rider].fails = settles.pop(rider).fails
    return [calls[i] for i in pushing] + [settles[i] for i in sorted(settles)]


class PartitionedQueue:
    """:class:`~benchcrawl.frontier.interface.FrontierQueue` over the *parts* of one crawl
    (partition *i* is ``parts[i]``). Leasing goes round the partitions, starting one
    further at each call, and skips those the last maintenance (or a short lease) found
    empty until the next maintenance or a push of this worker's there, so an idle worker
    does not ask every partition at each poll. Workers heartbeat in every partition (the
    maintenance script's); reports read partition 0's."""

    def __init__(self, parts: Sequence[FrontierQueue], partitions_key: str) -> None:
        if len(parts) < 2:
            raise ValueError("a partitioned queue needs at least two partitions")
        self.parts = list(parts)
        self.server = parts[0].server
        self.keys = parts[0].keys
        self.worker = parts[0].worker
        self.partitions_key = partitions_key
        self.route_key = type(parts[0]).route_key  # type: ignore[attr-defined]
        self._first = 0
        self._empty: set[int] = set()

    def __len__(self) -> int:
        return len(self.parts)

    def partition_of(self, url: str, fingerprint: bytes) -> int:
        return route(self.route_key(url, fingerprint), len(self.parts))

    def lease(self, n: int, lease_ms: int) -> list[tuple[str, bytes]]:
        count = len(self.parts)
        start = self._first
        self._first = (start + 1) % count
        rows: list[tuple[str, bytes]] = []
        for step in range(count):
            i = (start + step) % count
            if i in self._empty:
                continue
            want = n - len(rows)
            part = self.parts[i]
            got = part.lease(want, lease_ms)
            # a short lease means an empty partition, but for a queue that says otherwise
            # (the polite queue: its domains may only not be due yet)
            if getattr(part, "exhausted", len(got) < want):
                self._empty.add(i)
            rows += [(tag(i, lease), data) for lease, data in got]
            if len(rows) >= n:
                break
        return rows

    def commit(
        self, pushes: list[Push], acks: list[str], fails: list[tuple[str, str]]
    ) -> CommitResult:
        total = [0, 0, 0, 0]
        for call in plan_commit(pushes, acks, fails, len(self.parts)):
            r = self.parts[call.partition].commit(call.pushes, call.acks, call.fails)
            if r.pushed:
                self._empty.discard(call.partition)
            for j, v in enumerate((r.pushed, r.duplicates, r.acked, r.failed)):
                total[j] += v
        return CommitResult(*total)

    def maintain(self, held: list[str], lease_ms: int, worker_ttl_ms: int) -> ClusterState:
        mine = by_partition(held, len(self.parts))
        lost: list[str] = []
        reclaimed = queued = leased = 0
        empty = set()
        for i, part in enumerate(self.parts):
            state = part.maintain(mine.get(i, []), lease_ms, worker_ttl_ms)
            lost += [tag(i, x) for x in state.lost]
            reclaimed += state.reclaimed
            queued += state.queued
            leased += state.leased
            if not state.queued:
                empty.add(i)
        self._empty = empty
        return ClusterState(lost, reclaimed, queued, leased)

    def release(self, ids: list[str]) -> int:
        return sum(
            self.parts[i].release(inner) for i, inner in by_partition(ids, len(self.parts)).items()
        )

    def leave(self) -> None:
        for part in self.parts:
            part.leave()

    def requeue_failed(self, ids: list[str] | None = None) -> int:
        if ids is None:
            return sum(part.requeue_failed() for part in self.parts)
        groups = by_partition(ids, len(self.parts))
        return sum(self.parts[i].requeue_failed(inner) for i, inner in groups.items())

    def report(self, failed_limit: int = 20) -> dict[str, Any]:
        reports = [part.report(failed_limit) for part in self.parts]
        leases: Counter[str] = Counter()
        for r in reports:
            leases.update(r["leases"])
        expiries = [e for r in reports if (e := r["next_lease_expiry_s"]) is not None]
        sample = [
            (tag(i, lease), rec) for i, r in enumerate(reports) for lease, rec in r["failed_sample"]
        ]
        # a queue's own counts (the polite queue's domains_ready) add up too
        own = {
            name: sum(int(r.get(name) or 0) for r in reports)
            for name, value in reports[0].items()
            if name not in COMMON and isinstance(value, int)
        }
        return own | {
            "queued": sum(int(r["queued"]) for r in reports),
            "leases": dict(leases),
            "next_lease_expiry_s": min(expiries) if expiries else None,
            "failed": sum(int(r["failed"]) for r in reports),
            "failed_sample": sample[:failed_limit],
            "workers": reports[0]["workers"],
            "partitions": len(self.parts),
        }

    def purge(self) -> int:
        deleted = sum(part.purge() for part in self.parts)
        return deleted + int(self.server.delete(self.partitions_key))


def partition_keys(queue: Any) -> list[FrontierKeys]:
    """The keys of every partition of *queue* (one, for a queue that is not partitioned)."""
    if isinstance(queue, PartitionedQueue):
        return [part.keys for part in queue.parts]
    return [queue.keys]


def locate(queue: Any, lease: str) -> tuple[FrontierKeys, str]:
    """The keys of the partition holding *lease*, and its id there."""
    keys = partition_keys(queue)
    i, inner = split(lease)
    return (keys[i], inner) if i < len(keys) else (keys[0], lease)
