"""Benchmark: how far the frontier goes, on one Redis and on a Redis Cluster (issue 18).

Three sections (``--section``, default all):

- ``crawl``: the broad crawl of a site farm (``--hosts`` loopback hosts x ``--pages``
  pages, two workers, delay 0, as in bench/broad_crawl.py) on three Redis set-ups, sides
  interleaved, medians of ``--runs``: one redis-server; a 3-master cluster with
  ``FRONTIER_PARTITIONS=1`` (a whole crawl in one slot: what hash tags alone give); a 3-master
  cluster with partitions (the default). Measured per master: CPU (``INFO cpu``, the idle
  cluster's own rate, read for 3 s before the crawl, subtracted), script calls (``INFO
  commandstats``), and from them the Redis CPU per page in all and on the busiest master. One
  master saturates at one core, so the pages per second a set-up can carry is
  1000 / (busiest master's CPU ms per page). Two more set-ups price ``FRONTIER_WAIT_REPLICAS``:
  the partitioned cluster with a replica per master, without and with ``WAIT`` for one
  (pages/s and pages per crawler CPU-second tell the cost).
- ``memory``: ``scrapy seed broad`` of ``--urls`` URLs over ``--domains`` domains into one
  redis-server and into the partitioned cluster: bytes of ``used_memory`` per queued URL
  (dedup included), in all and per master, and queued URLs per GB.
- ``simulate``: a model, no Redis: ``--workers`` workers crawling at the seed crawler's rate
  per node (1.005 billion pages in 25.5 h on 12 nodes: 912 pages/s each) over N masters,
  each domain in the partition of its name's CRC32 and each partition on the master that
  serves its hash slot (even slot ranges, as ``redis-cli --cluster create`` makes them).
  Queued URLs per domain follow a Zipf law (hot domains), fetches are capped per domain
  by its politeness delay. It prints, per N, the busiest master's share of the Redis CPU
  and of the memory, the Redis CPU the busiest master needs (cores), the pages per second
  the set-up carries, and the busiest master's memory for a billion queued URLs. The
  per-page CPU and bytes per URL are the ``crawl`` and ``memory`` sections' figures
  (``--cpu-ms`` and ``--bytes`` when run alone).

    python bench/cluster_scale.py [--section crawl,memory,simulate] [--runs 3] [--setups WORDS]
        [--hosts 30] [--pages 150] [--urls 100000] [--domains 1000] [--workers 100]
"""

from __future__ import annotations

import argparse
import itertools
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import redis
from redis.crc import key_slot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._farm import RedisServer  # noqa: E402
from bench._redis_cluster import RedisClusterServer  # noqa: E402
from bench.broad_crawl import _env, run_once  # noqa: E402
from bench.broad_farm import BroadFarm, generated_site  # noqa: E402
from benchcrawl.connection import SLOTS, spread_tags  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
IDLE_S = 3.0  # how long the idle rate of CPU is read before a crawl

# The seed crawler (Andrew Chan, "Crawling a billion web pages in just over 24 hours, in
# 2025"): 1.005e9 pages in 25.5 hours on 12 nodes, each with its own Redis, domains split
# over the 12 by hand; its Redis saturated at about 120k operations per second.
SEED_PAGES, SEED_HOURS, SEED_NODES = 1.005e9, 25.5, 12
SEED_RATE = SEED_PAGES / (SEED_HOURS * 3600) / SEED_NODES  # pages/s per node


def _cluster(workdir: Path) -> RedisClusterServer:
    return RedisClusterServer(workdir, masters=3, replicas=0)


