"""The pure part of a partitioned frontier: routing, lease ids, the order of a commit's
calls (every push before any ack, so a crash between two calls loses no request), and the
partitions' hash tags on a cluster (evenly over the masters)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter

import pytest
from redis.crc import key_slot

from benchcrawl.connection import SLOTS, spread_tags
from benchcrawl.frontier.interface import Push
from benchcrawl.frontier.partitions import by_partition, plan_commit, route, split, tag

OTHER_PROCESS = """
import hashlib
from benchcrawl.frontier.partitions import route
for i in range(3000):
    print(route(hashlib.sha1(f"https://example.com/{i}".encode()).digest(), 3))
"""


def _fp(i: int) -> bytes:
    return hashlib.sha1(f"https://example.com/{i}".encode()).digest()


def _push(partition: int, name: str = "u") -> Push:
    return Push(True, 0, name, [b"x"], partition)


def test_route_is_stable_spread_and_one_partition_is_zero():
    keys = [_fp(i) for i in range(3000)]
    # every worker and `scrapy seed` put a key in the same partition: another process (its
    # own hash seed) routes them as this one does
    other = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS],
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [int(p) for p in other] == [route(k, 3) for k in keys]
    shares = [sum(route(k, 3) == i for k in keys) for i in range(3)]
    assert all(800 < s < 1200 for s in shares), shares
    assert {route(k, 1) for k in keys} == {0}


def test_lease_ids_carry_their_partition_and_partition_0_is_bare():
    assert tag(0, "000000000000002a") == "000000000000002a"
    assert tag(0, "s00000000000001") == "s00000000000001"  # a start entry reads as before
    assert tag(2, "000000000000002a") == "2:000000000000002a"
    for i, inner in [(0, "000000000000002a"), (0, "s0001"), (5, "00ff"), (11, "s1")]:
        assert split(tag(i, inner)) == (i, inner)


def test_ids_of_a_partition_the_crawl_lacks_are_left_out():
    assert by_partition(["1", "1:a", "7:b", "2:c", "1:d"], 3) == {0: ["1"], 1: ["a", "d"], 2: ["c"]}


def _settled_after_every_push(calls) -> bool:
    last_push = max((i for i, c in enumerate(calls) if c.pushes), default=-1)
    first_settle = min((i for i, c in enumerate(calls) if c.acks or c.fails), default=len(calls))
    return first_settle >= last_push


def test_a_commit_writes_every_push_before_any_ack():
    pushes = [_push(2, "a"), _push(0, "b"), _push(2, "c")]
    calls = plan_commit(pushes, ["1:x", "y"], [("1:z", "{}")], 3)
    # partition 0 holds a push and an ack: its call is the last push call and carries
    # the ack; partition 1 holds only an ack and a failure: a call after every push
    assert [c.partition for c in calls] == [2, 0, 1]
    assert [[p.data for p in c.pushes] for c in calls] == [["a", "c"], ["b"], []]
    assert [c.acks for c in calls] == [[], ["y"], ["x"]]
    assert calls[2].fails == [("z", "{}")]
    assert _settled_after_every_push(calls)


def test_acks_ride_with_the_last_push_call_when_it_can():
    calls = plan_commit([_push(0), _push(1)], ["a", "1:b"], [], 2)
    assert [(c.partition, len(c.pushes), c.acks) for c in calls] == [
        (0, 1, []),
        (1, 1, ["b"]),
        (0, 0, ["a"]),
    ]
    assert _settled_after_every_push(calls)


def test_calls_stay_few_and_none_is_empty():
    n = 4
    pushes = [_push(i) for i in range(n)]
    acks = [tag(i, "a") for i in range(n)]
    calls = plan_commit(pushes, acks, [], n)
    assert len(calls) <= 2 * n - 1 and _settled_after_every_push(calls)
    assert all(c.pushes or c.acks or c.fails for c in calls)
    assert plan_commit([], [], [], n) == []
    only_acks = plan_commit([], [tag(3, "a")], [], n)
    assert [(c.partition, c.acks) for c in only_acks] == [(3, ["a"])]


@pytest.mark.parametrize("name", ["farm", "broad", "inferencemax", "a-much-longer-spider-name"])
@pytest.mark.parametrize("masters", [3, 6, 24])
def test_partition_tags_fall_evenly_on_masters_that_split_the_slots_evenly(
    name: str, masters: int
) -> None:
    n = 4 * masters
    tags = spread_tags(name, n)
    assert tags[0] == name and len(set(tags)) == n
    assert tags == spread_tags(name, n)  # every worker finds the same
    run = SLOTS / masters  # redis-cli --cluster create: equal runs of slots
    per_master = Counter(int(key_slot(t.encode()) // run) for t in tags)
    assert sorted(per_master.values()) == [4] * masters
