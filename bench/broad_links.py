"""Benchmark: link extraction alone (parse, resolve, canonicalize) on 100-140 KB pages with
40 links: benchcrawl.broad.links (selectolax/Lexbor + w3lib canonicalization) against
Scrapy's default, ``response.css("a::attr(href)")`` + ``urljoin`` (parsel/lxml; it does not
even canonicalize). Medians of N rounds, sides interleaved, one process.

    python bench/broad_links.py [--pages 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

from scrapy.http import HtmlResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broad_farm import generated_site  # noqa: E402
from benchcrawl.broad.links import extract_links  # noqa: E402

BASE = "http://127.0.0.11:8080"


def stock(pages: list[tuple[str, bytes]]) -> int:
    n = 0
    for url, body in pages:
        response = HtmlResponse(url, body=body, encoding="utf-8")
        n += len([urljoin(url, h) for h in response.css("a::attr(href)").getall()])
    return n


def broad(pages: list[tuple[str, bytes]]) -> int:
    return sum(len(extract_links(body, url)) for url, body in pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    site = generated_site(0, args.pages, 40, (100_000, 140_000), ["127.0.0.12:8080"])
    pages = [(BASE + path, body.replace(b"__PORT__", b"8080")) for path, body in site.items()]
    size = sum(len(b) for _, b in pages) / len(pages)
    print(f"{len(pages)} pages, mean {size / 1024:.0f} KiB, 40 links each; {args.runs} runs")
    sides = {"stock css+urljoin": stock, "broad selectolax": broad}
    results: dict[str, list[float]] = {s: [] for s in sides}
    for _ in range(args.runs):
        for name, fn in sides.items():
            started = time.process_time()
            fn(pages)
            results[name].append((time.process_time() - started) * 1000 / len(pages))
    base = statistics.median(results["stock css+urljoin"])
    for name, values in results.items():
        med = statistics.median(values)
        print(
            f"{name:20s} {med:6.3f} CPU-ms/page  {1000 / med:7.0f} pages/CPU-s  "
            f"x{base / med:.2f} vs stock   runs: {', '.join(f'{v:.3f}' for v in values)}"
        )


if __name__ == "__main__":
    main()
