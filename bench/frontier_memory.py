"""Benchmark (b): Redis memory per queued URL (``--section queued``) and per seen URL
(``--section dedup``).

Queued: a fresh redis-server per run; ``used_memory`` before and after N URLs of D domains
(``https://www.siteNNN.example/articles/NNNNNNN.html``, 49 characters) are queued, with
exact dedup, by (1) stock scrapy-redis 0.9.1 (its PriorityQueue of pickled requests and
its RFPDupeFilter, the calls its scheduler makes), (2) benchcrawl's frontier queue (a
``LeasedQueue`` commit of each 10,000, as the scheduler's flush does) and (3) benchcrawl's
polite queue (``scrapy seed broad`` of a seed file, the real command). Each benchcrawl side
runs in a child process against a checkout (``--baseline DIR`` adds the same sides for
another checkout, e.g. a clone of the previous version, in the same run). Requests are
``Request(url, callback=spider.parse, errback=spider.on_error)``, as ``scrapy seed`` makes.

Dedup: memory per seen URL at 1,000,000 URLs, and the Bloom filter's measured
false-positive rate at that load.

Each run: a fresh redis-server; ``used_memory`` before and after (and ``MEMORY USAGE`` of
the keys after) marking N distinct fingerprints seen with (1) stock scrapy-redis 0.9.1's
layout (hex fingerprints in a set, SADD), (2) benchcrawl exact (raw 20-byte fingerprints
in a set, through the frontier's Lua), (3) benchcrawl Bloom (bitmap sized for N at the
target error rate). Then N other fingerprints are probed read-only for false positives.
Fingerprints are SHA1 digests, as ``crawler.request_fingerprinter`` makes them. Before
"after", the bench's connections are closed (their query buffers freed) and the slow log
is reset (it keeps the arguments of the last 128 slow calls: not per-URL memory). Prints
medians of N runs side by side.

    python bench/frontier_memory.py --section queued [--urls 100000,1000000] [--domains 1000]
        [--runs 3] [--baseline /path/to/other/checkout]
    python bench/frontier_memory.py --section dedup [--urls 1000000] [--runs 3]
        [--error-rate 0.001]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

# a child process measures the checkout it is given (--baseline), not this one
sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parent.parent))

from bench._farm import RedisServer  # noqa: E402
from benchcrawl.frontier.bloom import BloomShape  # noqa: E402
from benchcrawl.frontier.dupefilter import RedisDupeFilter  # noqa: E402

BATCH = 10_000
PROJECT = Path(__file__).resolve().parent.parent


def seed_urls(n: int, domains: int) -> list[str]:
    return [f"https://www.site{i % domains:03d}.example/articles/{i:07d}.html" for i in range(n)]


def fill_frontier(redis_url: str, n: int, domains: int) -> None:
    """(child process) Queue the URLs in the frontier queue of the checkout on sys.path."""
    from scrapy import Request, Spider
    from scrapy.utils.request import RequestFingerprinter

    from benchcrawl.frontier.queue import FrontierKeys, LeasedQueue, Push
    from benchcrawl.frontier.serialize import RequestCodec

    class Bench(Spider):
        name = "bench"

        def parse(self, response: object) -> None: ...

        def on_error(self, failure: object) -> None: ...

    spider = Bench()
    server = redis.Redis.from_url(redis_url)
    keys = FrontierKeys(
        queue="bench:requests",
        data="bench:requests:data",
        leases="bench:requests:leases",
        owners="bench:requests:owners",
        failed="bench:requests:failed",
        seq="bench:requests:seq",
        workers="bench:workers",
        dupefilter="bench:dupefilter",
    )
    dupefilter = RedisDupeFilter(server, keys.dupefilter, RequestFingerprinter(), mode="exact")
    dupefilter.open()
    queue = LeasedQueue(server, keys, "bench", "exact")
    codec = RequestCodec(spider)
    urls = seed_urls(n, domains)
    for start in range(0, n, BATCH):
        pushes = []
        for url in urls[start : start + BATCH]:
            request = Request(url, callback=spider.parse, errback=spider.on_error)
            key = dupefilter.key_of(dupefilter.fingerprint(request))
            pushes.append(Push(True, 0, codec.encode(request), key))
        queue.commit(pushes, [], [])


def fill_stock(redis_url: str, n: int, domains: int) -> None:
    """(child process) What stock scrapy-redis's scheduler does per request: dedup, push."""
    from scrapy import Request, Spider
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue

    class Bench(Spider):
        name = "bench"

        def parse(self, response: object) -> None: ...

        def on_error(self, failure: object) -> None: ...

    spider = Bench()
    server = redis.Redis.from_url(redis_url)
    queue = PriorityQueue(server, spider, "bench:requests")
    dupefilter = RFPDupeFilter(server, "bench:dupefilter")
    for url in seed_urls(n, domains):
        request = Request(url, callback=spider.parse, errback=spider.on_error)
        if not dupefilter.request_seen(request):
            queue.push(request)


