"""The polite queue, fetch gate and page check against a real Redis (no Scrapy crawl)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import redis
from scrapy.settings import Settings

from benchcrawl.broad.robots import RobotsEntry, classify
from benchcrawl.commands import load_addon_settings
from benchcrawl.frontier.partitions import route
from benchcrawl.frontier.queue import FrontierKeys, Push
from benchcrawl.frontier.serialize import url_of
from benchcrawl.polite.domains import (
    EXCLUDED,
    NOT_SEED,
    DomainState,
    PartitionedDomains,
    domain_state,
)
from benchcrawl.polite.keys import PoliteKeys
from benchcrawl.polite.queue import ROBOTS_META, PoliteQueue
from benchcrawl.spiders.broad import BroadSpider


def _settings() -> Settings:
    settings = Settings()
    settings.setmodule("benchcrawl.settings")
    BroadSpider.update_settings(settings)
    load_addon_settings(settings)
    return settings


@pytest.fixture
def server(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def _queue(server: redis.Redis, worker: str = "w1", **kwargs: object) -> PoliteQueue:
    settings = _settings()
    options: dict[str, object] = {
        "min_delay": 0.5,
        "lookahead": 0.0,
        "domain_cap": 0,
        "idle_poll": 0.1,
    }
    options.update(kwargs)
    return PoliteQueue(
        server,
        FrontierKeys.from_settings(settings, "t"),
        worker,
        "exact",
        PoliteKeys.from_settings(settings, "t"),
        **options,  # type: ignore[arg-type]
    )


def _state(server: redis.Redis, **kwargs: object) -> DomainState:
    settings = _settings()
    options: dict[str, object] = {
        "min_delay": 0.5,
        "margin": 0.0,
        "subdomains": False,
        "robots_ttl": 60,
        "robots_retry": 0.3,
    }
    options.update(kwargs)
    return DomainState(server, PoliteKeys.from_settings(settings, "t"), "t:dupefilter", **options)  # type: ignore[arg-type]


def _push(url: str, priority: int = 0) -> Push:
    data = json.dumps({"url": url, "priority": priority})
    return Push(True, -priority, data, [url.encode()])


def _urls(rows: list[tuple[str, bytes]]) -> list[str]:
    return [url_of(data) for _, data in rows]


def _redis_ms(server: redis.Redis) -> int:
    """Redis's clock in ms, read as the gate script reads it (TIME)."""
    sec, usec = server.time()
    return int(sec) * 1000 + int(usec) // 1000


def _allow(state: DomainState, *domains: str, delay_ms: int = 0) -> None:
    for d in domains:
        state.store_robots(d, classify(404), delay_ms)


def test_first_lease_of_a_domain_is_its_robots_txt(server: redis.Redis) -> None:
    queue, state = _queue(server), _state(server)
    state.add_seeds(["a.test"])
    queue.commit([_push("https://a.test:8443/1"), _push("https://a.test:8443/2")], [], [])
    rows = queue.lease(10, 30_000)
    assert _urls(rows) == ["https://a.test:8443/robots.txt"]
    robots = json.loads(rows[0][1])
    assert robots[3]["d"][ROBOTS_META] == "a.test" and robots[1] == "parse_robots"
    assert queue.lease(10, 30_000) == []  # pending: no page before robots.txt is known
    state.store_robots("a.test", classify(200, b"User-agent: *\nCrawl-delay: 2\n"), 2000)
    assert queue.lease(10, 30_000) == []  # its turn: 2 s (Crawl-delay) after the robots fetch
    server.zadd("t:domains:ready", {"a.test": 0})
    before = _redis_ms(server)
    assert _urls(queue.lease(10, 30_000)) == ["https://a.test:8443/1"]
    after = _redis_ms(server)
    turn = server.zscore("t:domains:ready", "a.test")  # the next: a Crawl-delay after this
    assert turn is not None and before + 2000 <= turn <= after + 2000


def test_lease_takes_one_request_per_domain_and_moves_each_turn_on(server: redis.Redis) -> None:
    # a minute's delay: the second lease comes well within it however busy the host
    queue, state = _queue(server, min_delay=60), _state(server)
    state.add_seeds(["a.test", "b.test", "c.test"])
    _allow(state, "a.test", "b.test", "c.test")
    server.zadd("t:domains:ready", {d: 0 for d in ("a.test", "b.test", "c.test")})
    pushes = [_push(f"http://{d}/{i}") for i in range(3) for d in ("a.test", "b.test", "c.test")]
    assert queue.commit(pushes, [], []).pushed == 9
    server.zadd("t:domains:ready", {d: 0 for d in ("a.test", "b.test", "c.test")})
    before = _redis_ms(server)
    first = _urls(queue.lease(10, 30_000))
    after = _redis_ms(server)
    assert sorted(first) == ["http://a.test/0", "http://b.test/0", "http://c.test/0"]
    assert queue.lease(10, 30_000) == []  # every domain waits for its turn
    # which comes one delay after the lease: no sooner (polite), no later (a domain's pages
    # go out once a delay, as fast as politeness allows)
    turns = [server.zscore("t:domains:ready", d) for d in ("a.test", "b.test", "c.test")]
    assert all(t is not None and before + 60_000 <= t <= after + 60_000 for t in turns), turns
    server.zadd("t:domains:ready", {d: 0 for d in ("a.test", "b.test", "c.test")})  # turns come
    assert sorted(_urls(queue.lease(10, 30_000))) == [
        "http://a.test/1",
        "http://b.test/1",
        "http://c.test/1",
    ]
    assert queue.maintain([], 30_000, 60_000).queued == 3


