"""A frontier in partitions on one real Redis (``FRONTIER_PARTITIONS``): how many, where
their keys are, exact dedup across them, leases handed out once and reclaimed, and the
report, re-queue and purge of the whole crawl."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from scrapy.settings import Settings

from benchcrawl.broad import defaults as broad_defaults
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier import defaults
from benchcrawl.frontier.factory import frontier_queue
from benchcrawl.frontier.interface import Push
from benchcrawl.frontier.partitions import PartitionedQueue, partition_keys, split
from tests.support.redis_server import RedisServer

CRAWLER = object()  # the leased queue reads nothing of its crawler


@pytest.fixture
def server(redis_server: RedisServer) -> Iterator[redis.Redis]:
    with redis_server.client() as client:
        yield client


def _settings(**overrides: Any) -> Settings:
    settings = Settings()
    settings.setmodule(defaults)
    settings.update(overrides)
    return settings


def _worker(server: redis.Redis, worker: str, partitions: int = 3, **settings: Any) -> Any:
    return frontier_queue(
        server,
        _settings(FRONTIER_PARTITIONS=partitions, **settings),
        "t",
        worker,
        CRAWLER,
        "exact",
    )


def _pushes(queue: PartitionedQueue, count: int) -> list[Push]:
    pushes = []
    for i in range(count):
        url = f"https://example.com/{i}"
        fp = hashlib.sha1(url.encode()).digest()
        pushes.append(Push(True, 0, url, [fp[:12]], queue.partition_of(url, fp)))
    return pushes


def test_one_redis_keeps_its_key_names_and_stores_nothing_by_default(server):
    queue = _worker(server, "w1", partitions=0)
    assert not isinstance(queue, PartitionedQueue)
    assert queue.keys.queue == "t:requests" and server.get("t:partitions") is None


def test_partitions_have_their_own_keys_and_the_number_is_stored(server):
    queue = _worker(server, "w1")
    assert isinstance(queue, PartitionedQueue)
    assert [k.queue for k in partition_keys(queue)] == [
        "t:requests",
        "t#1:requests",
        "t#2:requests",
    ]
    assert server.get("t:partitions") == b"3"
    # a later worker with the default uses the stored number
    assert len(_worker(server, "w2", partitions=0)) == 3


def test_a_worker_with_another_number_is_refused_in_one_sentence(server):
    _worker(server, "w1")
    with pytest.raises(ConfigError) as e:
        _worker(server, "w2", partitions=4)
    message = str(e.value)
    assert "FRONTIER_PARTITIONS is 4" in message and "started with 3" in message
    assert "\n" not in message and "purge" in message


def test_the_polite_queue_keeps_each_domain_in_one_partition(server):
    """The polite queue routes by domain: every request of a host, its ready turn and its
    queue in one partition; the report adds the partitions' own counts; purge empties all."""
    settings = _settings(FRONTIER_QUEUE_CLASS="benchcrawl.polite.queue.PoliteQueue")
    settings.setmodule(broad_defaults)
    settings.set("FRONTIER_PARTITIONS", 3)
    crawler = SimpleNamespace(settings=settings, spider=SimpleNamespace(name="t"), stats=None)
    queue = frontier_queue(server, settings, "t", "w1", crawler, "exact")
    assert isinstance(queue, PartitionedQueue) and len(queue) == 3
    assert [p.polite.ready for p in queue.parts] == [
        "t:domains:ready",
        "t#1:domains:ready",
        "t#2:domains:ready",
    ]
    hosts = [f"h{i}.test" for i in range(12)]
    pushes = []
    for host in hosts:
        for n in range(3):
            url = f"http://{host}/{n}"
            fp = hashlib.sha1(url.encode()).digest()
            data = f'{{"url": "{url}"}}'
            pushes.append(Push(True, 0, data, [fp[:12]], queue.partition_of(url, fp)))
    by_host: dict[str, set[int]] = {}
    for push, host in zip(pushes, [h for h in hosts for _ in range(3)], strict=True):
        by_host.setdefault(host, set()).add(push.partition)
    assert all(len(p) == 1 for p in by_host.values())  # a host's requests: one partition
    assert {p for ps in by_host.values() for p in ps} == {0, 1, 2}  # the hosts spread
    assert queue.commit(pushes, [], []).pushed == 36
    for host, (i,) in by_host.items():  # its queue and its turn live in its partition only
        part = queue.parts[i].polite
        assert server.zscore(part.ready, host) is not None
        assert server.exists(part.queue_prefix + host + ":lists")
        others = [p.polite for j, p in enumerate(queue.parts) if j != i]
        assert all(server.zscore(o.ready, host) is None for o in others)
    report = queue.report()
    assert (report["queued"], report["domains_ready"], report["partitions"]) == (36, 12, 3)
    assert queue.purge() > 0
    assert server.keys("t*") == []