class _ReplicatedCluster(RedisClusterServer):
    """3 masters with a replica each, in sync before the crawl starts."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir, masters=3, replicas=1)

    def start(self, timeout: float = 60.0) -> RedisClusterServer:
        super().start(timeout)
        self.wait_synced()
        return self


WAIT = ["-s", "FRONTIER_WAIT_REPLICAS=1"]
SETUPS: dict[str, tuple[Callable[[Path], Any], list[str]]] = {
    "one Redis": (RedisServer, []),
    "3 masters, 1 partition": (_cluster, ["-s", "FRONTIER_PARTITIONS=1"]),
    "3 masters, partitioned": (_cluster, []),
    "+ replicas": (_ReplicatedCluster, []),
    "+ replicas, WAIT 1": (_ReplicatedCluster, WAIT),
}


# --- reading the masters ------------------------------------------------------------------
def _masters(server: Any) -> list[redis.Redis]:
    """A plain client per master (one for a single redis-server)."""
    if isinstance(server, RedisClusterServer):
        return [server.node(p) for p in server.master_ports()]
    return [redis.Redis(port=server.port)]


def _counters(client: redis.Redis) -> tuple[float, int]:
    cpu = client.info("cpu")
    stats = client.info("commandstats")
    scripts = sum(v["calls"] for k, v in stats.items() if k in ("cmdstat_evalsha", "cmdstat_eval"))
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"], scripts


def per_master(server: Any) -> Callable[[], dict]:
    """Reads the masters' CPU and script calls now (after their idle rate), and returns
    what reads them again after the crawl: each master's CPU seconds, idle rate removed."""
    masters = _masters(server)
    idle0 = [_counters(m)[0] for m in masters]
    time.sleep(IDLE_S)
    start = [_counters(m) for m in masters]
    idle_rate = [(s[0] - i) / IDLE_S for s, i in zip(start, idle0, strict=True)]
    began = time.monotonic()

    def after() -> dict:
        took = time.monotonic() - began
        end = [_counters(m) for m in masters]
        cpu = [
            max(0.0, e[0] - s[0] - rate * took)
            for e, s, rate in zip(end, start, idle_rate, strict=True)
        ]
        calls = [e[1] - s[1] for e, s in zip(end, start, strict=True)]
        for m in masters:
            m.close()
        return {"master_cpu_s": cpu, "master_script_calls": calls}

    return after


def crawl_section(args: argparse.Namespace) -> dict[str, float]:
    hosts = [f"127.0.0.{41 + i}" for i in range(args.hosts)]
    tmp = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    sites = {
        h: generated_site(i, args.pages, 40, (100_000, 140_000), hosts) for i, h in enumerate(hosts)
    }
    chosen = {
        name: setup
        for name, setup in SETUPS.items()
        if not args.setups or any(word in name for word in args.setups.split(","))
    }
    results: dict[str, list[dict]] = {name: [] for name in chosen}
    with BroadFarm(tmp / "farm", sites, workers=1) as farm:
        seeds = [farm.url(h, "/p/0.html") for h in hosts]
        print(
            f"crawl: {args.hosts} hosts x {args.pages} pages, 2 broad workers, delay 0; "
            f"{args.runs} runs, set-ups interleaved"
        )
        for run in range(args.runs):
            for name, (make, settings) in chosen.items():
                r = run_once(
                    "broad",
                    farm,
                    seeds,
                    tmp,
                    want=len(hosts) * args.pages,
                    is_page=lambda f: f.uri.startswith("/p/"),
                    redis=make,
                    measure=per_master,
                    settings=settings,
                )
                r |= _derived(r)
                results[name].append(r)
                shares = "/".join(
                    f"{c / max(sum(r['master_cpu_s']), 1e-9):.0%}" for c in r["master_cpu_s"]
                )
                calls = "/".join(str(c) for c in r["master_script_calls"])
                print(
                    f"run {run + 1} {name}: {r['pages']} pages ({r['fetches']} fetches), "
                    f"{r['pages_per_s']:.0f} pages/s, Redis CPU {r['cpu_ms']:.3f} ms/page "
                    f"(per master {shares}), busiest {r['busiest_ms']:.3f} ms/page, "
                    f"script calls per master {calls}",
                    flush=True,
                )
    shutil.rmtree(tmp, ignore_errors=True)
    keys = ["pages", "pages_per_s", "pages_per_cpu_s", "cpu_ms", "busiest_ms", "capacity"]
    print(f"\nmedians of {args.runs} runs")
    print(f"{'':26}" + "".join(f"{k:>16}" for k in keys))
    medians = {}
    for name, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in keys}
        medians[name] = med
        print(f"{name:26}" + "".join(f"{med[k]:>16.3f}" for k in keys))
    first = next(iter(medians))
    for name, med in medians.items():
        ratio = med["capacity"] / medians[first]["capacity"]
        print(f"  {name}: carries {med['capacity']:,.0f} pages/s ({ratio:.2f}x {first})")
    # the model's cost per page: the partitioned cluster's, if it ran
    return {"cpu_ms": medians.get("3 masters, partitioned", medians[first])["cpu_ms"]}


