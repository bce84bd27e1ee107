"""The broad crawl on a real Redis Cluster (3 masters, 3 replicas on loopback), with
nothing set but ``REDIS_URL`` naming one node: ``scrapy seed``, two workers, ``scrapy
frontier``, the crawl spread over every master (12 partitions by default, a domain's state
in its partition); a master killed mid-crawl, and a master's slots moved mid-crawl."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from redis.cluster import RedisCluster
from scrapy.settings import Settings

from bench.broad_farm import BroadFarm, generated_site
from benchcrawl.broad import defaults as broad_defaults
from benchcrawl.connection import partition_scopes
from benchcrawl.frontier import defaults as frontier_defaults
from benchcrawl.frontier.partitions import route
from benchcrawl.polite.domains import visited_index
from benchcrawl.polite.queue import PoliteQueue
from tests.broad.conftest import broad_env, run_seed, scrapy_args
from tests.support.redis_cluster import RedisClusterServer
from tests.support.worker import PROJECT, ScrapyProcess, scrapy_command, wait_until

pytestmark = pytest.mark.slow  # a cluster of six redis-servers, nginx and scrapy workers

PAGES = 40
PARTITIONS = 12  # the default on three masters: 4 per master


def _hosts(url: str) -> list[str]:
    """Farm hosts whose partitions (of the default 12) cover every master, one host per
    master, so that every master holds a busy part of the crawl whatever tag each
    partition gets."""
    with RedisCluster.from_url(url) as client:
        scopes = partition_scopes(client, "broad", PARTITIONS)
        master_of = [client.get_node_from_key(f"{s}:requests").port for s in scopes]
    hosts: list[str] = []
    covered: set[int] = set()
    for last in range(71, 120):  # bounded: 49 candidates for 3 masters
        host = f"127.0.0.{last}"
        master = master_of[route(PoliteQueue.route_key(f"http://{host}/", b""), PARTITIONS)]
        if master not in covered:
            hosts.append(host)
            covered.add(master)
        if len(covered) == len(set(master_of)):
            break
    assert len(covered) == len(set(master_of)) == 3, (hosts, master_of)
    return hosts


def _farm(make: Callable[..., BroadFarm], hosts: list[str]) -> BroadFarm:
    return make({h: generated_site(i, PAGES, 4, 2000, hosts) for i, h in enumerate(hosts)})


def _seed(url: str, farm: BroadFarm, hosts: list[str], tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in hosts))
    seeded = run_seed(url, seeds)
    assert seeded.returncode == 0, seeded.stderr
    assert f"{len(hosts)} URLs ({len(hosts)} new) of {len(hosts)} domains" in seeded.stdout


def _workers(
    scrapy_process: Callable[..., ScrapyProcess], url: str, n: int, **settings: object
) -> list[ScrapyProcess]:
    cmd = scrapy_command("crawl", "broad") + scrapy_args(url, settings)
    return [scrapy_process(f"worker{i}", cmd, broad_env()) for i in range(n)]


def _pages(farm: BroadFarm) -> Counter[str]:
    """How many times each page was fetched, by URL."""
    return Counter(farm.url(f.host, f.uri) for f in farm.fetches() if f.uri.startswith("/p/"))


def _every_page(farm: BroadFarm, hosts: list[str]) -> set[str]:
    return {farm.url(h, f"/p/{n}.html") for h in hosts for n in range(PAGES)}


def _domain_keys(cluster: RedisClusterServer) -> dict[int, int]:
    """Per master, how many keys of domain queues it holds."""
    out = {}
    for port in cluster.master_ports():
        with cluster.node(port) as node:
            out[port] = sum(1 for _ in node.scan_iter(match="*:domain:*", count=1000))
    return out


def _busiest(cluster: RedisClusterServer) -> int:
    """The master holding the most of the crawl: domain queues first, then keys."""
    domains = _domain_keys(cluster)
    sizes = {p: cluster.info(p, "keyspace").get("db0", {}).get("keys", 0) for p in domains}
    return max(domains, key=lambda p: (domains[p], sizes[p]))


def _settings() -> Settings:
    settings = Settings()
    settings.setmodule(frontier_defaults)
    settings.setmodule(broad_defaults)
    return settings


@pytest.mark.timeout(240)
def test_seed_crawl_and_inspect_on_a_cluster(
    request: pytest.FixtureRequest,
    redis_cluster: RedisClusterServer,
    make_broad_farm: Callable[..., BroadFarm],
    scrapy_process: Callable[..., ScrapyProcess],
    tmp_path: Path,
) -> None:
    url = redis_cluster.url
    hosts = _hosts(url)
    farm = _farm(make_broad_farm, hosts)
    _seed(url, farm, hosts, tmp_path)

    workers = _workers(
        scrapy_process, url, 2, BROAD_MIN_DELAY="0.05", BROAD_WARC_DIR=str(tmp_path / "warc")
    )
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]

    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm, hosts)
    assert max(fetched.values()) == 1, [u for u, n in fetched.items() if n > 1]
    for w in workers:
        assert "Traceback" not in w.log, w.log[-3000:]
        assert "Redis Cluster" not in w.log  # no slot error, no unusable cluster
        assert w.stat("broad/pages") > 0  # both took part
        assert w.stat("frontier/requests/failed") == 0

    client = RedisCluster.from_url(url)
    request.addfinalizer(client.close)
    assert client.get("{broad}:partitions") == str(PARTITIONS).encode()
    visited = visited_index(client, _settings(), "broad")
    assert set(visited) >= _every_page(farm, hosts)
    assert visited[farm.url(hosts[0], "/p/0.html")]["status"] == 200
    # the crawl is spread: every master holds domain queues' keys and visited records
    # (each host's partition) and served a share of the script calls
    masters = redis_cluster.master_ports()
    for port in masters:
        with redis_cluster.node(port) as node:
            assert any(node.scan_iter(match="*:visited", count=1000)), port
    calls = {
        p: redis_cluster.info(p, "commandstats").get("cmdstat_evalsha", {}).get("calls", 0)
        for p in masters
    }
    print(f"script calls per master: {calls}")
    assert all(n > 0 for n in calls.values()), calls

    shown = subprocess.run(
        scrapy_command("frontier", "broad", "--json") + scrapy_args(url, {}),
        cwd=PROJECT,
        env=broad_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["queued"] == 0 and report["failed"] == 0 and report["leases"] == {}
    assert report["seen"] >= len(_every_page(farm, hosts))
    assert report["partitions"] == PARTITIONS
    scopes = partition_scopes(client, "broad", PARTITIONS)  # the polite queue's counts add up
    assert report["domains_ready"] == sum(client.zcard(f"{s}:domains:ready") for s in scopes)

    purged = subprocess.run(
        scrapy_command("frontier", "broad", "--purge") + scrapy_args(url, {}),
        cwd=PROJECT,
        env=broad_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert purged.returncode == 0, purged.stderr
    assert sum(_domain_keys(redis_cluster).values()) == 0
    assert client.keys("*broad*") == []  # nothing of the crawl left, on any master


@pytest.mark.timeout(300)
def test_a_master_killed_mid_crawl_fails_over_and_every_page_is_fetched(
    redis_cluster: RedisClusterServer,
    make_broad_farm: Callable[..., BroadFarm],
    scrapy_process: Callable[..., ScrapyProcess],
    tmp_path: Path,
) -> None:
    """``kill -9`` of the master that holds the most of the crawl (a host's partition at
    least): its replica takes over, the workers
    wait it out with backoff and finish with every page fetched. Replication is
    asynchronous, so the last writes before the crash may be lost: the replica holds an
    earlier state of the slot (writes replicate in order), so work is repeated, not lost;
    the pages fetched twice are printed (what the window cost in this run)."""
    url = redis_cluster.url
    hosts = _hosts(url)
    farm = _farm(make_broad_farm, hosts)
    _seed(url, farm, hosts, tmp_path)
    redis_cluster.wait_synced()  # an unsynced replica refuses to take over
    holder = _busiest(redis_cluster)
    workers = _workers(
        scrapy_process,
        url,  # perhaps the node about to be killed: the client knows the others by then
        2,
        BROAD_MIN_DELAY="0.15",  # about 20 pages/s over three hosts: the crawl lasts ~6 s
        BROAD_WARC_DIR=str(tmp_path / "warc"),
        FRONTIER_LEASE_TIME="6",  # a lease whose ack was lost comes back soon
        FRONTIER_RETRY_MAX_DELAY="1",
    )
    total = len(_every_page(farm, hosts))
    assert wait_until(lambda: sum(_pages(farm).values()) >= total // 3, 120), workers[0].log
    redis_cluster.kill(holder)
    redis_cluster.wait_ok(60)  # the replica was promoted
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]

    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm, hosts)  # nothing lost
    twice = sorted(u for u, n in fetched.items() if n > 1)
    logs = [w.log for w in workers]
    outages = re.findall(r"Redis is back after ([0-9.]+) s", "".join(logs))
    print(f"failover: {len(twice)} of {total} pages fetched twice; outages (s): {outages}")
    assert len(twice) < total // 2, twice
    assert all("Traceback" not in log for log in logs), logs[0][-3000:]
    assert any("lost Redis" in log for log in logs) and any("Redis is back" in log for log in logs)
    assert all(w.stat("frontier/requests/failed") == 0 for w in workers)


@pytest.mark.timeout(300)
def test_slots_moved_by_a_reshard_mid_crawl_lose_nothing(
    redis_cluster: RedisClusterServer,
    make_broad_farm: Callable[..., BroadFarm],
    scrapy_process: Callable[..., ScrapyProcess],
    tmp_path: Path,
) -> None:
    """``redis-cli --cluster reshard`` moves every slot of the master that holds the most
    of the crawl, its partitions' among them, to another master while two workers crawl:
    scripts meet ``ASK``/``TRYAGAIN`` and then ``MOVED``, and wait; every page is fetched
    once."""
    url = redis_cluster.url
    hosts = _hosts(url)
    farm = _farm(make_broad_farm, hosts)
    _seed(url, farm, hosts, tmp_path)
    holder = _busiest(redis_cluster)
    with RedisCluster.from_url(url) as client:
        scopes = partition_scopes(client, "broad", PARTITIONS)
        moving = [s for s in scopes if client.get_node_from_key(s).port == holder]
    target = next(p for p in redis_cluster.master_ports() if p != holder)
    workers = _workers(
        scrapy_process,
        url,
        2,
        BROAD_MIN_DELAY="0.5",  # about 6 pages/s over three hosts: the crawl lasts ~20 s
        BROAD_WARC_DIR=str(tmp_path / "warc"),
        FRONTIER_RETRY_MAX_DELAY="1",
    )
    total = len(_every_page(farm, hosts))
    assert wait_until(lambda: sum(_pages(farm).values()) >= total // 4, 120), workers[0].log
    owned = redis_cluster.info(holder, "keyspace")  # the source still serves the crawl
    assert owned.get("db0", {}).get("keys", 0) > 0
    redis_cluster.reshard(holder, target, 16384 // 3 + 1)
    during = sum(_pages(farm).values())
    print(f"reshard: {during} of {total} pages fetched when it ended")
    assert during < total  # the crawl went on through the move
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]
    with RedisCluster.from_url(url) as client:  # the holder's partitions moved
        assert moving and all(client.get_node_from_key(s).port == target for s in moving)
    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm, hosts)
    assert max(fetched.values()) == 1, [u for u, n in fetched.items() if n > 1]
    assert all("Traceback" not in w.log for w in workers)
    assert all(w.stat("frontier/requests/failed") == 0 for w in workers)
