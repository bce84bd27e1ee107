"""The leased queue against a real Redis: order, leases, acks, reclaims, failures, dedup."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
import redis
import scrapy

from benchcrawl.frontier.bloom import BloomShape
from benchcrawl.frontier.dupefilter import RedisDupeFilter
from benchcrawl.frontier.queue import FrontierKeys, LeasedQueue, Push
from benchcrawl.frontier.serialize import RequestCodec, url_of
from tests.support.redis_server import RedisServer

KEYS = FrontierKeys(
    queue="t:requests",
    data="t:requests:data",
    leases="t:requests:leases",
    owners="t:requests:owners",
    failed="t:requests:failed",
    seq="t:requests:seq",
    workers="t:workers",
    dupefilter="t:dupefilter",
)


def _fp(url: str) -> bytes:
    return hashlib.sha1(url.encode()).digest()


def _push(url: str, priority: int = 0, filtered: bool = True) -> Push:
    # as the codec writes them: the plain form, or format 2 with a priority
    data = json.dumps([url, None, None, {"p": priority}]) if priority else url
    return Push(filtered, -priority, data, [_fp(url)])


def _v1(url: str, priority: int = 0) -> str:
    """A request as versions before the compact codec wrote it (format 1)."""
    return json.dumps(
        {
            "v": 1,
            "url": url,
            "headers": [],
            "body": "",
            "meta": {},
            "cookies": {},
            "cb_kwargs": {},
            "callback": None,
            "errback": None,
            "encoding": "utf-8",
            "flags": [],
            "dont_filter": False,
            "method": "GET",
            "priority": priority,
        }
    )


def _worker(server: redis.Redis, name: str) -> LeasedQueue:
    return LeasedQueue(server, KEYS, name, "exact")


def _urls(rows: list[tuple[str, bytes]]) -> list[str]:
    return [url_of(data) for _, data in rows]


@pytest.fixture
def server(redis_server: RedisServer) -> redis.Redis:
    return redis_server.client()


def test_priority_then_fifo(server: redis.Redis) -> None:
    q = _worker(server, "w1")
    pushes = [_push(f"u{i}", priority=i % 3) for i in range(12)]
    assert q.commit(pushes, [], []).pushed == 12
    got = _urls(q.lease(12, 60_000))
    expected = [f"u{i}" for p in (2, 1, 0) for i in range(12) if i % 3 == p]
    assert got == expected


def test_dedup_in_one_batch_and_across_batches(server: redis.Redis) -> None:
    q = _worker(server, "w1")
    r = q.commit([_push("a"), _push("b"), _push("a"), _push("a", filtered=False)], [], [])
    assert (r.pushed, r.duplicates) == (3, 1)
    r = q.commit([_push("a"), _push("c")], [], [])
    assert (r.pushed, r.duplicates) == (1, 1)


def test_lease_ack_and_the_owner_rule(server: redis.Redis) -> None:
    w1, w2 = _worker(server, "w1"), _worker(server, "w2")
    w1.commit([_push("a"), _push("b")], [], [])
    (a, _), (b, _) = w1.lease(2, 60_000)
    assert server.zcard(KEYS.leases) == 2 and server.zcard(KEYS.queue) == 0
    assert w2.commit([], [a], []).acked == 0  # not w2's lease
    assert w1.commit([], [a], []).acked == 1
    assert not server.hexists(KEYS.data, a)
    state = w1.maintain([a, b], 60_000, 600_000)
    assert state.lost == [a] and (state.queued, state.leased) == (0, 1)


def test_expired_leases_are_reclaimed_at_their_priority(server: redis.Redis) -> None:
    dead, live = _worker(server, "dead"), _worker(server, "live")
    dead.commit([_push("hi", priority=5), _push("lo", priority=0)], [], [])
    dead.lease(2, 50)  # then it dies
    live.commit([_push("mid", priority=3)], [], [])
    time.sleep(0.1)
    state = live.maintain([], 60_000, 600_000)
    assert state.reclaimed == 2 and state.queued == 3
    assert _urls(live.lease(3, 60_000)) == ["hi", "mid", "lo"]
    assert dead.maintain([], 60_000, 600_000).leased == 3  # the dead worker's acks are void


def test_renewal_keeps_a_slow_lease(server: redis.Redis) -> None:
    q = _worker(server, "slow")
    q.commit([_push("page")], [], [])
    ((lease, _),) = q.lease(1, 300)
    for _ in range(4):
        time.sleep(0.15)
        assert q.maintain([lease], 300, 600_000).lost == []
    assert server.zcard(KEYS.queue) == 0 and server.zcard(KEYS.leases) == 1


def test_failure_is_recorded_and_requeued(server: redis.Redis) -> None:
    q = _worker(server, "w1")
    q.commit([_push("bad", priority=2)], [], [])
    ((lease, _),) = q.lease(1, 60_000)
    assert q.commit([], [], [(lease, json.dumps({"reason": "HTTP 500"}))]).failed == 1
    report = q.report()
    assert report["failed"] == 1 and report["failed_sample"][0][1]["reason"] == "HTTP 500"
    assert (report["queued"], report["leases"]) == (0, {})
    assert q.requeue_failed() == 1
    assert server.zscore(KEYS.queue, lease) == -2
    assert _urls(q.lease(1, 60_000)) == ["bad"]


def test_release_puts_leases_back(server: redis.Redis) -> None:
    q = _worker(server, "w1")
    q.commit([_push("a"), _push("b")], [], [])
    ids = [i for i, _ in q.lease(2, 60_000)]
    assert q.release(ids) == 2
    assert server.zcard(KEYS.queue) == 2 and server.zcard(KEYS.leases) == 0


def test_requests_an_older_version_queued_are_leased_among_new_ones(server: redis.Redis) -> None:
    """An upgrade mid-crawl: what 0.x left in Redis (ids in the queue zset, format-1 JSON
    in the data hash) is leased in priority order with what the new version queues (older
    first at equal priority), decodes, and goes back at its priority when its lease ends."""
    old = {
        "0000000000000001": _v1("https://example.com/old-lo"),
        "0000000000000002": _v1("https://example.com/old-hi", 4),
    }
    server.hset(KEYS.data, mapping=old)
    server.zadd(KEYS.queue, {"0000000000000001": 0, "0000000000000002": -4})
    server.set(KEYS.seq, 2)
    q = _worker(server, "w1")
    q.commit([_push("https://example.com/new-hi", 4), _push("https://example.com/new-lo")], [], [])
    assert q.maintain([], 60_000, 600_000).queued == 4
    rows = q.lease(4, 50)
    assert [u.rsplit("/", 1)[1] for u in _urls(rows)] == ["old-hi", "new-hi", "old-lo", "new-lo"]
    assert len({lease for lease, _ in rows}) == 4
    codec = RequestCodec(scrapy.Spider("t"))
    assert [codec.decode(data).priority for _, data in rows] == [4, 4, 0, 0]
    time.sleep(0.1)
    assert q.maintain([], 60_000, 600_000).reclaimed == 4
    assert server.zscore(KEYS.queue, "0000000000000002") == -4
    assert [u.rsplit("/", 1)[1] for u in _urls(q.lease(4, 60_000))] == [
        "old-hi",
        "new-hi",
        "old-lo",
        "new-lo",
    ]


def test_an_older_versions_set_of_whole_fingerprints_is_kept(server: redis.Redis) -> None:
    server.sadd(KEYS.dupefilter, _fp("seen before the upgrade"))
    old = RedisDupeFilter(server, KEYS.dupefilter, None, mode="exact")
    old.open()
    assert old.mark([_fp("seen before the upgrade"), _fp("new")]) == [False, True]
    assert {len(m) for m in server.smembers(KEYS.dupefilter)} == {20}
    new = RedisDupeFilter(server, "t:fresh", None, mode="exact")
    new.open()
    assert new.mark([_fp("a"), _fp("b"), _fp("a")]) == [True, True, False]
    assert {len(m) for m in server.smembers("t:fresh")} == {12}  # a 16-byte allocation each


def test_purge_deletes_everything(server: redis.Redis) -> None:
    q = _worker(server, "w1")
    q.commit([_push("a"), _push("b", priority=3), _push("c", priority=-1)], [], [])
    q.lease(1, 60_000)
    q.maintain([], 60_000, 600_000)
    assert q.purge() > 0
    assert server.keys("t:*") == []


def test_bloom_false_positive_rate_at_design_load(server: redis.Redis) -> None:
    target, capacity = 0.01, 50_000
    shape = BloomShape.for_capacity(capacity, target)
    bloom = RedisDupeFilter(server, "t:bloom", None, mode="bloom", bloom=shape)
    bloom.open()
    assert server.strlen("t:bloom") == shape.nbytes
    fresh = []
    for start in range(0, capacity, 5_000):
        fresh += bloom.mark([_fp(f"in-{i}") for i in range(start, start + 5_000)])
    assert sum(fresh) >= capacity * (1 - target)  # the filling itself sees few false hits
    probes = 20_000
    new = bloom.mark([_fp(f"out-{i}") for i in range(probes)], readonly=True)
    rate = 1 - sum(new) / probes
    assert target / 2 <= rate <= target * 2, rate
    assert abs(bloom.seen_count() - capacity) < capacity * 0.02
    assert all(not x for x in bloom.mark([_fp("in-1"), _fp("in-49999")]))


def _bytes_per_url(server: redis.Redis, n: int) -> float:
    keys = list(server.scan_iter(count=1000))
    return sum(server.memory_usage(k, samples=0) or 0 for k in keys) / n


def test_a_queued_url_costs_under_150_bytes_with_its_dedup(server: redis.Redis) -> None:
    """What the issue asked for: the request as the codec writes it, queued, and its dedup
    entry, under 150 bytes of Redis memory (MEMORY USAGE of every key) per URL."""

    class Links(scrapy.Spider):
        name = "t"

        def parse(self, response: object) -> None: ...

        def on_error(self, failure: object) -> None: ...

    spider, n = Links(), 20_000
    codec = RequestCodec(spider)
    dupefilter = RedisDupeFilter(server, KEYS.dupefilter, None, mode="exact")
    dupefilter.open()
    pushes = []
    for i in range(n):
        url = f"https://www.site{i % 200:03d}.example/articles/{i:07d}.html"
        request = scrapy.Request(url, callback=spider.parse, errback=spider.on_error)
        pushes.append(Push(True, 0, codec.encode(request), dupefilter.key_of(_fp(url))))
    assert _worker(server, "w1").commit(pushes, [], []).pushed == n
    assert _bytes_per_url(server, n) < 150
    leased = _worker(server, "w1").lease(1, 60_000)
    assert codec.decode(leased[0][1]).url == "https://www.site000.example/articles/0000000.html"