def test_priority_then_fifo_within_a_domain(server: redis.Redis) -> None:
    queue, state = _queue(server, min_delay=0.0), _state(server)
    state.add_seeds(["a.test"])
    _allow(state, "a.test")
    queue.commit(
        [_push("http://a.test/1"), _push("http://a.test/2"), _push("http://a.test/hi", 5)], [], []
    )
    got = [_urls(queue.lease(1, 30_000)) for _ in range(3)]
    assert got == [["http://a.test/hi"], ["http://a.test/1"], ["http://a.test/2"]]


def test_unreachable_robots_txt_holds_the_domain_until_the_retry(server: redis.Redis) -> None:
    # a minute to the retry: the lease right after is well within it however busy the host
    queue, state = _queue(server, min_delay=0.0), _state(server, robots_retry=60)
    state.add_seeds(["a.test"])
    queue.commit([_push("http://a.test/1")], [], [])
    assert _urls(queue.lease(1, 30_000)) == ["http://a.test/robots.txt"]
    before = _redis_ms(server)
    state.store_robots("a.test", classify(503), 0)
    assert queue.lease(1, 30_000) == []
    retry = -int(server.hget("t:robots", "a.test") or 0)  # -until: unreachable, retry then
    assert retry >= before + 60_000 and server.zscore("t:domains:ready", "a.test") == retry
    server.hset("t:robots", "a.test", -(before - 1))  # as if the retry time had come
    server.zadd("t:domains:ready", {"a.test": before - 1})
    assert _urls(queue.lease(1, 30_000)) == ["http://a.test/robots.txt"]
    assert server.get("t:domains:queued") == b"1"  # the page waited, it was not dropped


def test_robots_txt_unreachable_too_often_fails_the_domains_requests(
    server: redis.Redis,
) -> None:
    frontier = FrontierKeys.from_settings(_settings(), "t")
    failed_key = frontier.failed
    queue = _queue(server, min_delay=0.0)
    state = _state(server, robots_retry=0.05, robots_give_up=2, frontier=frontier)
    state.add_seeds(["a.test", "b.test"])
    _allow(state, "b.test")
    queue.commit(
        [_push("http://a.test/1"), _push("http://a.test/2"), _push("http://b.test/1")], [], []
    )
    assert state.store_robots("a.test", classify(503), 0, "w1") == 0  # once: retried later
    assert server.get("t:domains:queued") == b"3"
    time.sleep(0.06)
    state.store_robots("a.test", classify(200, b"User-agent: *\nAllow: /\n"), 0)
    state.store_robots("a.test", classify(503), 0, "w1")  # a success reset the count
    assert server.hlen(failed_key) == 0
    assert state.store_robots("a.test", classify(503), 0, "w1") == 2  # twice in a row
    records = {k.decode(): json.loads(v) for k, v in server.hgetall(failed_key).items()}
    assert len(records) == 2
    assert {r["reason"] for r in records.values()} == {
        "robots.txt of a.test unreachable 2 times in a row"
    }
    assert server.get("t:domains:queued") == b"1"  # b.test's page is untouched
    assert _urls(queue.lease(10, 30_000)) == ["http://b.test/1"]
    # re-queued by the operator: the domain starts over with its robots.txt
    assert queue.requeue_failed() == 2
    assert _urls(queue.lease(10, 30_000)) == ["http://a.test/robots.txt"]


def test_domain_cap_drops_counts_and_forgets(server: redis.Redis) -> None:
    queue, state = _queue(server, min_delay=0.0, domain_cap=3), _state(server)
    state.add_seeds(["a.test"])
    _allow(state, "a.test")
    result = queue.commit([_push(f"http://a.test/{i}") for i in range(5)], [], [])
    assert (result.pushed, result.duplicates) == (3, 0)
    assert server.hget("t:domains:dropped", "a.test") == b"2"
    assert server.scard("t:dupefilter") == 3  # dropped URLs may be offered again later
    lease, _ = queue.lease(1, 30_000)[0]
    queue.commit([], [lease], [])
    assert queue.commit([_push("http://a.test/4")], [], []).pushed == 1


