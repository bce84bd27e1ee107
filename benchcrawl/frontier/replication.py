"""Waiting for replicas after the frontier's writes, when asked (``FRONTIER_WAIT_REPLICAS``).

Redis replicates asynchronously: a master answers a write before its replicas have it, so a
master that dies in that moment takes the write with it and the promoted replica holds an
older state. For the frontier that costs pages fetched twice, never a page lost (a page's
new requests are committed before or with its ack, and replication keeps their order), but
a crawl that must not fetch a page twice can close the window: with
``FRONTIER_WAIT_REPLICAS = n``, every commit and every lease is followed by Redis's ``WAIT n
timeout`` on the connection that carried it, so the call returns once *n* replicas have the
write (or the timeout has passed: then the write is counted in
``frontier/replication/short`` and logged, once per streak, and the crawl goes on, as Redis
offers no more than that).

``WAIT`` counts the writes of its own connection. On one Redis the script and the ``WAIT``
go out in one pipeline, so on one connection. On a cluster (redis-py refuses scripts in a
cluster pipeline) the script goes through the cluster client, which follows ``MOVED``, and
the ``WAIT`` to the master that holds the keys right after, on the same thread: the
client's pool hands back the connection that was just released (last in, first out), and
the frontier's client is only used from the reactor's thread.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from redis.commands.core import Script
from scrapy.settings import BaseSettings

from benchcrawl.connection import on_cluster
from benchcrawl.stats import inc

logger = logging.getLogger(__name__)


class Replicated:
    """*script*, called as a registered script is (``keys=..., args=...``), then ``WAIT``."""

    def __init__(
        self, server: redis.Redis, script: Script, replicas: int, timeout_ms: int, stats: Any
    ) -> None:
        self.server = server
        self.script = script
        self.replicas = replicas
        self.timeout_ms = timeout_ms
        self.stats = stats
        self.cluster = on_cluster(server)
        self.short_streak = 0

    def __call__(self, keys: list[str], args: list[Any]) -> Any:
        if self.cluster:
            result = self.script(keys=keys, args=args)
            node = self.server.get_node_from_key(keys[0])  # type: ignore[attr-defined]
            acked = self.server.execute_command(
                "WAIT", self.replicas, self.timeout_ms, target_nodes=node
            )
        else:
            pipe = self.server.pipeline(transaction=False)
            self.script(keys=keys, args=args, client=pipe)
            pipe.execute_command("WAIT", self.replicas, self.timeout_ms)
            result, acked = pipe.execute()
        self._count(int(acked))
        return result

    def _count(self, acked: int) -> None:
        if acked >= self.replicas:
            if self.short_streak:
                logger.info(
                    "writes reach %d replicas again (%d were short)",
                    self.replicas,
                    self.short_streak,
                )
            self.short_streak = 0
            return
        inc(self.stats, "frontier/replication/short")
        if not self.short_streak:
            logger.warning(
                "a frontier write reached %d of %d replicas within %d ms; a failover now could "
                "drop it and its pages would be fetched again (FRONTIER_WAIT_REPLICAS)",
                acked,
                self.replicas,
                self.timeout_ms,
            )
        self.short_streak += 1


def replicated(
    server: redis.Redis, script: Script, settings: BaseSettings | None, stats: Any
) -> Any:
    """*script* as it is, or wrapped in :class:`Replicated` when *settings* ask for replicas."""
    replicas = settings.getint("FRONTIER_WAIT_REPLICAS") if settings is not None else 0
    if replicas <= 0:
        return script
    timeout_ms = int(settings.getfloat("FRONTIER_WAIT_TIMEOUT") * 1000)  # type: ignore[union-attr]
    return Replicated(server, script, replicas, max(1, timeout_ms), stats)
