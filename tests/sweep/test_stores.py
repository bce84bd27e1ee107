"""Both sweep stores: exactly one finalizer, whatever the order and the number of workers."""

from __future__ import annotations

import threading

import pytest
import redis

from benchcrawl.items import CombinationFailure, CombinationResult
from benchcrawl.sweep.memory import MemorySweepStore
from benchcrawl.sweep.redis import RedisSweepStore
from benchcrawl.sweep.state import FAILED, OPEN, SUCCEEDED

PLAN = [("m1", "s1"), ("m1", "s2"), ("m2", "s1")]


def result(sweep_id: str, index: int, kind: str) -> CombinationResult:
    return CombinationResult(
        sweep_id,
        index,
        *PLAN[index - 1],
        kind,
        f"http://x/{index}-{kind}",
        "2025-10-25T01:00:00+00:00",
        200,
        "application/json",
        body=f"[{index}]".encode(),
    )


def redis_store(url: str, timeout: float = 600) -> RedisSweepStore:
    return RedisSweepStore(redis.Redis.from_url(url), "t:sweep", timeout=timeout, ttl=3600)


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemorySweepStore()
    return redis_store(request.getfixturevalue("redis_url"))


def test_the_last_file_finalizes_once(store):
    sweep_id, created = store.join(1000.0)
    assert created
    store.set_plan(sweep_id, PLAN)
    progress = [
        store.record_result(result(sweep_id, i, k))
        for i in (1, 2, 3)
        for k in ("interactivity", "e2e")
    ]
    assert [p.finalize for p in progress] == [False] * 5 + [True]
    assert [p.newly_accounted for p in progress] == [False, True] * 3
    assert progress[-1].accounted == 3 and progress[-1].planned == 3
    again = store.record_result(result(sweep_id, 3, "e2e"))
    assert not again.finalize and not again.newly_accounted
    tables = store.load(sweep_id)
    assert [(r.index, r.kind) for r in tables.results] == [
        (i, k) for i in (1, 2, 3) for k in ("interactivity", "e2e")
    ]
    assert tables.results[0].body == b"[1]" and tables.planned == 3
    assert store.status(sweep_id) == (OPEN, "")
    store.finish(sweep_id, SUCCEEDED, "ok")
    assert store.status(sweep_id) == (SUCCEEDED, "ok")


def test_a_failure_accounts_for_its_combination_and_drops_its_files(store):
    sweep_id, _ = store.join(1000.0)
    store.set_plan(sweep_id, PLAN)
    store.record_result(result(sweep_id, 2, "interactivity"))
    store.record_failure(CombinationFailure(sweep_id, 2, "m1", "s2", "HTTP 404"))
    for i in (1, 3):
        for k in ("interactivity", "e2e"):
            last = store.record_result(result(sweep_id, i, k))
    assert last.finalize
    tables = store.load(sweep_id)
    assert {r.index for r in tables.results} == {1, 3}
    assert [(f.index, f.reason) for f in tables.failures] == [(2, "HTTP 404")]


def test_discovery_failure_finishes_an_empty_plan(store):
    sweep_id, _ = store.join(1000.0)
    store.set_plan(sweep_id, [])
    progress = store.record_failure(CombinationFailure(sweep_id, 0, "*", "*", "no dropdown"))
    assert progress.finalize


def test_workers_join_the_open_sweep_and_start_a_new_one_when_it_is_done(redis_url):
    a, b = redis_store(redis_url), redis_store(redis_url)
    first, created_a = a.join(1000.0)
    joined, created_b = b.join(1001.0)
    assert created_a and not created_b and joined == first
    a.finish(first, SUCCEEDED, "ok")
    second, created = b.join(2000.0)
    assert created and second != first


def test_an_abandoned_sweep_is_failed_and_replaced(redis_url):
    store = redis_store(redis_url, timeout=60)
    first, _ = store.join(1000.0)
    second, created = store.join(1061.0)
    assert created and second != first
    assert store.status(first)[0] == FAILED and "abandoned" in store.status(first)[1]


def test_many_threads_racing_get_exactly_one_finalizer(redis_url):
    sweep_id, _ = redis_store(redis_url).join(1000.0)
    plan = [(f"m{i}", "s") for i in range(40)]
    redis_store(redis_url).set_plan(sweep_id, plan)
    wins: list[int] = []

    def worker(indexes):
        store = redis_store(redis_url)
        for i in indexes:
            for kind in ("interactivity", "e2e"):
                r = CombinationResult(sweep_id, i, f"m{i}", "s", kind, "u", "t", 200, None, b"[]")
                if store.record_result(r).finalize:
                    wins.append(i)

    threads = [threading.Thread(target=worker, args=(range(1 + n, 41, 4),)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(wins) == 1
