"""Benchmark: the broad spider against stock scrapy-redis on two real manuals.

Sites: Debian's ``python3.11-doc`` (``/usr/share/doc/python3.11/html``, 530 pages) and
``postgresql-doc-15`` (``/usr/share/doc/postgresql-doc-15/html``, 1,169 pages), each served
as it is by nginx on its own loopback host (:class:`ManualsFarm`, also used by
tests/broad/test_real_manuals.py), no robots.txt (404: everything allowed). The two sides
and the figures are bench/broad_crawl.py's: two workers per side, a fresh redis-server per
run, delay 0; pages (unique URLs answered 200), pages per crawler CPU-second (both workers'
user+sys, start-up included) and pages/s (first to last fetch in nginx's log); medians of N
runs, sides interleaved (stock, broad, stock, broad, ...). A side's workers still running
20 s after the farm went quiet are stopped (the broad workers close by themselves).

The sides do not fetch quite the same pages: the broad spider reads the first 250 KB of a
page (``BROAD_MAX_PAGE_SIZE``), so it misses links further down the few longer pages, and
honours ``rel="nofollow"``; stock reads all of every page.

    python bench/broad_manuals.py [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broad_crawl import compare, print_medians, print_run, run_once  # noqa: E402
from bench.broad_farm import BroadFarm  # noqa: E402

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
POSTGRES_DOCS = Path("/usr/share/doc/postgresql-doc-15/html")
PACKAGES = {PYTHON_DOCS: "python3.11-doc", POSTGRES_DOCS: "postgresql-doc-15"}

_SERVER = """\
    server {{
        listen {host}:{port};
        root {root};
{robots}    }}
"""
_ROBOTS = "        location = /robots.txt {{ alias {path}; }}\n"


@dataclass(frozen=True)
class Manual:
    root: Path  # the site's directory, served read-only
    robots: Path | None = None  # a file served as /robots.txt (else: 404)


def missing_manuals() -> list[str]:
    """The Debian packages of the two manuals that are not installed (ops/install.sh)."""
    return [package for root, package in PACKAGES.items() if not root.is_dir()]


class ManualsFarm(BroadFarm):
    """Real sites served as they are: ``{host: Manual}``, one loopback host each, all on one
    port. Debian's ``mime.types`` with ``default_type application/octet-stream``; a
    directory serves its ``index.html`` (no autoindex), without its slash it is a 301. The
    access log and ``fetches()`` are BroadFarm's."""

    types = "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;"

    def __init__(self, root: Path, manuals: dict[str, Manual], workers: int = 1) -> None:
        super().__init__(root, {}, workers=workers)
        self.manuals = manuals

    def hosts(self) -> list[str]:
        return sorted(self.manuals)

    def servers(self) -> str:
        return "".join(
            _SERVER.format(
                host=host,
                port=self.port,
                root=manual.root,
                robots=_ROBOTS.format(path=manual.robots) if manual.robots else "",
            )
            for host, manual in sorted(self.manuals.items())
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if missing := missing_manuals():
        sys.exit(f"broad_manuals: install {' '.join(missing)} first (ops/install.sh)")
    manuals = {"127.0.0.71": Manual(PYTHON_DOCS), "127.0.0.72": Manual(POSTGRES_DOCS)}
    tmp = Path(tempfile.mkdtemp(prefix="broad-manuals-"))
    with ManualsFarm(tmp / "farm", manuals) as farm:
        print(
            f"farm: {PYTHON_DOCS} on {farm.url('127.0.0.71')}, {POSTGRES_DOCS} on "
            f"{farm.url('127.0.0.72')}; 2 workers per side; {args.runs} runs"
        )
        seeds = [farm.url(host, "/index.html") for host in manuals]
        results = compare(
            args.runs,
            lambda side: run_once(side, farm, seeds, tmp, is_page=lambda f: f.uri != "/robots.txt"),
            print_run,
        )
    shutil.rmtree(tmp, ignore_errors=True)
    medians = print_medians(results)
    (broad_cpu, broad_s), (stock_cpu, stock_s) = medians["broad"], medians["stock"]
    pages = statistics.median(r["pages"] for r in results["broad"])
    print("README row:")
    print(
        "| `bench/broad_manuals.py` | the same on two real manuals (Debian's Python 3.11 and "
        f"PostgreSQL 15 HTML, {pages:,.0f} pages) | "
        f"{broad_cpu / stock_cpu:.2f}× pages per crawler CPU-second ({broad_cpu:.1f} vs "
        f"{stock_cpu:.1f}), {broad_s:.0f} vs {stock_s:.0f} pages/s |"
    )


if __name__ == "__main__":
    main()
