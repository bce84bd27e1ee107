"""The node board against a real Redis: heartbeats expire, flags, ranking."""

from __future__ import annotations

import time
from dataclasses import replace

from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus


def _status(node: str, load: float, state: str = "running") -> NodeStatus:
    return NodeStatus(
        node, "host", 1, state, "", 1.0, 1.0, load, 1.0, 0.0, load, 0, 0.0, 0, time.time(), True
    )


def test_heartbeats_rank_and_expire(redis_server):
    board = NodeBoard(redis_server.client(), BoardKeys("farm"))
    board.heartbeat(_status("a", 40), ttl=10)
    snap = board.heartbeat(_status("b", 10), ttl=0.3)
    assert snap.pause is None
    assert [n.node for n in snap.nodes] == ["a", "b"]
    assert [n.node for n in board.ranking()] == ["b", "a"]
    r = redis_server.client()
    assert r.hget("farm:nodes:a", "state") == b"running"
    assert 0 < r.pttl("farm:nodes:a") <= 10_000
    time.sleep(0.5)  # b's heartbeat expires: gone from readers and from the index
    assert [n.node for n in board.nodes()] == ["a"]
    assert r.zrange("farm:nodes", 0, -1) == [b"a"]
    board.leave("a")
    assert board.nodes() == [] and not r.exists("farm:nodes:a")


def test_pause_flags_node_and_cluster(redis_server):
    board = NodeBoard(redis_server.client(), BoardKeys("farm"))
    a = _status("a", 5)
    board.pause("a", "maintenance by ops")
    assert board.heartbeat(a, 10).pause == "node"
    assert redis_server.client().get("farm:pause:a") == b"maintenance by ops"
    assert board.paused() == {"a": "maintenance by ops"}
    board.resume("a")
    board.pause(None)
    assert board.heartbeat(a, 10).pause == "cluster"
    assert board.paused() == {"*": "paused"}
    board.resume(None)
    assert board.heartbeat(replace(a, load=6), 10).pause is None


def test_custom_key_templates(redis_server):
    keys = BoardKeys("s", "nodes/%(spider)s/%(node)s", "idx/%(spider)s", "p/%(node)s", "p/all")
    board = NodeBoard(redis_server.client(), keys)
    board.heartbeat(_status("n1", 1), 10)
    r = redis_server.client()
    assert r.exists("nodes/s/n1") and r.zcard("idx/s") == 1
    board.pause("n1")
    assert r.exists("p/n1")
