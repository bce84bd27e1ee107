"""Benchmark: what a worker's "doing" costs per request (issue 19, the monitor).

The resource-aware middleware calls ``Activity.started`` and ``Activity.finished`` for every
request (``benchcrawl/resources/activity.py``); the label the monitor shows is made once a
heartbeat, for one request. This prices the per-request part, in ns per request (start and
finish), for a plain URL request and a sweep combination request, beside the same loop
doing nothing (the baseline), medians of ``--runs``.

    python bench/monitor_activity.py [--requests 1000] [--rounds 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from scrapy import Request

from benchcrawl.resources.activity import Activity


def _timed(requests: list[Request], rounds: int, activity: Activity | None) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        if activity is None:
            for _r in requests:
                pass
            for _r in requests:
                pass
        else:
            for r in requests:
                activity.started(r, 1.0)
            for r in requests:
                activity.finished(r, 2.0)
    return (time.perf_counter() - started) / (rounds * len(requests)) * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    urls = [Request(f"http://127.0.0.1/p/{i}.html") for i in range(args.requests)]
    combos = [
        Request(
            "http://127.0.0.1/dashboard",
            meta={
                "sweep_id": "s",
                "combination": {"index": i + 1, "model": "m", "sequence": "2026-06-14"},
            },
        )
        for i in range(args.requests)
    ]
    for name, requests, activity in (
        ("baseline (empty loop)", urls, None),
        ("URL request", urls, Activity()),
        ("combination request", combos, Activity()),
    ):
        runs = [_timed(requests, args.rounds, activity) for _ in range(args.runs)]
        print(
            f"{name:24s} {statistics.median(runs):7.0f} ns/request "
            f"(runs: {', '.join(f'{x:.0f}' for x in runs)})"
        )


if __name__ == "__main__":
    main()
