"""Benchmark: the broad spider against stock scrapy-redis on one site farm, in one run.

Farm: ``--hosts`` loopback hosts (127.0.0.41...) x ``--pages`` pages of 100-140 KB with 40
links each (one in ten to another host), served by nginx. Each run: a fresh redis-server,
two workers crawling the whole farm from one seed per host, delay 0.

- stock: scrapy-redis 0.9.1 scheduler, dupefilter and priority queue; the spider follows
  ``response.css("a::attr(href)")`` with ``response.follow`` (bench/broad_stock_spider.py),
  ``allowed_domains`` = the farm;
- broad: ``scrapy seed broad`` + ``scrapy crawl broad`` with the polite queue, fetch gate,
  robots.txt (404 here), Lexbor links, one Redis call per page, WARC (gzip level 1) and the
  visited index all on; ``BROAD_MIN_DELAY=0``.

Measured: pages (unique URLs the farm served with 200), pages per crawler CPU-second (both
workers' user+sys from wait4, start-up included) and pages/s (first to last fetch in the
farm's log). Medians of N runs, sides interleaved.

    python bench/broad_crawl.py [--hosts 20] [--pages 150] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._farm import RedisServer  # noqa: E402
from bench.broad_farm import BroadFarm, Fetch, generated_site  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
COMMON = ["-s", "LOG_LEVEL=WARNING", "-s", "RESOURCES_ENABLED=False"]
STOCK = [
    "-s",
    "SPIDER_MODULES=bench.broad_stock_spider",
    "-s",
    "SCHEDULER=scrapy_redis.scheduler.Scheduler",
    "-s",
    "DUPEFILTER_CLASS=scrapy_redis.dupefilter.RFPDupeFilter",
    "-s",
    "SCHEDULER_QUEUE_CLASS=scrapy_redis.queue.PriorityQueue",
]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BROAD_WARC_DIR")}
    env["PYTHONPATH"] = str(PROJECT)
    return env


def _workers(
    side: str, redis_url: str, seeds: list[str], workdir: Path, extra: list[str]
) -> list[list[str]]:
    base = [sys.executable, "-m", "scrapy", "crawl"]
    if side == "stock":
        cmd = [*base, "stock", *COMMON, *STOCK, "-s", f"REDIS_URL={redis_url}"]
        return [[*cmd, "-a", f"seeds={','.join(seeds)}"]] * 2
    seed_file = workdir / "seeds.txt"
    seed_file.write_text("\n".join(seeds) + "\n")
    subprocess.run(
        [sys.executable, "-m", "scrapy", "seed", "broad", str(seed_file)]
        + ["-s", f"REDIS_URL={redis_url}", *extra],
        cwd=PROJECT,
        env=_env(),
        check=True,
        capture_output=True,
    )
    cmd = [*base, "broad", *COMMON, "-s", f"REDIS_URL={redis_url}", "-s", "BROAD_MIN_DELAY=0"]
    cmd += ["-s", "SCHEDULER_IDLE_BEFORE_CLOSE=1", *extra]
    return [[*cmd, "-s", f"BROAD_WARC_DIR={workdir / 'warc'}"]] * 2


def run_once(
    side: str,
    farm: BroadFarm,
    seeds: list[str],
    tmp: Path,
    *,
    want: int | None = None,
    is_page: Callable[[Fetch], bool] = lambda f: True,
    wrap: Callable[[int, list[str]], list[str]] | None = None,
    redis: Callable[[Path], AbstractContextManager[Any]] = RedisServer,
    measure: Callable[[Any], Callable[[], dict]] | None = None,
    settings: list[str] | None = None,
) -> dict:
    """One crawl of *farm* from *seeds* by two workers of *side* on a fresh Redis (*redis*:
    a workdir -> a context manager whose value has ``url``; a cluster in
    bench/cluster_scale.py), with the extra ``-s NAME=VALUE`` *settings*. Workers
    still running 20 s after the farm served *want* pages, or (``want`` None) after it
    served nothing for 20 s, are stopped. Pages: unique URLs answered 200 that *is_page*
    counts. *wrap* (worker number, command) -> command runs a worker under something (a
    profiler: bench/cpu_per_page.py). *measure* (the server) is called before the workers
    start and returns what is called after they end, whose numbers join the result."""
    workdir = tmp / f"{side}-{time.monotonic_ns()}"
    workdir.mkdir()
    with redis(workdir / "redis") as server:
        farm.reset_log()
        commands = _workers(side, server.url, seeds, workdir, settings or [])
        after = measure(server) if measure is not None else None
        if wrap is not None:
            commands = [wrap(n, cmd) for n, cmd in enumerate(commands)]
        procs = [
            subprocess.Popen(
                cmd, cwd=PROJECT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for cmd in commands
        ]
        cpu = 0.0
        running = {p.pid: p for p in procs}
        deadline = time.monotonic() + 900
        done_at = None
        served, served_at = 0, time.monotonic()
        while running:
            for pid in list(running):
                got, _, usage = os.wait4(pid, os.WNOHANG)
                if got:
                    cpu += usage.ru_utime + usage.ru_stime
                    del running[pid]
            now = time.monotonic()
            if want is None:  # done when the farm has been quiet for 20 s
                if (count := len(farm.log_lines())) != served:
                    served, served_at = count, now
                late = served > 0 and now - served_at > 20
            else:
                if done_at is None and _pages(farm) >= want:
                    done_at = now
                late = done_at is not None and now - done_at > 20
            if late or time.monotonic() > deadline:
                for p in running.values():
                    p.terminate()
            time.sleep(0.2)
        fetches = [f for f in farm.fetches() if f.status == 200 and is_page(f)]
        extra = after() if after is not None else {}
    shutil.rmtree(workdir, ignore_errors=True)
    unique = len({(f.host, f.uri) for f in fetches})
    span = max(f.start for f in fetches) - min(f.start for f in fetches)
    return {
        "pages": unique,
        "fetches": len(fetches),
        "pages_per_cpu_s": unique / cpu,
        "pages_per_s": unique / span,
        "cpu_s": cpu,
    } | extra


def _pages(farm: BroadFarm) -> int:
    return len({(f.host, f.uri) for f in farm.fetches() if f.status == 200})


def compare(
    runs: int, sides: Callable[[str], dict], report: Callable[[int, str, dict], None]
) -> dict[str, list[dict]]:
    """*runs* rounds of stock then broad (interleaved), each ``sides(side)``."""
    results: dict[str, list[dict]] = {"stock": [], "broad": []}
    for run in range(runs):
        for side in results:
            r = sides(side)
            results[side].append(r)
            report(run, side, r)
    return results


def print_run(run: int, side: str, r: dict) -> None:
    print(
        f"  run {run + 1} {side:5s}: {r['pages']} pages ({r['fetches']} fetches), "
        f"{r['pages_per_cpu_s']:.1f} pages/CPU-s, {r['pages_per_s']:.1f} pages/s, "
        f"{r['cpu_s']:.1f} CPU-s",
        flush=True,
    )


def print_medians(results: dict[str, list[dict]]) -> dict[str, tuple[float, float]]:
    """Print and return each side's median (pages/CPU-s, pages/s)."""
    base = statistics.median(r["pages_per_cpu_s"] for r in results["stock"])
    medians = {}
    print("medians:")
    for side, rs in results.items():
        per_cpu = statistics.median(r["pages_per_cpu_s"] for r in rs)
        per_s = statistics.median(r["pages_per_s"] for r in rs)
        medians[side] = (per_cpu, per_s)
        print(
            f"  {side:5s}: {per_cpu:6.1f} pages/CPU-s (x{per_cpu / base:.2f} vs stock), "
            f"{per_s:6.1f} pages/s"
        )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    hosts = [f"127.0.0.{41 + i}" for i in range(args.hosts)]
    tmp = Path(tempfile.mkdtemp(prefix="broad-bench-"))
    sites = {
        h: generated_site(i, args.pages, 40, (100_000, 140_000), hosts) for i, h in enumerate(hosts)
    }
    with BroadFarm(tmp / "farm", sites, workers=1) as farm:
        print(
            f"farm: {args.hosts} hosts x {args.pages} pages of 100-140 KB, 40 links each; "
            f"2 workers per side; {args.runs} runs"
        )
        seeds = [farm.url(h, "/p/0.html") for h in hosts]
        results = compare(
            args.runs,
            lambda side: run_once(
                side,
                farm,
                seeds,
                tmp,
                want=len(hosts) * args.pages,
                is_page=lambda f: f.uri.startswith("/p/"),
            ),
            print_run,
        )
    shutil.rmtree(tmp, ignore_errors=True)
    print_medians(results)


if __name__ == "__main__":
    main()