def queued_once(side: str, code: Path, n: int, domains: int, workdir: Path) -> float:
    """Bytes of Redis memory per queued URL, dedup included."""
    with RedisServer(workdir / "redis") as server:
        before = redis.Redis(port=server.port).info("memory")["used_memory"]
        env = {**os.environ, "PYTHONPATH": str(code), "BENCH_CODE": str(code)}
        env.pop("REDIS_URL", None)
        if side == "polite":
            seeds = workdir / "seeds.txt"
            seeds.write_text("\n".join(seed_urls(n, domains)) + "\n")
            cmd = [sys.executable, "-m", "scrapy", "seed", "broad", str(seeds)]
            cmd += ["-s", f"REDIS_URL={server.url}", "-s", "LOG_LEVEL=WARNING"]
        else:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--fill", side]
            cmd += ["--redis-url", server.url, "--urls", str(n), "--domains", str(domains)]
        subprocess.run(cmd, cwd=code, env=env, check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.5)  # the child's connections are closed: their buffers freed
        r = redis.Redis(port=server.port)
        r.slowlog_reset()
        after = r.info("memory")["used_memory"]
    return (after - before) / n


def main_queued(args: argparse.Namespace) -> None:
    checkouts = {"": PROJECT} | ({" (baseline)": Path(args.baseline)} if args.baseline else {})
    sides = [("stock scrapy-redis 0.9.1", "stock", PROJECT)]
    for label, code in checkouts.items():
        sides += [(f"frontier queue{label}", "frontier", code)]
        sides += [(f"polite queue{label}", "polite", code)]
    results: dict[tuple[str, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="frontier-mem-") as tmp:
        for n in args.urls:
            for run in range(args.runs):
                for label, side, code in sides:
                    b = queued_once(side, code, n, args.domains, Path(tmp))
                    results.setdefault((label, n), []).append(b)
                    print(f"run {run + 1} {n} URLs {label}: {b:.1f} B/URL", flush=True)
    print(f"\nmedians of {args.runs} runs, bytes of used_memory per queued URL (dedup included)")
    print(f"{'':36}" + "".join(f"{n:>14,}" for n in args.urls))
    for label, _, _ in sides:
        row = "".join(f"{statistics.median(results[(label, n)]):>14.1f}" for n in args.urls)
        print(f"{label:36}{row}")


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


def main_dedup(args: argparse.Namespace) -> None:
    n = args.urls[0]
    seen = fingerprints("seen", n)
    probes = fingerprints("probe", args.probes)
    sides = ["stock scrapy-redis 0.9.1", "benchcrawl exact", "benchcrawl bloom"]
    results: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    with tempfile.TemporaryDirectory(prefix="frontier-mem-") as tmp:
        for run in range(args.runs):
            for side in sides:
                res = run_once(side, seen, probes, args.error_rate, Path(tmp))
                results[side].append(res)
                print(f"run {run + 1} {side}: {res}", flush=True)
    print(f"\nmedians of {args.runs} runs at {n} URLs (Bloom target error rate {args.error_rate})")
    print(f"{'':28}{'used_memory/URL':>18}{'MEMORY USAGE/URL':>18}{'false positives':>18}")
    for side, rows in results.items():
        b = statistics.median(r["bytes_per_url"] for r in rows)
        k = statistics.median(r["key_bytes_per_url"] for r in rows)
        f = statistics.median(r["false_positive_rate"] for r in rows)
        print(f"{side:28}{b:>18.2f}{k:>18.2f}{f:>18.5%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--section", choices=["queued", "dedup"], default="queued")
    parser.add_argument("--urls", default=None, help="comma-separated counts")
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--error-rate", type=float, default=0.001)
    parser.add_argument("--baseline", help="another checkout to measure in the same run")
    parser.add_argument("--fill", choices=["frontier", "stock"], help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    default = "100000,1000000" if args.section == "queued" else "1000000"
    args.urls = [int(x) for x in (args.urls or default).split(",")]
    if args.fill == "frontier":
        fill_frontier(args.redis_url, args.urls[0], args.domains)
    elif args.fill == "stock":
        fill_stock(args.redis_url, args.urls[0], args.domains)
    elif args.section == "queued":
        main_queued(args)
    else:
        main_dedup(args)


if __name__ == "__main__":
    main()
