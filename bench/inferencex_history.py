"""Benchmark: a history sweep of the InferenceX replica (every model x run date), timed as a
user waits for it: from the command's start to the last process's exit.

Three sides a round, interleaved, median of --runs rounds:
- benchcrawl, 1 worker: `scrapy crawl inferencemax -a history=all` on a private Redis;
- benchcrawl, 2 workers: two such processes on the same Redis (flushed between runs);
- the seed-style loop: one page; for each model, choose it in the Model control, wait for
  its answer, pause 0.5 s, then choose each of its other run dates in the Run date control,
  wait, pause 0.5 s; one combination after another.

Every side must end with every row the replica has published (benchcrawl: the history
table; the loop: the rows it received, each once). Prints combinations per second and, for
benchcrawl, where the time goes (from the log's timestamps).

    python bench/inferencex_history.py [--dates 30] [--latency 0.1] [--hydrate 0.3] [--runs 3]

--dates 30 gives 90 combinations. Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import json
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
from benchcrawl.browser.launch import chromium_executable  # noqa: E402
from benchcrawl.replica.inferencex_data import generate, run_dates  # noqa: E402
from benchcrawl.replica.inferencex_server import InferenceXReplica  # noqa: E402

LOG_FORMAT = "%(created).3f %(name)s %(message)s"
PAUSE = 0.5  # s, the seed-style loop's pause after each selection


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def crawl(
    replica: InferenceXReplica, out: Path, redis_url: str, workers: int
) -> tuple[float, str, float]:
    """(seconds, the workers' logs, the machine's CPU busy share while they ran)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    env["REDIS_URL"] = redis_url
    env["PYTHONPATH"] = str(ROOT)
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "inferencemax", "-a", f"base_url={replica.url}",
        "-a", "history=all", "-s", f"DATA_DIR={out}", "-s", "LOG_LEVEL=INFO",
        "-s", f"LOG_FORMAT={LOG_FORMAT}", "-s", "RESOURCES_ENABLED=False",
    ]  # fmt: skip
    start = time.time()
    busy0, total0 = cpu_ticks()
    procs = [
        subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        for _ in range(workers)
    ]
    logs = [p.communicate(timeout=900)[1] for p in procs]
    elapsed = time.time() - start
    busy1, total1 = cpu_ticks()
    if any(p.returncode for p in procs):
        raise SystemExit("a worker failed:\n" + "\n".join(log[-2000:] for log in logs))
    return elapsed, f"{start:.3f}\n" + "\n".join(logs), (busy1 - busy0) / (total1 - total0)


def phases(log: str, elapsed: float) -> dict[str, float]:
    """Seconds from the command's start to: the browser, the plan, the last combination,
    the version."""
    first, _, body = log.partition("\n")
    start = float(first)
    marks: dict[str, float] = {}
    for line in body.splitlines():
        stamp, _, rest = line.partition(" ")
        try:
            t = float(stamp)
        except ValueError:
            continue
        for name, needle in (
            ("browser", "Browser chromium launched"),
            ("plan", "sweeping"),
            ("last", " done: "),
            ("version", " succeeded: "),
        ):
            if needle in rest and (name == "last" or name not in marks):
                marks[name] = max(marks.get(name, 0.0), t) if name == "last" else t
    out, prev = {}, start
    for name, label in (
        ("browser", "start-up and browser launch"),
        ("plan", "discovery page and plan"),
        ("last", "the combinations"),
        ("version", "version, history, products"),
    ):
        t = marks.get(name, prev)
        out[label] = t - prev
        prev = t
    out["shutdown to exit"] = start + elapsed - prev
    return out


def seed_style(replica: InferenceXReplica) -> tuple[float, int, set[str]]:
    """The seed-style loop; (seconds, combinations, distinct rows received)."""
    from playwright.sync_api import sync_playwright

    rows: set[str] = set()
    done = 0
    start = time.time()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_executable(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(replica.url)

        def choose(label: str, option: str, day: str | None) -> None:
            nonlocal done
            with page.expect_response(
                lambda r: "/api/v1/benchmarks" in r.url and (day is None or day in r.url),
                timeout=30_000,
            ) as answer:
                page.get_by_role("combobox", name=label, exact=True).click()
                page.get_by_role("option", name=option, exact=True).click()
            rows.update(json.dumps(r, sort_keys=True) for r in answer.value.json())
            done += 1
            page.wait_for_timeout(PAUSE * 1000)

        page.get_by_role("combobox", name="Model", exact=True).wait_for()
        page.wait_for_timeout(PAUSE * 1000)
        for model, days in run_dates(replica.data).items():
            choose("Model", model, days[-1])
            for day in reversed(days[:-1]):
                choose("Run date", day, day)
        browser.close()
    return time.time() - start, done, rows


def history_rows(out: Path) -> int:
    import pandas as pd

    return len(pd.read_parquet(out / "history" / "results.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dates", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--hydrate", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = generate(dates=args.dates)
    combos = sum(len(d) for d in run_dates(data).values())
    published = len(data.rows)
    sides = ["benchcrawl, 1 worker", "benchcrawl, 2 workers", "seed-style loop"]
    times: dict[str, list[float]] = {s: [] for s in sides}
    busy: dict[str, list[float]] = {s: [] for s in sides[:2]}
    breakdown: list[dict[str, float]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        InferenceXReplica(data, latency=args.latency, hydrate_delay=args.hydrate) as replica,
    ):
        redis_server = RedisServer(Path(tmp) / "redis").start()
        try:
            for run in range(args.runs):
                for side in sides:
                    if side.startswith("benchcrawl"):
                        redis_server.client().flushall()
                        out = Path(tmp) / f"side{sides.index(side)}-run{run}"
                        workers = 2 if "2 workers" in side else 1
                        elapsed, log, share = crawl(replica, out, redis_server.url, workers)
                        busy[side].append(share)
                        got = history_rows(out)
                        if workers == 1:
                            breakdown.append(phases(log, elapsed))
                    else:
                        elapsed, done, received = seed_style(replica)
                        got = len(received)
                        assert done == combos, (done, combos)
                    assert got == published, f"{side}: {got} rows, the site published {published}"
                    times[side].append(elapsed)
                print(
                    f"run {run + 1}: " + ", ".join(f"{s} {times[s][-1]:.2f} s" for s in sides),
                    flush=True,
                )
        finally:
            redis_server.kill()
    print(
        f"\n{combos} model x run date combinations, {published} published rows; replica "
        f"latency {args.latency:g} s per answer, hydration {args.hydrate:g} s; command start "
        f"to last exit, median of {args.runs}"
    )
    seed = statistics.median(times["seed-style loop"])
    one = statistics.median(times[sides[0]])
    for side in sides:
        m = statistics.median(times[side])
        runs = ", ".join(f"{t:.2f}" for t in times[side])
        print(
            f"{side:<22} {m:6.2f} s  {combos / m:5.2f} combinations/s  ({runs})  "
            f"seed-style / this = {seed / m:.2f}x"
        )
    two = statistics.median(times[sides[1]])
    print(f"2 workers vs 1: {one / two:.2f}x")
    for side, shares in busy.items():
        print(
            f"machine CPU busy while {side} ran: {100 * statistics.median(shares):.0f}% of "
            f"{os.cpu_count()} cores (median; a second worker can only use what is idle)"
        )
    print("\nbenchcrawl, 1 worker: where the time goes (median s per phase)")
    for name in breakdown[0]:
        print(f"  {name:<32} {statistics.median(r[name] for r in breakdown):6.2f}")


if __name__ == "__main__":
    main()
