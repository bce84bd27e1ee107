"""Benchmark: a full sweep of all 9 combinations against the replica, timed as a user
waits for it: from the command's start to the process's exit.

Four commands a round, interleaved, median of --runs rounds:
- benchcrawl embedded (`scrapy crawl inferencemax`, no Redis);
- benchcrawl with a Redis frontier (a private redis-server, flushed between runs);
- the one-page baseline (bench/sweep_baseline.py: one page, combinations in turn, waiting
  for each selection's files and then for the network to go idle);
- the seed-style baseline (bench/seed_baseline.py: the replaced pipeline's way, each
  dropdown clicked twice with 0.5 s pauses, the network log polled every 0.5 s).

Every side writes the same merged CSV, and the benchmark checks that they agree: it stops
if a benchcrawl side differs, and names a baseline that does (the seed style's polling can
take another selection's files on a loaded host). For benchcrawl it also prints where the
time goes, from the log's timestamps.

    python bench/inferencemax_sweep.py [--latency 0.2] [--hydrate 0.5] [--runs 3]
        [--baseline /path/to/other/checkout]

--latency is the replica's delay per data file (a CDN round trip), --hydrate its app
hydration delay. --baseline adds both benchcrawl sides again, run from another checkout
(e.g. a clone of the previous commit), interleaved with the others: a before/after in one
run. Not a test: it prints figures.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._farm import RedisServer  # noqa: E402
from benchcrawl.replica import Replica  # noqa: E402

LOG_FORMAT = "%(created).3f %(name)s %(message)s"
BASELINES = {
    "one-page baseline": ROOT / "bench" / "sweep_baseline.py",
    "seed-style baseline": ROOT / "bench" / "seed_baseline.py",
}
# log line -> which occurrence marks the end of a phase
MARKERS = {
    "Spider opened": "first",
    "started sweep": "first",
    "page offers": "first",
    "/9 done:": "last",
}
BASELINE = " (baseline)"


def timed(cmd: list[str], csv: Path, env: dict[str, str], cwd: Path) -> tuple[float, str]:
    start = time.time()
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    elapsed = time.time() - start
    if result.returncode != 0 or not csv.exists():
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stderr[-2000:]}")
    return elapsed, _rebase(result.stderr, start)


def _rebase(log: str, start: float) -> str:
    """Keep the start time with the log so phases can be computed later."""
    return f"{start:.3f}\n{log}"


def phases(log: str, exited: float) -> dict[str, float]:
    """Seconds spent in each phase of one benchcrawl run."""
    first, _, body = log.partition("\n")
    start = float(first)
    stamps: dict[str, float] = {}
    for line in body.splitlines():
        stamp, _, rest = line.partition(" ")
        try:
            t = float(stamp)
        except ValueError:
            continue
        for needle, which in MARKERS.items():
            if needle in rest and (which == "last" or needle not in stamps):
                stamps[needle] = t
        if " sweep " in rest and (" succeeded: " in rest or " failed: " in rest):
            stamps.setdefault("ended", t)
    order = [
        ("interpreter and Scrapy start", "Spider opened"),
        ("Playwright driver and browser launch, sweep joined", "started sweep"),
        ("discovery page: hydration, options, 1st combination", "page offers"),
        ("the other 8 combinations", "/9 done:"),
        ("merge and archive", "ended"),
    ]
    out: dict[str, float] = {}
    prev = start
    for name, key in order:
        t = stamps.get(key, prev)
        out[name] = t - prev
        prev = t
    out["shutdown to exit"] = start + exited - prev
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--hydrate", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", help="another checkout to run the benchcrawl sides from")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATA_DIR")}
    ours = ["benchcrawl embedded", "benchcrawl Redis"]
    if args.baseline:
        ours += [s + BASELINE for s in ours]
    sides = [*ours, "one-page baseline", "seed-style baseline"]
    times: dict[str, list[float]] = {s: [] for s in sides}
    breakdowns: dict[str, list[dict[str, float]]] = {s: [] for s in ours}
    with (
        tempfile.TemporaryDirectory() as tmp,
        Replica(latency=args.latency, hydrate_delay=args.hydrate) as replica,
    ):
        redis_server = RedisServer(Path(tmp) / "redis").start()
        try:
            for run in range(args.runs):
                csvs = []
                # the benchcrawl sides take turns at going first: no side always follows
                # the same one
                turn = run % len(ours)
                order = [*ours[turn:], *ours[:turn], *sides[len(ours) :]]
                for side in order:
                    out = Path(tmp) / f"{side.replace(' ', '-')}{run}"
                    side_env = dict(env)
                    code = ROOT
                    if side.endswith(BASELINE):
                        code = Path(args.baseline).resolve()
                        side_env["PYTHONPATH"] = str(code)
                    if side.startswith("benchcrawl"):
                        cmd = [
                            sys.executable, "-m", "scrapy", "crawl", "inferencemax",
                            "-a", f"base_url={replica.url}", "-s", f"DATA_DIR={out}",
                            "-s", "LOG_LEVEL=INFO", "-s", f"LOG_FORMAT={LOG_FORMAT}",
                        ]  # fmt: skip
                        csv = out / "latest" / "merged.csv"
                        if side.removesuffix(BASELINE).endswith("Redis"):
                            redis_server.client().flushall()
                            side_env["REDIS_URL"] = redis_server.url
                    else:
                        cmd = [sys.executable, str(BASELINES[side]), replica.url, str(out)]
                        csv = out / "merged.csv"
                    elapsed, log = timed(cmd, csv, side_env, code)
                    times[side].append(elapsed)
                    if side in breakdowns:
                        breakdowns[side].append(phases(log, elapsed))
                    csvs.append(csv.read_bytes())
                differ = [s for s, c in zip(order, csvs, strict=True) if c != csvs[0]]
                assert not any(s.startswith("benchcrawl") for s in differ), (
                    f"run {run + 1}: {', '.join(differ)} wrote another table"
                )
                for side in differ:  # a baseline's own way can mix files up under load
                    print(f"run {run + 1}: {side} wrote another table (timed all the same)")
                print(
                    f"run {run + 1}: "
                    + ", ".join(f"{s} {times[s][-1]:.2f} s" for s in sides)
                    + f" (load average {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
        finally:
            redis_server.kill()
    print(
        f"\nreplica latency {args.latency:g} s per data file, hydration {args.hydrate:g} s; "
        "command start to process exit, median of "
        f"{args.runs}"
    )
    seed = statistics.median(times["seed-style baseline"])
    for side in sides:
        m = statistics.median(times[side])
        runs = ", ".join(f"{t:.2f}" for t in times[side])
        print(f"{side:<33} {m:6.2f} s  ({runs})  seed-style / this = {seed / m:.2f}x")
    for side, runs in breakdowns.items():
        print(f"\n{side}: where the time goes (median s per phase)")
        for name in runs[0]:
            print(f"  {name:<52} {statistics.median(r[name] for r in runs):5.2f}")


if __name__ == "__main__":
    main()