def test_dedup_is_exact_across_partitions_and_each_request_is_leased_once(server):
    a, b = _worker(server, "a"), _worker(server, "b")
    pushes = _pushes(a, 300)
    assert {p.partition for p in pushes} == {0, 1, 2}
    assert a.commit(pushes, [], []).pushed == 300
    again = b.commit(pushes[::2], [], [])
    assert (again.pushed, again.duplicates) == (0, 150)
    assert [server.scard(k.dupefilter) > 0 for k in partition_keys(a)] == [True] * 3
    mine: dict[Any, list[str]] = {a: [], b: []}
    data: list[bytes] = []
    for _ in range(200):  # bounded: 300 requests, 8 a call, two workers
        got = 0
        for q in (a, b):
            rows = q.lease(8, 60_000)
            mine[q] += [lease for lease, _ in rows]
            data += [d for _, d in rows]
            got += len(rows)
        if not got:
            break
    assert sorted(data) == sorted(p.data.encode() for p in pushes)
    assert {split(lease)[0] for lease in mine[a] + mine[b]} == {0, 1, 2}
    state = a.maintain(mine[a], 60_000, 600_000)
    assert (state.queued, state.leased, state.lost) == (0, 300, [])
    assert a.commit([], mine[a], []).acked + b.commit([], mine[b], []).acked == 300
    assert a.maintain([], 60_000, 600_000).leased == 0


def test_a_dead_workers_leases_come_back_from_every_partition(server):
    dead, alive = _worker(server, "dead"), _worker(server, "alive")
    dead.commit(_pushes(dead, 60), [], [])
    held = []
    for _ in range(20):
        got = dead.lease(8, 1)  # 1 ms: expired at once
        if not got:
            break
        held += got
    assert len(held) == 60
    reclaimed = 0
    for _ in range(50):  # bounded; each maintenance reclaims what has expired
        reclaimed += alive.maintain([], 60_000, 600_000).reclaimed
        if reclaimed == 60:
            break
    assert reclaimed == 60
    again = []
    for _ in range(20):
        got = alive.lease(8, 60_000)
        if not got:
            break
        again += got
    assert sorted(d for _, d in again) == sorted(d for _, d in held)


def test_report_requeue_and_purge_cover_every_partition(server):
    w = _worker(server, "w1")
    w.commit(_pushes(w, 30), [], [])
    leased = w.lease(30, 60_000)  # one call fills the batch from successive partitions
    assert len(leased) == 30
    w.maintain([lease for lease, _ in leased], 60_000, 600_000)  # its heartbeat
    fails = [(lease, '{"reason": "HTTP 404"}') for lease, _ in leased[:6]]
    assert w.commit([], [lease for lease, _ in leased[6:10]], fails).failed == 6
    inspect = frontier_queue(server, _settings(), "t")  # what scrapy frontier builds
    assert isinstance(inspect, PartitionedQueue)
    report = inspect.report(failed_limit=20)
    assert report["queued"] == 0 and report["leases"] == {"w1": 20}
    assert report["failed"] == 6 and len(report["failed_sample"]) == 6
    assert {i for i, _ in report["failed_sample"]} == {lease for lease, _ in fails}
    assert report["partitions"] == 3 and "w1" in report["workers"]
    assert inspect.requeue_failed() == 6
    assert inspect.report()["queued"] == 6
    assert inspect.purge() > 0
    assert server.keys("*") == []


def _scripts_run(server: redis.Redis) -> int:
    return int(server.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


def test_an_idle_worker_asks_no_partition_the_last_maintenance_found_empty(server):
    w = _worker(server, "w1")
    first, second = _pushes(w, 2)
    w.commit([first], [], [])
    w.commit([], [lease for lease, _ in w.lease(8, 60_000)], [])  # the scripts are loaded
    w.maintain([], 60_000, 600_000)  # every partition empty
    before = _scripts_run(server)
    assert w.lease(8, 60_000) == [] and w.lease(8, 60_000) == []
    assert _scripts_run(server) == before  # no call at all
    w.commit([second], [], [])  # its own push: that partition is asked again
    before = _scripts_run(server)
    assert [d for _, d in w.lease(8, 60_000)] == [second.data.encode()]
    assert _scripts_run(server) == before + 1
