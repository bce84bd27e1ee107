"""The broad crawl on a real Redis Cluster (3 masters, 3 replicas on loopback), with
nothing set but ``REDIS_URL`` naming one node: ``scrapy seed``, two workers, ``scrapy
frontier``; and a master killed mid-crawl."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from redis.cluster import RedisCluster

from bench.broad_farm import BroadFarm, generated_site
from tests.broad.conftest import broad_env, run_seed, scrapy_args
from tests.support.redis_cluster import RedisClusterServer
from tests.support.worker import PROJECT, ScrapyProcess, scrapy_command, wait_until

pytestmark = pytest.mark.slow  # a cluster of six redis-servers, nginx and scrapy workers

HOSTS = ["127.0.0.71", "127.0.0.72", "127.0.0.73"]
PAGES = 40


def _farm(make: Callable[..., BroadFarm]) -> BroadFarm:
    return make({h: generated_site(i, PAGES, 4, 2000, HOSTS) for i, h in enumerate(HOSTS)})


def _seed(url: str, farm: BroadFarm, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in HOSTS))
    seeded = run_seed(url, seeds)
    assert seeded.returncode == 0, seeded.stderr
    assert f"{len(HOSTS)} URLs ({len(HOSTS)} new) of {len(HOSTS)} domains" in seeded.stdout


def _workers(
    scrapy_process: Callable[..., ScrapyProcess], url: str, n: int, **settings: object
) -> list[ScrapyProcess]:
    cmd = scrapy_command("crawl", "broad") + scrapy_args(url, settings)
    return [scrapy_process(f"worker{i}", cmd, broad_env()) for i in range(n)]


def _pages(farm: BroadFarm) -> Counter[str]:
    """How many times each page was fetched, by URL."""
    return Counter(farm.url(f.host, f.uri) for f in farm.fetches() if f.uri.startswith("/p/"))


def _every_page(farm: BroadFarm) -> set[str]:
    return {farm.url(h, f"/p/{n}.html") for h in HOSTS for n in range(PAGES)}


@pytest.mark.timeout(240)
def test_seed_crawl_and_inspect_on_a_cluster(
    request: pytest.FixtureRequest,
    redis_cluster: RedisClusterServer,
    make_broad_farm: Callable[..., BroadFarm],
    scrapy_process: Callable[..., ScrapyProcess],
    tmp_path: Path,
) -> None:
    farm = _farm(make_broad_farm)
    url = redis_cluster.url
    _seed(url, farm, tmp_path)

    workers = _workers(
        scrapy_process, url, 2, BROAD_MIN_DELAY="0.05", BROAD_WARC_DIR=str(tmp_path / "warc")
    )
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]

    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm)
    assert max(fetched.values()) == 1, [u for u, n in fetched.items() if n > 1]
    for w in workers:
        assert "Traceback" not in w.log, w.log[-3000:]
        assert "Redis Cluster" not in w.log  # no slot error, no unusable cluster
        assert w.stat("broad/pages") > 0  # both took part
        assert w.stat("frontier/requests/failed") == 0

    # the crawl's keys are on the cluster, under the spider's hash tag, in one slot
    client = RedisCluster.from_url(url)
    request.addfinalizer(client.close)
    visited = client.hgetall("{broad}:visited")
    assert {k.decode() for k in visited} >= _every_page(farm)
    assert json.loads(visited[farm.url(HOSTS[0], "/p/0.html").encode()])["status"] == 200
    # all of the crawl's keys on the master of the tag's slot, nothing on the others
    owner = client.get_node_from_key("{broad}:visited").port
    sizes = {
        p: redis_cluster.info(p, "keyspace").get("db0", {}).get("keys", 0)
        for p in redis_cluster.master_ports()
    }
    assert sizes[owner] > 0 and all(n == 0 for p, n in sizes.items() if p != owner), sizes

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
    assert report["seen"] >= len(_every_page(farm))
    assert client.get("{broad}:partitions") == b"1"  # the polite queue keeps one, on a cluster too

    purged = subprocess.run(
        scrapy_command("frontier", "broad", "--purge") + scrapy_args(url, {}),
        cwd=PROJECT,
        env=broad_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert purged.returncode == 0, purged.stderr
    assert client.exists("{broad}:dupefilter", "{broad}:requests:data") == 0
    assert client.keys("{broad}:domain:*") == []
    assert client.get("{broad}:partitions") is None


@pytest.mark.timeout(300)
def test_a_master_killed_mid_crawl_fails_over_and_every_page_is_fetched(
    redis_cluster: RedisClusterServer,
    make_broad_farm: Callable[..., BroadFarm],
    scrapy_process: Callable[..., ScrapyProcess],
    tmp_path: Path,
) -> None:
    """``kill -9`` of the master that holds the crawl: its replica takes over, the workers
    wait it out with backoff and finish with every page fetched. Replication is
    asynchronous, so the last writes before the crash may be lost: the replica holds an
    earlier state of the slot (writes replicate in order), so work is repeated, not lost;
    the pages fetched twice are printed (what the window cost in this run)."""
    farm = _farm(make_broad_farm)
    url = redis_cluster.url
    _seed(url, farm, tmp_path)
    redis_cluster.wait_synced()  # an unsynced replica refuses to take over
    with RedisCluster.from_url(url) as client:
        holder = client.get_node_from_key("{broad}:requests").port
    workers = _workers(
        scrapy_process,
        url,  # perhaps the node about to be killed: the client knows the others by then
        2,
        BROAD_MIN_DELAY="0.15",  # about 20 pages/s over three hosts: the crawl lasts ~6 s
        BROAD_WARC_DIR=str(tmp_path / "warc"),
        FRONTIER_LEASE_TIME="6",  # a lease whose ack was lost comes back soon
        FRONTIER_RETRY_MAX_DELAY="1",
    )
    total = len(_every_page(farm))
    assert wait_until(lambda: sum(_pages(farm).values()) >= total // 3, 120), workers[0].log
    redis_cluster.kill(holder)
    redis_cluster.wait_ok(60)  # the replica was promoted
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]

    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm)  # nothing lost
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
    """``redis-cli --cluster reshard`` moves every slot of the master that holds the crawl,
    the crawl's among them, to another master while two workers crawl: scripts meet
    ``ASK``/``TRYAGAIN`` and then ``MOVED``, and wait; every page is fetched once."""
    farm = _farm(make_broad_farm)
    url = redis_cluster.url
    _seed(url, farm, tmp_path)
    with RedisCluster.from_url(url) as client:
        holder = client.get_node_from_key("{broad}:requests").port
    target = next(p for p in redis_cluster.master_ports() if p != holder)
    workers = _workers(
        scrapy_process,
        url,
        2,
        BROAD_MIN_DELAY="0.5",  # about 6 pages/s over three hosts: the crawl lasts ~20 s
        BROAD_WARC_DIR=str(tmp_path / "warc"),
        FRONTIER_RETRY_MAX_DELAY="1",
    )
    total = len(_every_page(farm))
    assert wait_until(lambda: sum(_pages(farm).values()) >= total // 4, 120), workers[0].log
    owned = redis_cluster.info(holder, "keyspace")  # the source still serves the crawl
    assert owned.get("db0", {}).get("keys", 0) > 0
    redis_cluster.reshard(holder, target, 16384 // 3 + 1)
    during = sum(_pages(farm).values())
    print(f"reshard: {during} of {total} pages fetched when it ended")
    assert during < total  # the crawl went on through the move
    for w in workers:
        assert w.wait(180) == 0, w.log[-3000:]
    with RedisCluster.from_url(url) as client:
        assert client.get_node_from_key("{broad}:requests").port == target  # it moved
    fetched = _pages(farm)
    assert set(fetched) == _every_page(farm)
    assert max(fetched.values()) == 1, [u for u, n in fetched.items() if n > 1]
    assert all("Traceback" not in w.log for w in workers)
    assert all(w.stat("frontier/requests/failed") == 0 for w in workers)
