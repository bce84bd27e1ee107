"""The plain frontier (the leased queue) and its clients on a real Redis Cluster: a URL
naming any node gives redis-py's cluster client, every key of a crawl carries the
spider's hash tag, a key template that would split a script over slots is one sentence,
and two workers crawl a farm with every page fetched once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
import redis
from redis.cluster import RedisCluster
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from bench._farm import Farm
from benchcrawl.connection import (
    check_redis,
    key_scope,
    on_cluster,
    partition_scopes,
    redis_client,
)
from benchcrawl.exceptions import ConfigError
from benchcrawl.frontier import defaults
from benchcrawl.frontier.interface import FrontierKeys, Push
from benchcrawl.frontier.queue import LeasedQueue, queued
from tests.frontier.conftest import BASE_SETTINGS
from tests.support.redis_cluster import RedisClusterServer
from tests.support.redis_server import RedisServer
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env

PAGES = 300


def _settings(**overrides: str) -> Settings:
    settings = Settings()
    settings.setmodule(defaults)
    settings.update(overrides)
    return settings


def test_any_node_gives_the_cluster_client_and_one_redis_a_plain_one(
    redis_cluster: RedisClusterServer, redis_server: RedisServer
) -> None:
    for port in redis_cluster.ports:  # masters and replicas alike
        client = redis_client(f"redis://127.0.0.1:{port}/0", 2, 5)
        assert isinstance(client, RedisCluster) and on_cluster(client)
        assert key_scope(client, "farm") == "{farm}"
        client.close()
    check_redis(redis_cluster.url, 2)
    with redis_client(redis_server.url, 2, 5) as plain:
        assert type(plain) is redis.Redis and key_scope(plain, "farm") == "farm"
        # on one Redis the key names are those of before: no tag
        keys = FrontierKeys.from_settings(_settings(), key_scope(plain, "farm"))
        assert keys.queue == "farm:requests"


def test_the_leased_queue_on_a_cluster_keeps_its_protocol(
    redis_cluster: RedisClusterServer, request: pytest.FixtureRequest
) -> None:
    server = redis_client(redis_cluster.url, 2, 5)
    request.addfinalizer(server.close)
    keys = FrontierKeys.from_settings(_settings(), key_scope(server, "farm"))
    assert keys.queue == "{farm}:requests" and keys.dupefilter == "{farm}:dupefilter"
    queue = LeasedQueue(server, keys, "w1", "exact")
    pushes = [
        Push(True, 0, f'{{"url": "http://a/{i}", "priority": 0}}', [b"%020d" % i]) for i in range(5)
    ]
    assert queue.commit(pushes, [], []).pushed == 5
    assert queue.commit(pushes[:2], [], []).duplicates == 2
    leased = queue.lease(3, 10_000)
    assert len(leased) == 3
    state = queue.maintain([i for i, _ in leased], 10_000, 60_000)
    assert (state.queued, state.leased, state.lost) == (2, 3, [])
    assert queue.commit([], [leased[0][0]], [(leased[1][0], '{"reason": "x"}')]).acked == 1
    assert queue.release([leased[2][0]]) == 1
    report = queue.report()
    assert report["queued"] == 3 and report["failed"] == 1 and report["workers"].keys() == {"w1"}
    assert queue.requeue_failed() == 1
    assert queue.purge() > 0
    assert server.exists(*keys.all()) == 0


def test_waiting_for_a_replica_on_a_cluster_asks_the_master_that_holds_the_keys(
    redis_cluster: RedisClusterServer, request: pytest.FixtureRequest
) -> None:
    server = redis_client(redis_cluster.url, 2, 5)
    request.addfinalizer(server.close)
    keys = FrontierKeys.from_settings(_settings(), key_scope(server, "farm"))
    # long enough for a replica of a loaded 2-core host to answer; the paused one waits it out
    crawler = get_crawler(settings_dict={"FRONTIER_WAIT_REPLICAS": 1, "FRONTIER_WAIT_TIMEOUT": 3})
    queue = LeasedQueue(server, keys, "w1", "exact", crawler.settings, crawler.stats)
    redis_cluster.wait_synced()
    push = Push(True, 0, "http://a/1", [b"%012d" % 1])
    assert queue.commit([push], [], []).pushed == 1
    assert crawler.stats.get_value("frontier/replication/short") is None  # its replica has it

    master = server.get_node_from_key(keys.queue).port
    replica = redis_cluster.replica_of(master)
    redis_cluster.pause(replica)
    request.addfinalizer(lambda: redis_cluster.resume(replica))
    push = Push(True, 0, "http://a/2", [b"%012d" % 2])
    assert queue.commit([push], [], []).pushed == 1  # the master has it; the crawl goes on
    assert crawler.stats.get_value("frontier/replication/short") == 1
    assert len(queue.lease(2, 10_000)) == 2
    assert crawler.stats.get_value("frontier/replication/short") == 2


def test_a_key_template_without_the_spider_is_one_sentence_on_a_cluster(
    redis_cluster: RedisClusterServer, request: pytest.FixtureRequest
) -> None:
    server = redis_client(redis_cluster.url, 2, 5)
    request.addfinalizer(server.close)
    settings = _settings(FRONTIER_DATA_KEY="shared:requests:data")
    keys = FrontierKeys.from_settings(settings, key_scope(server, "farm"))
    with pytest.raises(ConfigError) as e:
        LeasedQueue(server, keys, "w1", "exact")
    message = str(e.value)
    assert "{farm}:requests" in message and "shared:requests:data" in message
    assert "%(spider)s" in message and "\n" not in message


@pytest.mark.slow  # six redis-servers, nginx and two scrapy workers
@pytest.mark.timeout(180)
def test_two_workers_crawl_every_page_once_on_a_cluster(
    redis_cluster: RedisClusterServer,
    make_farm: Callable[..., Farm],
    scrapy_process: Callable[..., ScrapyProcess],
) -> None:
    farm = make_farm(PAGES)
    settings = {**BASE_SETTINGS, "REDIS_URL": redis_cluster.url, "CONCURRENT_REQUESTS": "8"}
    cmd = scrapy_command("crawl", "farm", settings=settings, args={"start_url": farm.url(0)})
    workers = [scrapy_process(f"worker{i}", cmd, scrapy_env()) for i in range(2)]
    for w in workers:
        assert w.wait(120) == 0, w.log[-3000:]
    fetches: Counter[str] = farm.fetches()
    assert set(fetches) == {f"/p/{i}.html" for i in range(PAGES)}
    assert max(fetches.values()) == 1
    assert sum(w.stat("frontier/requests/acked") for w in workers) == PAGES
    assert all("Traceback" not in w.log for w in workers)
    with RedisCluster.from_url(redis_cluster.url) as client:
        n = int(client.get("{farm}:partitions"))
        assert n == 4 * len(redis_cluster.master_ports())  # the default: 4 per master
        keys = [
            FrontierKeys.from_settings(_settings(), s) for s in partition_scopes(client, "farm", n)
        ]
        assert sum(client.scard(k.dupefilter) for k in keys) == PAGES
        assert all(queued(client, k.queue) == client.zcard(k.leases) == 0 for k in keys)
        # spread evenly: the partitions' slots give each master the same number of them,
        # and each master dedups a fair share of the pages
        masters = redis_cluster.master_ports()
        owner = [client.get_node_from_key(k.queue).port for k in keys]
        assert sorted(Counter(owner).values()) == [n // len(masters)] * len(masters)
        seen = Counter()
        for k, port in zip(keys, owner, strict=True):
            seen[port] += client.scard(k.dupefilter)
        assert min(seen.values()) >= PAGES / (2 * len(masters)), seen
    # spread, not just tolerated: every master holds part of the frontier and ran scripts
    for port in redis_cluster.master_ports():
        node = redis_cluster.node(port)
        assert node.dbsize() > 0, port
        stats = node.info("commandstats")
        assert stats.get("cmdstat_evalsha", {}).get("calls", 0) > 0, (port, stats)
