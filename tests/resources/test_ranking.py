"""Heartbeat records, the ranking and lease limits."""

from __future__ import annotations

from dataclasses import replace

from benchcrawl.resources.ranking import (
    NodeStatus,
    average_load,
    lease_limits,
    rank,
    serves_anyway,
)

BASE = NodeStatus(
    node="a",
    host="h",
    pid=1,
    state="running",
    reason="",
    cpu=50.0,
    cpu_own=40.0,
    cpu_load=10.0,
    memory=20.0,
    network=0.0,
    load=10.0,
    in_flight=3,
    pages_per_minute=600.0,
    limit=24,
    at=1700000000.5,
)


def node(name, load, state="running", leasing=None):
    leasing = state == "running" if leasing is None else leasing
    return replace(BASE, node=name, load=load, state=state, leasing=leasing)


def test_hash_round_trip_and_malformed_hashes():
    raw = {k.encode(): v.encode() for k, v in BASE.to_hash().items()}
    assert NodeStatus.from_hash(raw) == BASE
    assert NodeStatus.from_hash({**raw, b"cpu": b"lots"}) is None
    assert NodeStatus.from_hash({b"node": b"a"}) is None
    assert NodeStatus.from_hash({**raw, b"leasing": b"yes"}) is None
    serving = replace(BASE, state="throttled", leasing=True)
    assert NodeStatus.from_hash(serving.to_hash()) == serving


def test_ranking_runs_least_loaded_first_then_throttled_then_paused():
    nodes = [node("p", 1, "paused"), node("t", 5, "throttled"), node("b", 60), node("a", 20)]
    assert [n.node for n in rank(nodes)] == ["a", "b", "t", "p"]


def test_average_load():
    assert average_load({"cpu": 90, "memory": 30, "network": 0}) == 40
    assert average_load({}) == 0


def test_lease_limits_follow_headroom():
    limits = lease_limits(
        [node("a", 20), node("b", 60), node("c", 99), node("t", 0, "throttled")], 2, 24
    )
    assert limits["a"] == 24
    assert limits["b"] == 12  # half the headroom of the best node
    assert limits["c"] == 2  # never under the floor
    assert limits["t"] == 2
    assert lease_limits([node("solo", 70)], 2, 24) == {"solo": 24}
    assert lease_limits([node("solo", 100)], 2, 24) == {"solo": 24}
    all_over = [node("a", 95, "throttled"), node("b", 90, "throttled"), node("p", 0, "paused")]
    assert lease_limits(all_over, 2, 24) == {"b": 24, "a": 12, "p": 2}
    assert lease_limits([], 2, 24) == {}


def test_when_every_node_is_over_the_least_loaded_one_is_served():
    all_over = [node("a", 80, "throttled"), node("b", 60, "throttled"), node("p", 0, "paused")]
    assert serves_anyway(all_over, "b")
    assert not serves_anyway(all_over, "a") and not serves_anyway(all_over, "p")
    assert not serves_anyway([*all_over, node("r", 99)], "b")  # someone can take the work
    assert serves_anyway([node("solo", 99, "throttled")], "solo")
    assert not serves_anyway([node("solo", 0, "paused")], "solo")
    assert not serves_anyway([], "x")


def test_the_node_serving_anyway_keeps_the_role_until_another_is_clearly_lower():
    # b serves; its load rose past a's with the work, but by less than the margin
    nodes = [node("a", 70, "throttled"), node("b", 75, "throttled", leasing=True)]
    assert serves_anyway(nodes, "b") and not serves_anyway(nodes, "a")
    # a is now lower by more than the margin (10 points): the role moves to a
    nodes = [node("a", 60, "throttled"), node("b", 75, "throttled", leasing=True)]
    assert serves_anyway(nodes, "a") and not serves_anyway(nodes, "b")
    assert serves_anyway(nodes, "b", margin=20)
    # both decided to serve in the same moment: only the lower-ranked one goes on
    both = [node("a", 70, "throttled", leasing=True), node("b", 72, "throttled", leasing=True)]
    assert serves_anyway(both, "a") and not serves_anyway(both, "b")


def test_serving_anyway_does_not_flip_flop_as_loads_follow_the_work():
    """Two throttled nodes 2 points apart; serving adds 5 points to a node's load. Without
    hysteresis the role would change at every heartbeat."""
    base = {"a": 90.0, "b": 88.0}
    leasing = {"a": False, "b": False}
    holders = []
    for _ in range(20):
        nodes = [node(n, base[n] + 5 * leasing[n], "throttled", leasing[n]) for n in base]
        leasing = {n: serves_anyway(nodes, n) for n in base}
        assert sum(leasing.values()) == 1
        holders.append(next(n for n in base if leasing[n]))
    assert holders == ["b"] * 20  # b takes the role once and keeps it
    flapping = [serves_anyway([node("a", 90, "throttled"), node("b", 93, "throttled")], "b")]
    assert flapping == [False]  # what the same loads would decide without the memory
