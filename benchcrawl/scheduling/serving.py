"""Which launcher a scheduled run takes: the serving workers when there are any (a live
node heartbeat with ``mode`` = ``serve``), else a child crawl as before."""

from __future__ import annotations

import logging
import time

import redis
from scrapy.settings import Settings

from benchcrawl.connection import key_scope, text
from benchcrawl.resources.board import BoardKeys
from benchcrawl.scheduling.open_sweep import SweepLauncher
from benchcrawl.scheduling.runner import Launcher, Run

logger = logging.getLogger(__name__)


def serving_nodes(client: redis.Redis, keys: BoardKeys, ttl: float, now: float) -> list[str]:
    """The nodes whose heartbeat, at most *ttl* s old, says they serve."""
    names = [text(n) for n in client.zrangebyscore(keys.index(), int((now - ttl) * 1000), "+inf")]
    modes = [client.hget(keys.node(name), "mode") for name in names]
    return [name for name, mode in zip(names, modes, strict=True) if mode == b"serve"]


class ServingOrProcess:
    """A ``Launcher``: :class:`SweepLauncher` while serving workers are up, else *fallback*."""

    def __init__(
        self, client: redis.Redis, settings: Settings, spider: str, fallback: Launcher, args: dict
    ) -> None:
        self.client = client
        self.keys = BoardKeys(
            key_scope(client, spider),
            node_template=settings.get("RESOURCES_NODE_KEY"),
            nodes=settings.get("RESOURCES_NODES_KEY"),
        )
        self.ttl = settings.getfloat("RESOURCES_HEARTBEAT_TTL")
        self.sweeps = SweepLauncher(settings, args)
        self.fallback = fallback

    def start(self) -> Run:
        nodes = serving_nodes(self.client, self.keys, self.ttl, time.time())
        if not nodes:
            return self.fallback.start()
        logger.info(
            "%d serving workers are up (%s): they do this run", len(nodes), ", ".join(nodes)
        )
        return self.sweeps.start()