def _derived(r: dict) -> dict:
    cpu = r["master_cpu_s"]
    total = sum(cpu)
    busiest = max(cpu)
    pages = max(r["pages"], 1)
    return {
        "cpu_ms": total * 1000 / pages,
        "busiest_ms": busiest * 1000 / pages,
        "busiest_share": busiest / total if total else 1.0,
        # a master is one core: the busiest one sets the limit
        "capacity": pages / busiest if busiest else math.inf,
    }


# --- memory ---------------------------------------------------------------------------------
def _seed(url: str, seeds: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "scrapy", "seed", "broad", str(seeds), "-s", f"REDIS_URL={url}"],
        cwd=PROJECT,
        env=_env(),
        check=True,
        capture_output=True,
        timeout=1800,
    )


def _used(masters: list[redis.Redis]) -> list[int]:
    return [int(m.info("memory")["used_memory"]) for m in masters]


def memory_section(args: argparse.Namespace) -> float:
    tmp = Path(tempfile.mkdtemp(prefix="cluster-mem-"))
    seeds = tmp / "seeds.txt"
    seeds.write_text(
        "".join(
            f"https://d{i % args.domains}.example/p/{i}/item?ref=list\n" for i in range(args.urls)
        )
    )
    print(f"\nmemory: scrapy seed broad of {args.urls:,} URLs over {args.domains:,} domains")
    found = {}
    for name, make in (("one Redis", RedisServer), ("3 masters, partitioned", _cluster)):
        with make(tmp / name.replace(" ", "-")) as server:
            masters = _masters(server)
            before = _used(masters)
            _seed(server.url, seeds)
            grew = [a - b for a, b in zip(_used(masters), before, strict=True)]
            for m in masters:
                m.close()
        per_url = sum(grew) / args.urls
        found[name] = per_url
        shares = "/".join(f"{g / max(sum(grew), 1):.0%}" for g in grew)
        busiest = max(grew) / args.urls  # bytes per queued URL on the busiest master
        print(
            f"  {name}: {per_url:.0f} bytes per queued URL (per master {shares}): "
            f"{1e3 / per_url:.2f} M queued URLs per GB; the busiest master fills a GB at "
            f"{1e3 / busiest:.2f} M"
        )
    shutil.rmtree(tmp, ignore_errors=True)
    return found["3 masters, partitioned"]


