"""The cluster's node board in Redis: heartbeats, pause flags and the ranking.

Used by the middleware (write its heartbeat, read flags and the other nodes) and by any
reader, such as the monitoring page: ``NodeBoard(client, BoardKeys(key_scope(client,
spider), ...)).ranking()`` with ``client`` from :func:`benchcrawl.connection.redis_client`
(a Redis Cluster client when the URL names a cluster's node). No Scrapy here; key names
come from the settings' templates.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from benchcrawl.connection import text
from benchcrawl.resources import defaults
from benchcrawl.resources.ranking import NodeStatus, rank


@dataclass(frozen=True)
class BoardKeys:
    spider: str
    node_template: str = defaults.RESOURCES_NODE_KEY
    nodes: str = defaults.RESOURCES_NODES_KEY
    pause_template: str = defaults.RESOURCES_PAUSE_KEY
    cluster_pause: str = defaults.RESOURCES_CLUSTER_PAUSE_KEY

    def node(self, node: str) -> str:
        return self.node_template % {"spider": self.spider, "node": node}

    def index(self) -> str:
        return self.nodes % {"spider": self.spider}

    def pause(self, node: str | None) -> str:
        if node is None:
            return self.cluster_pause % {"spider": self.spider}
        return self.pause_template % {"spider": self.spider, "node": node}


@dataclass(frozen=True)
class Snapshot:
    """What one heartbeat learns: the pause flag in force (if any) and every live node."""

    pause: str | None  # "node" or "cluster" when paused
    nodes: list[NodeStatus]


class NodeBoard:
    def __init__(self, client: redis.Redis, keys: BoardKeys) -> None:
        self.client = client
        self.keys = keys

    # --- writers ---------------------------------------------------------------------------
    def heartbeat(self, status: NodeStatus, ttl: float) -> Snapshot:
        """Publish *status* (expiring after *ttl* s) and read flags and nodes: 2 round trips."""
        key = self.keys.node(status.node)
        pipe = self.client.pipeline(transaction=False)
        pipe.hset(key, mapping=status.to_hash())  # type: ignore[arg-type]
        pipe.pexpire(key, int(ttl * 1000))
        pipe.zadd(self.keys.index(), {status.node: int(status.at * 1000)})
        pipe.exists(self.keys.pause(status.node))
        pipe.exists(self.keys.pause(None))
        _, _, _, node_paused, cluster_paused = pipe.execute()
        pause = "node" if node_paused else "cluster" if cluster_paused else None
        return Snapshot(pause, self.nodes())

    def leave(self, node: str) -> None:
        """A node closing removes its heartbeat (its pause flag stays for its return)."""
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(self.keys.node(node))
        pipe.zrem(self.keys.index(), node)
        pipe.execute()

    def pause(self, node: str | None = None, note: str = "paused") -> None:
        """Pause one node, or the whole cluster (*node* None)."""
        self.client.set(self.keys.pause(node), note)

    def resume(self, node: str | None = None) -> None:
        self.client.delete(self.keys.pause(node))

    # --- readers ---------------------------------------------------------------------------
    def nodes(self) -> list[NodeStatus]:
        """Every node with a live heartbeat (index entries whose hash expired are pruned)."""
        names = [text(n) for n in self.client.zrange(self.keys.index(), 0, -1)]
        if not names:
            return []
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self.keys.node(name))
        out: list[NodeStatus] = []
        gone: list[str] = []
        for name, raw in zip(names, pipe.execute(), strict=True):
            status = NodeStatus.from_hash(raw) if raw else None
            if status is None:
                gone.append(name)
            else:
                out.append(status)
        if gone:
            self.client.zrem(self.keys.index(), *gone)
        return out

    def ranking(self) -> list[NodeStatus]:
        """Live nodes, the one that should take work first first."""
        return rank(self.nodes())

    def paused(self) -> dict[str, str]:
        """Pause flags in force: ``{"*": note}`` for the cluster, ``{node: note}`` per node."""
        out: dict[str, str] = {}
        cluster = self.client.get(self.keys.pause(None))
        if cluster is not None:
            out["*"] = text(cluster)
        for status in self.nodes():
            note = self.client.get(self.keys.pause(status.node))
            if note is not None:
                out[status.node] = text(note)
        return out
