"""Benchmark (b): Redis memory per seen URL at 1,000,000 URLs, and the Bloom filter's
measured false-positive rate at that load.

Each run: a fresh redis-server; ``used_memory`` before and after (and ``MEMORY USAGE`` of
the keys after) marking N distinct fingerprints seen with (1) stock scrapy-redis 0.9.1's
layout (hex fingerprints in a set, SADD), (2) benchcrawl exact (raw 20-byte fingerprints
in a set, through the frontier's Lua), (3) benchcrawl Bloom (bitmap sized for N at the
target error rate). Then N other fingerprints are probed read-only for false positives.
Fingerprints are SHA1 digests, as ``crawler.request_fingerprinter`` makes them. Before
"after", the bench's connections are closed (their query buffers freed) and the slow log
is reset (it keeps the arguments of the last 128 slow calls: not per-URL memory). Prints
medians of N runs side by side.

    python bench/frontier_memory.py [--urls 1000000] [--runs 3] [--error-rate 0.001]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._farm import RedisServer  # noqa: E402
from benchcrawl.frontier.bloom import BloomShape  # noqa: E402
from benchcrawl.frontier.dupefilter import RedisDupeFilter  # noqa: E402

BATCH = 10_000


def fingerprints(prefix: str, n: int) -> list[bytes]:
    return [
        hashlib.sha1(f"https://site{i % 997}.example/{prefix}/{i}".encode()).digest()
        for i in range(n)
    ]


def run_once(
    side: str, seen: list[bytes], probes: list[bytes], error_rate: float, workdir: Path
) -> dict[str, float]:
    with RedisServer(workdir / "redis") as server:
        r = redis.Redis(port=server.port)
        before = redis.Redis(port=server.port).info("memory")["used_memory"]
        fp_rate = float("nan")
        if side == "stock scrapy-redis 0.9.1":
            for start in range(0, len(seen), BATCH):
                pipe = r.pipeline(transaction=False)
                for fp in seen[start : start + BATCH]:
                    pipe.sadd("stock:dupefilter", fp.hex())
                pipe.execute()
        else:
            mode = "bloom" if "bloom" in side else "exact"
            shape = BloomShape.for_capacity(len(seen), error_rate) if mode == "bloom" else None
            df = RedisDupeFilter(r, "bc:dupefilter", None, mode=mode, bloom=shape)
            df.open()
            for start in range(0, len(seen), BATCH):
                df.mark(seen[start : start + BATCH])
            if mode == "bloom":
                false = 0
                for start in range(0, len(probes), BATCH):
                    new = df.mark(probes[start : start + BATCH], readonly=True)
                    false += len(new) - sum(new)
                fp_rate = false / len(probes)
        r.connection_pool.disconnect()  # free the big commands' query buffers first
        time.sleep(0.5)  # (the server frees them when it reads the close)
        fresh = redis.Redis(port=server.port)
        fresh.slowlog_reset()  # it keeps args of the last 128 slow calls: not per-URL memory
        after = fresh.info("memory")["used_memory"]
        keys = fresh.keys("*")
        key_bytes = sum(fresh.memory_usage(k) or 0 for k in keys)
    return {
        "bytes_per_url": (after - before) / len(seen),
        "key_bytes_per_url": key_bytes / len(seen),
        "false_positive_rate": fp_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--error-rate", type=float, default=0.001)
    args = parser.parse_args()
    seen = fingerprints("seen", args.urls)
    probes = fingerprints("probe", args.probes)
    sides = ["stock scrapy-redis 0.9.1", "benchcrawl exact", "benchcrawl bloom"]
    results: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    with tempfile.TemporaryDirectory(prefix="frontier-mem-") as tmp:
        for run in range(args.runs):
            for side in sides:
                res = run_once(side, seen, probes, args.error_rate, Path(tmp))
                results[side].append(res)
                print(f"run {run + 1} {side}: {res}", flush=True)
    print(
        f"\nmedians of {args.runs} runs at {args.urls} URLs "
        f"(Bloom target error rate {args.error_rate})"
    )
    print(f"{'':28}{'used_memory/URL':>18}{'MEMORY USAGE/URL':>18}{'false positives':>18}")
    for side, rows in results.items():
        b = statistics.median(r["bytes_per_url"] for r in rows)
        k = statistics.median(r["key_bytes_per_url"] for r in rows)
        f = statistics.median(r["false_positive_rate"] for r in rows)
        print(f"{side:28}{b:>18.2f}{k:>18.2f}{f:>18.5%}")


if __name__ == "__main__":
    main()
