"""Benchmark: a full sweep of all 9 combinations against the replica.

Wall seconds from command start to merged CSV written, median of 3, benchcrawl
(`scrapy crawl inferencemax`, pages in parallel) side by side with the baseline
(bench/sweep_baseline.py: one page, combinations one after another, waiting for each),
interleaved in the same run.

    python bench/inferencemax_sweep.py [--latency 0.2] [--hydrate 0.5] [--runs 3]

--latency is the replica's delay per data file (a CDN round trip), --hydrate its app
hydration delay. Not a test: it prints figures.
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

from benchcrawl.replica import Replica  # noqa: E402

STAGES = {  # log line -> stage name, for the breakdown of benchcrawl's wall time
    "started sweep": "ready",
    "page offers": "discovered",
}


def timed(cmd: list[str], csv: Path, env: dict[str, str], stages: dict | None = None) -> float:
    start = time.time()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not csv.exists():
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stderr[-2000:]}")
    if stages is not None:
        for line in result.stderr.splitlines():
            for needle, name in STAGES.items():
                if needle in line and name not in stages:
                    stages[name] = float(line.split(" ", 1)[0]) - start
    return csv.stat().st_mtime - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--hydrate", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATA_DIR")}
    ours: list[float] = []
    base: list[float] = []
    stage_runs: list[dict[str, float]] = []
    with (
        Replica(latency=args.latency, hydrate_delay=args.hydrate) as replica,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for run in range(args.runs):
            stage_runs.append({})
            data = Path(tmp) / f"ours{run}"
            ours.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "scrapy",
                        "crawl",
                        "inferencemax",
                        "-a",
                        f"base_url={replica.url}",
                        "-s",
                        f"DATA_DIR={data}",
                        "-s",
                        "LOG_LEVEL=INFO",
                        "-s",
                        "LOG_FORMAT=%(created).3f %(message)s",
                    ],
                    data / "latest" / "merged.csv",
                    env,
                    stage_runs[-1],
                )
            )
            out = Path(tmp) / f"base{run}"
            base.append(
                timed(
                    [
                        sys.executable,
                        str(ROOT / "bench" / "sweep_baseline.py"),
                        replica.url,
                        str(out),
                    ],
                    out / "merged.csv",
                    env,
                )
            )
            print(
                f"run {run + 1}: benchcrawl {ours[-1]:.2f} s, baseline {base[-1]:.2f} s", flush=True
            )
    m_ours, m_base = statistics.median(ours), statistics.median(base)
    print(f"replica latency {args.latency:g} s per data file, hydration {args.hydrate:g} s")
    print(f"benchcrawl  median {m_ours:.2f} s  ({', '.join(f'{t:.2f}' for t in ours)})")
    print(f"baseline    median {m_base:.2f} s  ({', '.join(f'{t:.2f}' for t in base)})")
    print(f"speed-up    {m_base / m_ours:.2f}x")
    for name in ("ready", "discovered"):
        values = [r[name] for r in stage_runs if name in r]
        if values:
            print(f"benchcrawl  {name:<10} median {statistics.median(values):.2f} s after start")


if __name__ == "__main__":
    main()
