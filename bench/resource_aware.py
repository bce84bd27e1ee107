"""Benchmark: resource-aware scheduling, the paper's experiment on this machine.

Two workers share one Redis frontier; the "loaded" one is pinned to CPU 0, which a CPU hog
(``python -c "while True: pass"``, pinned there too) keeps near 100%; the "free" one is
pinned to CPU 1. Two crawls of a local nginx farm: parse-heavy pages (big HTML parsed a
few times by the callback, ~20-40 ms CPU each) and light pages (small HTML, links only).
Measured: the crawl's span (first fetch to every page fetched), middleware on versus off,
median of N runs interleaved; and the ideal: both nodes crawling at their single-worker
rates (middleware off, one run alone on each CPU) from the moment each has started. The
loaded node starts later (Python and Scrapy start on a contested core), by the delay
between the two nodes' first parsed pages in the two-worker runs; no scheduler can use a
node before it runs, so the ideal counts that delay. The start-up-blind ideal, total pages /
combined rate, is printed next to it.

    python bench/resource_aware.py [--runs 3] [--heavy-pages 600] [--light-pages 3000]
        [--set KEY=VALUE ...]   # extra -s settings for every worker

Paper (Scrapy-Redis cluster, 2024): about 37% shorter crawls on heavy pages, 5% on light.

The co-located job (``--section colocated``): what throttling buys the other work on a
busy node. Instead of the endless hog, a job with a fixed amount of work (a CPU-bound loop
calibrated to take --job-seconds alone, pinned to CPU 0) starts with the crawl. Each
crawl's job runs alone right before it too, since these hosts' CPU speed drifts by 20-40%
within a minute. Reported, median of N interleaved runs, with the middleware off, on with
``RESOURCES_NICE=0`` (the throttle alone) and on: the job's time, its speed as a share of
its solo speed (median of each run's ratio) and the CPU share it got while it ran (its CPU
time over its wall time, which that drift does not move), and the crawl's span next to the
free node crawling alone on CPU 1. Targets: with the 90% default the job keeps at least 90%
of its solo speed, and the crawl takes no longer than the free node alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._farm import Farm  # noqa: E402
from bench._resource_cluster import Hog, Job, Run, crawl  # noqa: E402

LOADED, FREE = "loaded", "free"
PAIR = {LOADED: 0, FREE: 1}
SIDES = {
    "off": {"RESOURCES_ENABLED": "False"},
    "on": {},
    "on, lease limits only": {"RESOURCES_CPU_LIMIT": "101", "RESOURCES_CPU_RESUME": "101"},
}
COLOCATED = {  # the co-located job's sides: what the throttle and the niceness each buy
    "off": SIDES["off"],
    "on, nice 0": {"RESOURCES_NICE": "0"},
    "on": {},
}
WORKLOADS = {  # name: (page size in bytes, parse passes per page)
    "heavy": (200_000, 2),
    "light": (2_000, 0),
}


def _median(runs: list[Run], attr: str) -> float:
    """Median over the runs that crawled every page (a failed run is reported, not timed)."""
    return (
        statistics.median(getattr(r, attr) for r in runs if r.ok)
        if any(r.ok for r in runs)
        else float("nan")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--heavy-pages", type=int, default=600)
    parser.add_argument("--light-pages", type=int, default=3000)
    parser.add_argument("--only", choices=sorted(WORKLOADS), action="append")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--section", choices=["paper", "colocated", "all"], default="all")
    parser.add_argument("--job-seconds", type=float, default=10.0)
    args = parser.parse_args()
    extra = dict(kv.split("=", 1) for kv in args.set)
    base = {"CONCURRENT_REQUESTS": "16", **extra}
    pages = {"heavy": args.heavy_pages, "light": args.light_pages}
    with tempfile.TemporaryDirectory(prefix="bench-resources-") as tmp:
        for name in args.only or list(WORKLOADS):
            size, passes = WORKLOADS[name]
            with Farm(Path(tmp) / name, pages[name], size=size) as farm:
                if args.section in ("paper", "all"):
                    hog = Hog(0)
                    try:
                        report(name, farm, Path(tmp), base, passes, args.runs)
                    finally:
                        hog.stop()
                if args.section in ("colocated", "all"):
                    colocated(name, farm, Path(tmp), base, passes, args.runs, args.job_seconds)


def colocated(
    name: str, farm: Farm, tmp: Path, base: dict, passes: int, runs: int, job_seconds: float
) -> None:
    """The co-located job's speed and the crawl's span, middleware off and on."""
    work = tmp / "work"
    print(f"\n== co-located job, {name} pages: {farm.pages} pages ==", flush=True)
    job = Job.calibrated(PAIR[LOADED], job_seconds)
    solo: list[float] = []
    alone: list[Run] = []
    results: dict[str, list[Run]] = {side: [] for side in COLOCATED}
    ratios: dict[str, list[float]] = {side: [] for side in COLOCATED}
    for i in range(runs):
        alone.append(crawl(farm, work, {FREE: PAIR[FREE]}, {**base, **SIDES["off"]}, passes))
        for side in results:
            solo.append(job.run())  # alone right before, as this host's CPU speed drifts
            run = crawl(farm, work, PAIR, {**base, **COLOCATED[side]}, passes, job=job)
            results[side].append(run)
            ratios[side].append(solo[-1] / run.job)
            print(
                f"  run {i + 1}: job alone {solo[-1]:5.2f} s; crawl {side:>10}: span "
                f"{run.span:6.2f} s, job {run.job:5.2f} s ({100 * ratios[side][-1]:3.0f}% of "
                f"solo speed, CPU share {100 * run.job_share:3.0f}%), pages {run.pages}, "
                f"ok={run.ok}",
                flush=True,
            )
    free_alone = _median(alone, "span")
    print(
        f"  job alone on CPU 0: {statistics.median(solo):6.2f} s; free node crawling alone: "
        f"{free_alone:6.2f} s"
    )
    for side, rs in results.items():
        took = statistics.median(r.job for r in rs)
        share = statistics.median(r.job_share for r in rs)
        span = _median(rs, "span")
        kept = 100 * statistics.median(ratios[side])
        print(
            f"  middleware {side:>10}: job {took:6.2f} s, {kept:5.1f}% "
            f"of its solo speed (median of the runs' ratios), CPU share {100 * share:5.1f}%; "
            f"crawl {span:6.2f} s ({100 * (span / free_alone - 1):+5.1f}% vs the free node "
            f"alone){'' if all(r.ok for r in rs) else '  SOME RUNS FAILED'}",
            flush=True,
        )


def _ideal(pages: int, rate: dict[str, float], delay: dict[str, float]) -> float:
    """The span T at which nodes crawling at *rate* from *delay* s on have done *pages*:
    sum(rate * (T - delay)) = pages, over the nodes that have started by T."""
    started: list[str] = []
    for node in sorted(rate, key=delay.__getitem__):
        started.append(node)
        total = sum(rate[n] for n in started)
        span = (pages + sum(rate[n] * delay[n] for n in started)) / total
        later = [delay[n] for n in rate if n not in started]
        if not later or span <= min(later):
            return span
    raise AssertionError("unreachable")


def report(name: str, farm: Farm, tmp: Path, base: dict, passes: int, runs: int) -> None:
    work = tmp / "work"
    print(
        f"\n== {name} pages: {farm.pages} pages of {farm.size // 1000} KB, "
        f"{passes} parse passes each ==",
        flush=True,
    )
    singles: dict[str, list[Run]] = {LOADED: [], FREE: []}
    results: dict[str, list[Run]] = {side: [] for side in SIDES}
    for i in range(runs):
        for node, cpu in PAIR.items():
            singles[node].append(crawl(farm, work, {node: cpu}, {**base, **SIDES["off"]}, passes))
        for side, settings in SIDES.items():
            run = crawl(farm, work, PAIR, {**base, **settings}, passes)
            results[side].append(run)
            print(
                f"  run {i + 1} {side:>22}: {run.span:6.2f} s  pages "
                f"{run.pages}  throttled {run.throttled}  ok={run.ok}",
                flush=True,
            )
    rate = {n: farm.pages / _median(rs, "span") for n, rs in singles.items()}
    blind = farm.pages / sum(rate.values())
    pairs = [r for rs in results.values() for r in rs if r.ok]
    join = statistics.median(r.first_parsed[LOADED] - r.first_parsed[FREE] for r in pairs)
    ideal = _ideal(farm.pages, rate, {LOADED: max(0.0, join), FREE: max(0.0, -join)})
    off = _median(results["off"], "span")
    print(
        f"  single worker, loaded CPU: {farm.pages / rate[LOADED]:6.2f} s "
        f"({rate[LOADED]:.0f} pages/s); free CPU: {farm.pages / rate[FREE]:6.2f} s "
        f"({rate[FREE]:.0f} pages/s)"
    )
    print(
        f"  ideal: {ideal:6.2f} s with the loaded node starting {join:+.2f} s after the free "
        f"one (median of the two-worker runs); start-up-blind (pages / combined rate): "
        f"{blind:6.2f} s"
    )
    for side, rs in results.items():
        span = _median(rs, "span")
        tails = [  # a node that parsed nothing has no last page
            r.last_parsed[LOADED] - r.last_parsed[FREE]
            for r in rs
            if r.ok and all(r.last_parsed.values())
        ]
        tail = statistics.median(tails) if tails else float("nan")
        share = statistics.median(r.pages[FREE] / sum(r.pages.values()) for r in rs if r.ok)
        print(
            f"  {side:>22}: median {span:6.2f} s  ({100 * (span / ideal - 1):+5.1f}% vs ideal, "
            f"{100 * (1 - span / off):+5.1f}% shorter than off)  free node took "
            f"{100 * share:.0f}%  loaded node's last page {tail:+.2f} s after the free node's"
            f"{'' if all(r.ok for r in rs) else '  SOME RUNS FAILED'}"
        )
    print(f"  paper: {37 if passes else 5}% shorter with the method than without", flush=True)


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"\n(benchmark took {time.monotonic() - started:.0f} s)")