def test_reclaim_and_release_put_requests_back_in_their_domain(server: redis.Redis) -> None:
    one, two = _queue(server, "w1", min_delay=0.0), _queue(server, "w2", min_delay=0.0)
    state = _state(server)
    state.add_seeds(["a.test"])
    _allow(state, "a.test")
    one.commit([_push("http://a.test/1"), _push("http://a.test/2")], [], [])
    lease1 = one.lease(1, 1)[0][0]
    time.sleep(0.01)
    state_two = two.maintain([], 30_000, 60_000)
    assert state_two.reclaimed == 1 and state_two.queued == 2
    assert lease1.endswith("@a.test")
    leased = two.lease(2, 30_000)
    assert _urls(leased) == ["http://a.test/1"]  # one per turn, even at delay 0
    assert two.release([leased[0][0]]) == 1
    assert two.maintain([], 30_000, 60_000).queued == 2


def test_requests_an_older_version_queued_are_leased_first_at_their_priority(
    server: redis.Redis,
) -> None:
    """An upgrade mid-crawl: 0.x's per-domain zset of ids, format-1 JSON in the data hash."""
    queue, state = _queue(server, min_delay=0.0), _state(server)
    state.add_seeds(["a.test"])
    _allow(state, "a.test")
    old = {"v": 1, "url": "http://a.test/old", "headers": [], "body": "", "meta": {}}
    old |= {"cookies": {}, "cb_kwargs": {}, "callback": None, "errback": None, "priority": 0}
    server.hset(queue.keys.data, "0000000000000001@a.test", json.dumps(old))
    server.zadd(f"{queue.polite.queue_prefix}a.test", {"0000000000000001@a.test": 0})
    server.set("t:domains:queued", 1)
    queue.commit([_push("http://a.test/new"), _push("http://a.test/hi", 1)], [], [])
    got = [_urls(queue.lease(1, 30_000)) for _ in range(3)]
    assert got == [["http://a.test/hi"], ["http://a.test/old"], ["http://a.test/new"]]
    assert queue.maintain([], 30_000, 60_000).queued == 0


def test_excluded_and_non_seed_domains_are_dropped_at_lease(server: redis.Redis) -> None:
    queue, state = _queue(server, min_delay=0.0), _state(server)
    state.add_seeds(["a.test", "example.org"])
    state.add_excluded(["example.org"])
    _allow(state, "a.test", "www.example.org", "b.test")
    queue.commit(
        [_push("http://a.test/1"), _push("http://www.example.org/1"), _push("http://b.test/1")],
        [],
        [],
    )
    assert _urls(queue.lease(10, 30_000)) == ["http://a.test/1"]
    assert server.get("t:domains:queued") == b"0"
    assert server.hlen("t:requests:data") == 1


def test_gate_spaces_fetches_and_refuses_out_of_scope(server: redis.Redis) -> None:
    # a minute's delay: however long a busy host takes between two calls, the second is
    # inside it, and the wait is checked against Redis's clock read around the call
    state = _state(server, min_delay=60, margin=0.05)
    last_fetch = state.keys.last_fetch
    state.add_seeds(["a.test", "b.test"])
    assert state.gate("a.test") == 0
    last = int(server.hget(last_fetch, "a.test") or -1)
    before = _redis_ms(server)
    wait = state.gate("a.test")
    after = _redis_ms(server)
    # the minimum and the margin after the recorded fetch, less what elapsed since
    assert last + 60_050 - after <= wait <= last + 60_050 - before
    assert state.gate("b.test") == 0  # domains are independent
    server.hset(last_fetch, "a.test", last - 60_050)  # as if the delay had passed
    before = _redis_ms(server)
    assert state.gate("a.test") == 0
    assert int(server.hget(last_fetch, "a.test") or -1) >= before  # the new fetch recorded
    server.hset(state.keys.delays, "b.test", 120_000)  # Crawl-delay beats the minimum
    last = int(server.hget(last_fetch, "b.test") or -1)
    before = _redis_ms(server)
    wait = state.gate("b.test")
    after = _redis_ms(server)
    assert last + 120_050 - after <= wait <= last + 120_050 - before
    assert state.gate("c.test") == NOT_SEED
    state.add_excluded(["a.test"])
    assert state.gate("a.test") == EXCLUDED
    assert state.gate("sub.a.test") == EXCLUDED