# --- the model ------------------------------------------------------------------------------
def slot_owner(slot: int, masters: int) -> int:
    """The master serving *slot* when the cluster was made with even slot ranges."""
    return min(slot * masters // SLOTS, masters - 1)


class Web:
    """The domains of the model: queued URLs per domain by a Zipf law over ranks shuffled
    once, capped at ``BROAD_DOMAIN_CAP`` (what is over is dropped, as the crawl does), and
    each domain's name's CRC32 (what picks its partition)."""

    def __init__(self, domains: int, zipf: float, queued: float, cap: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        weights = 1 / np.arange(1, domains + 1) ** zipf
        rng.shuffle(weights)
        self.share = weights / weights.sum()
        low, high = queued, queued * 1000.0  # the offered URLs that leave *queued* after the cap
        for _ in range(60):
            mid = (low + high) / 2
            low, high = (
                (mid, high) if np.minimum(self.share * mid, cap).sum() < queued else (low, mid)
            )
        self.queued = np.minimum(self.share * high, cap)
        self.crc = np.array([zlib.crc32(f"d{d}.example".encode()) for d in range(domains)])


def crawl_rate(share: np.ndarray, demand: float, cap: float) -> np.ndarray:
    """Pages/s per domain: the demand spread in proportion to *share*, no domain over *cap*
    (its politeness delay); what a capped domain cannot take goes to the others."""
    pages = np.zeros_like(share)
    open_ = np.ones(share.shape, dtype=bool)
    for _ in range(100):  # water-filling: each round caps at least one more domain
        left = demand - pages.sum()
        if left <= 1e-6 or not open_.any():
            break
        s = np.where(open_, share, 0.0)
        pages = np.where(open_, pages + left * s / s.sum(), pages)
        over = pages >= cap
        pages[over] = cap
        open_ &= ~over
    return pages


def simulate(
    web: Web,
    masters: int,
    *,
    demand: float,
    cpu_ms: float,
    bytes_per_url: float,
    partitions_per_master: int = 4,
    delay: float = 1.0,
    spread: bool = True,
) -> dict[str, float]:
    """The steady state of a crawl wanting *demand* pages/s over *masters* masters: each
    page costs *cpu_ms* of Redis CPU on the master of its domain's partition, each queued
    URL *bytes_per_url* there. A master is one core: the busiest one sets the pace.
    *spread*: the partitions' tags as benchcrawl picks them (evenly spaced slots,
    :func:`benchcrawl.connection.spread_tags`); otherwise ``broad#i`` as they fall."""
    partitions = masters * partitions_per_master if masters > 1 else 1
    fall = ["broad"] + [f"broad#{i}" for i in range(1, partitions)]
    tags = spread_tags("broad", partitions) if spread else fall
    slots = [key_slot(tag.encode()) for tag in tags]
    owner = np.array([slot_owner(slot, masters) for slot in slots])
    master = owner[web.crc % partitions] if partitions > 1 else np.zeros_like(web.crc)
    pages = crawl_rate(web.share, demand, 1 / delay)
    load = np.bincount(master, weights=pages * cpu_ms / 1000, minlength=masters)
    memory = np.bincount(master, weights=web.queued * bytes_per_url, minlength=masters)
    crawled = float(pages.sum())
    busiest = float(load.max())
    return {
        "partitions": partitions,
        "cpu_share": busiest / float(load.sum()),
        "cores": busiest,
        "carried": crawled / max(busiest, 1.0),
        "demand": demand,
        "mem_share": float(memory.max() / memory.sum()),
        "mem_gb": float(memory.max()) / 1e9,
    }


def simulate_section(args: argparse.Namespace, cpu_ms: float, bytes_per_url: float) -> None:
    demand = args.workers * SEED_RATE
    print(
        f"\nmodel: {args.workers} workers x {SEED_RATE:.0f} pages/s (the seed's rate per node) "
        f"= {demand:,.0f} pages/s wanted; {cpu_ms:.3f} ms of Redis CPU per page, "
        f"{bytes_per_url:.0f} bytes per queued URL; a billion queued URLs over "
        f"{args.sim_domains:,} domains (Zipf 1.1, at most 10,000 each), 1 s delay per domain; "
        f"medians of 5 webs"
    )
    webs = [Web(args.sim_domains, 1.1, 1e9, 10_000, seed) for seed in range(5)]
    print(
        "  masters | partitions | tags | busiest master's CPU share | its cores needed | "
        "pages/s carried | busiest master's memory share | its GB"
    )
    for n, spread in itertools.product([int(x) for x in args.masters.split(",")], (False, True)):
        if n == 1 and not spread:
            continue
        rows = [
            simulate(
                web, n, demand=demand, cpu_ms=cpu_ms, bytes_per_url=bytes_per_url, spread=spread
            )
            for web in webs
        ]
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        tags = "spread" if spread else "as they fall"
        print(
            f"  {n} | {med['partitions']:.0f} | {tags} | {med['cpu_share']:.1%} | "
            f"{med['cores']:.2f} | "
            f"{med['carried']:,.0f} of {med['demand']:,.0f} | {med['mem_share']:.1%} | "
            f"{med['mem_gb']:.1f}"
        )
    queued = float(webs[0].queued.sum())
    print(
        f"  ({queued / 1e9:.2f} billion URLs stay queued under the per-domain cap.) The seed's "
        f"12 hand-made shards: each node's own Redis carried its {SEED_RATE:.0f} pages/s; "
        f"benchcrawl's frontier needs {SEED_RATE * cpu_ms / 1000:.2f} of a core for that"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", default="crawl,memory,simulate")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--setups", default="", help="comma-separated words a set-up's name holds")
    parser.add_argument("--hosts", type=int, default=30)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--masters", default="1,3,6,12,24")
    parser.add_argument("--sim-domains", type=int, default=1_000_000)
    parser.add_argument("--cpu-ms", type=float, default=0.12, help="when crawl is not run")
    parser.add_argument("--bytes", type=float, default=144.0, help="when memory is not run")
    args = parser.parse_args()
    sections = args.section.split(",")
    cpu_ms, bytes_per_url = args.cpu_ms, args.bytes
    if "crawl" in sections:
        cpu_ms = crawl_section(args)["cpu_ms"]
    if "memory" in sections:
        bytes_per_url = memory_section(args)
    if "simulate" in sections:
        simulate_section(args, cpu_ms, bytes_per_url)


if __name__ == "__main__":
    main()
