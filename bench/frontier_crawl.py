"""Benchmark (a): Redis and crawler cost per crawled page, stock scrapy-redis vs benchcrawl.

Each run: a fresh redis-server, one ``scrapy crawl farm`` worker crawling a local nginx farm
of ~120 KB pages with ~40 links each until every page is fetched. Measured: Redis CPU
(``INFO cpu``, user+sys) per page, Redis commands per page (``total_commands_processed``,
and every command including those run inside Lua from ``INFO commandstats``), pages per
crawler CPU-second (the worker's user+sys, start-up included). Prints medians of N runs,
baseline side by side, sides interleaved in the same run.

    python bench/frontier_crawl.py [--pages 1000] [--runs 3] [--sides exact,bloom]
        [--baseline /path/to/other/checkout]

``--sides`` keeps the sides whose name holds one of the words; ``--baseline`` adds each
benchcrawl side again, run from another checkout (e.g. a clone of the previous version).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._farm import Farm, RedisServer  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent

SIDES = {
    "stock scrapy-redis 0.9.1": [
        "-s",
        "SCHEDULER=scrapy_redis.scheduler.Scheduler",
        "-s",
        "DUPEFILTER_CLASS=scrapy_redis.dupefilter.RFPDupeFilter",
        "-s",
        "SCHEDULER_QUEUE_CLASS=scrapy_redis.queue.PriorityQueue",
    ],
    "benchcrawl frontier (exact)": ["-s", "FRONTIER_DEDUP=exact"],
    "benchcrawl frontier (bloom)": [
        "-s",
        "FRONTIER_DEDUP=bloom",
        "-s",
        "FRONTIER_BLOOM_CAPACITY=1000000",
    ],
    "benchcrawl (exact, no local)": ["-s", "FRONTIER_DEDUP=exact", "-s", "FRONTIER_LOCAL_SEEN=0"],
    "benchcrawl (bloom, no local)": [
        "-s",
        "FRONTIER_DEDUP=bloom",
        "-s",
        "FRONTIER_BLOOM_CAPACITY=1000000",
        "-s",
        "FRONTIER_LOCAL_SEEN=0",
    ],
}


def _redis_counters(r: redis.Redis) -> tuple[float, int, int]:
    cpu = r.info("cpu")
    stats = r.info("stats")
    inner = sum(v["calls"] for k, v in r.info("commandstats").items())
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"], stats["total_commands_processed"], inner


BASELINE = " (baseline)"


def run_once(side: str, farm: Farm, workdir: Path, baseline: str = "") -> dict[str, float]:
    with RedisServer(workdir / "redis") as server:
        r = redis.Redis(port=server.port)
        farm.reset_log()
        cpu0, cmds0, inner0 = _redis_counters(r)
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "farm",
            "-s",
            "SPIDER_MODULES=tests.frontier.spiders",
            "-s",
            f"REDIS_URL={server.url}",
            "-s",
            "LOG_LEVEL=WARNING",
            "-s",
            "SCHEDULER_IDLE_BEFORE_CLOSE=1",
            "-s",
            "FRONTIER_IDLE_POLL_INTERVAL=0.5",
            *SIDES[side.removesuffix(BASELINE)],
            "-a",
            f"start_url={farm.url(0)}",
        ]
        started = time.monotonic()
        code = Path(baseline) if side.endswith(BASELINE) else PROJECT
        env = {**os.environ, "PYTHONPATH": str(code)}
        proc = subprocess.Popen(
            cmd, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = started + 600
        done_at = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if done_at is None and len(farm.fetches()) >= farm.pages:
                done_at = time.monotonic()
            if time.monotonic() > deadline or (
                done_at is not None and time.monotonic() - done_at > 20
            ):
                proc.terminate()  # a worker that does not close by itself
            time.sleep(0.1)
        cpu1, cmds1, inner1 = _redis_counters(r)
        pages = len(farm.fetches())
        fetches = sum(farm.fetches().values())
    return {
        "pages": pages,
        "fetches": fetches,
        "redis_cpu_ms_per_page": (cpu1 - cpu0) * 1000 / pages,
        "redis_cmds_per_page": (cmds1 - cmds0) / pages,
        "redis_all_cmds_per_page": (inner1 - inner0) / pages,
        "pages_per_crawler_cpu_s": pages / (usage.ru_utime + usage.ru_stime),
        "crawler_cpu_s_per_1000": (usage.ru_utime + usage.ru_stime) * 1000 / pages,
        "wall_s": time.monotonic() - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--links", type=int, default=40)
    parser.add_argument("--size", type=int, default=120_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sides", default="", help="comma-separated words a side's name holds")
    parser.add_argument("--baseline", help="another checkout to run the benchcrawl sides from")
    args = parser.parse_args()
    sides = [s for s in SIDES if not args.sides or any(w in s for w in args.sides.split(","))]
    if args.baseline:
        sides += [s + BASELINE for s in sides if s.startswith("benchcrawl")]
    results: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="frontier-bench-") as tmp:
        workdir = Path(tmp)
        with Farm(
            workdir / "farm", args.pages, links=args.links, size=args.size, host="127.0.0.2"
        ) as farm:
            for run in range(args.runs):
                for side in sides:
                    res = run_once(side, farm, workdir, args.baseline or "")
                    results[side].append(res)
                    print(
                        f"run {run + 1} {side}: "
                        + ", ".join(f"{k}={v:.3g}" for k, v in res.items()),
                        flush=True,
                    )
    keys = [
        "pages",
        "fetches",
        "redis_cpu_ms_per_page",
        "redis_cmds_per_page",
        "redis_all_cmds_per_page",
        "pages_per_crawler_cpu_s",
        "crawler_cpu_s_per_1000",
    ]
    print(
        f"\nmedians of {args.runs} runs, {args.pages} pages of ~{args.size // 1000} KB with "
        f"{args.links} links each"
    )
    print(f"{'':32}" + "".join(f"{k:>26}" for k in keys))
    for side, rows in results.items():
        print(
            f"{side:32}" + "".join(f"{statistics.median(r[k] for r in rows):>26.3f}" for k in keys)
        )


if __name__ == "__main__":
    main()