def test_page_check_is_read_only_and_records_the_visit(server: redis.Redis) -> None:
    state = _state(server)
    state.add_excluded(["bad.test"])
    server.sadd("t:dupefilter", b"seen")
    flags, fresh = state.check_page(
        "http://a.test/",
        '{"status": 200}',
        "exact",
        1,
        ["a.test", "bad.test"],
        [[b"seen"], [b"new"]],
    )
    assert flags == [False, True] and fresh == [False, True]
    assert server.scard("t:dupefilter") == 1  # the commit that queues them marks them
    assert json.loads(server.hget("t:visited", "http://a.test/") or b"") == {"status": 200}
    entry = RobotsEntry("rules", "User-agent: *\nDisallow: /x\n", 200)
    state.store_robots("a.test", entry, 0)
    assert state.robots_entry("a.test") == entry


@pytest.mark.parametrize("garbage", [b"not json", b"[1, 2]", b'{"url": 7}', b"\xff\xfe"])
def test_corrupt_queued_data_does_not_block_the_queue(server: redis.Redis, garbage) -> None:
    """Anyone with the Redis can write the queue: a value that is not the codec's JSON
    must not fail the lease script for every worker."""
    queue, state = _queue(server), _state(server)
    state.add_seeds(["a.test", "b.test"])
    queue.commit([_push("https://a.test/1"), _push("https://b.test/1")], [], [])
    prefix = queue.polite.queue_prefix
    server.lset(f"{prefix}a.test:list:0", 0, garbage)  # a fresh request
    server.zadd(f"{prefix}b.test", {"00000000000000ff@b.test": -1})  # one put back
    server.hset(queue.keys.data, "00000000000000ff@b.test", garbage)
    rows = queue.lease(10, 30_000)
    # both domains still get their robots.txt lease (the corrupt one from http://domain)
    urls = _urls(rows)
    assert all(u.endswith("/robots.txt") for u in urls)
    assert sorted(urlsplit(u).hostname for u in urls) == ["a.test", "b.test"]


def test_corrupt_robots_entry_counts_as_missing(server: redis.Redis) -> None:
    state = _state(server)
    _allow(state, "a.test")
    assert state.robots_entry("a.test") is not None
    server.set(state.keys.robots_prefix + "a.test", b"\x00 not an entry")
    assert state.robots_entry("a.test") is None


def test_partitioned_domain_state_keeps_each_domain_in_its_partition(
    server: redis.Redis, redis_url: str
) -> None:
    """With 3 partitions: a domain's clock, robots.txt state and visited records go to its
    queue's partition; the seed and exclusion sets to every one; a page's call is one call
    per partition its links are in, each link checked against its partition's dedup."""
    settings = _settings()
    settings.set("REDIS_URL", redis_url)
    settings.set("FRONTIER_PARTITIONS", 3)
    state = domain_state(settings, "t")
    assert isinstance(state, PartitionedDomains) and len(state.parts) == 3
    hosts = {route(PoliteQueue.route_key(f"http://{h}/", b""), 3): h for h in HOSTS}
    a, b, c = hosts[0], hosts[1], hosts[2]  # in partitions 0, 1 and 2
    prefixes = ["t:", "t#1:", "t#2:"]
    assert state.add_seeds([a, b, c]) == 3 and state.add_excluded(["bad.test"]) == 1
    assert all(server.scard(p + "seeds") == 3 for p in prefixes)
    assert all(server.sismember(p + "excluded", "bad.test") for p in prefixes)

    assert state.gate(b) == 0 and 0 < state.gate(b)  # the second waits: b's clock
    assert [server.hexists(p + "domains:last", b) for p in prefixes] == [False, True, False]
    assert state.gate(c) == 0  # another partition's clock: no wait
    state.store_robots(c, classify(404), 0)
    assert [server.hexists(p + "robots", c) for p in prefixes] == [False, False, True]
    assert state.robots_entry(c) is not None and state.robots_entry(a) is None

    server.sadd("t#2:dupefilter", b"seen")  # a link of c seen before, in c's partition
    before = _script_calls(server)
    flags, fresh = state.check_page(
        f"http://{b}/",
        '{"status": 200}',
        "exact",
        1,
        [c, "bad.test"],
        [[b"seen"], [b"new"], [b"seen"]],
        [2, 2, 1],  # the links' partitions (c, c, b)
    )
    calls = _script_calls(server) - before
    assert flags == [False, True] and fresh == [False, True, True]
    assert calls == 2  # b's (the page's, with its link) and c's
    assert [server.hexists(p + "visited", f"http://{b}/") for p in prefixes] == [
        False,
        True,
        False,
    ]


HOSTS = [f"h{i}.test" for i in range(20)]


def _script_calls(server: redis.Redis) -> int:
    """Scripts run to the end (a first call of a script not yet loaded fails NOSCRIPT)."""
    stats = server.info("commandstats").get("cmdstat_evalsha", {})
    return int(stats.get("calls", 0)) - int(stats.get("failed_calls", 0))
