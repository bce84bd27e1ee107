"""Benchmark guard: a crawler's CPU per page, by component.

Runs bench/broad_crawl.py's farm (or bench/broad_manuals.py's two manuals, ``--manuals``)
once per side with each worker under a CPU-time sampler (bench/_cpu_sampler.py, no
dependency), and prints the milliseconds of worker CPU per page each component took, the
stock scrapy-redis worker beside the broad one. Start-up and shutdown are included, as in
the benchmarks' pages per CPU-second.

A sample under an import is start-up; any other is charged to the innermost frame that
belongs to a component (``COMPONENTS``: the first rule, in order, that matches a frame's
file and function, walking from the leaf up), so JSON encoded by the frontier's codec is
the codec's, and a Redis call made by the fetch gate is the gate's; the ``redis`` column
says how much of each component was spent in the Redis client (redis-py: building the
command, the socket, parsing the reply).

    python bench/cpu_per_page.py [--manuals] [--hosts 20] [--pages 150] [--sides stock,broad]
        [--set NAME=VALUE ...] [--keep DIR] [--top COMPONENT] [--py-spy]
    python bench/cpu_per_page.py --stacks FILE [FILE ...] --page-count N   # e.g. py-spy's
        # `py-spy record --format raw` output of the same workers
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.broad_crawl import run_once  # noqa: E402
from bench.broad_farm import BroadFarm, generated_site  # noqa: E402

# (component, substrings of "file:function", any of which marks a frame as the component's);
# a frame is the first component's whose rule matches, so the more specific rules come first.
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("start-up (imports)", ("<frozen importlib._bootstrap",)),
    (
        "logging & stats",
        (
            "/logging/",
            "scrapy/statscollectors.py",
            "scrapy/extensions/corestats.py",
            "scrapy/extensions/logstats.py",
            "scrapy/logformatter.py",
            "benchcrawl/stats.py",
            "benchcrawl/extensions/",
        ),
    ),
    (
        "link extraction",
        (
            "benchcrawl/broad/links.py",
            "bench/broad_stock_spider.py",
            "scrapy/http/response/text.py",
            "scrapy/selector/",
            "/parsel/",
        ),
    ),
    (
        "scope & robots checks",
        (
            "benchcrawl/broad/scope.py",
            "benchcrawl/broad/robots.py",
            "/protego",
            "benchcrawl/polite/domains.py:robots_entry",
        ),
    ),
    ("WARC writing", ("benchcrawl/storage/warc.py", "benchcrawl/pipelines/warc.py", "/warcio/")),
    ("fetch gate", ("benchcrawl/polite/gate.py", "benchcrawl/polite/domains.py:gate")),
    (
        "frontier codec",
        (
            "benchcrawl/frontier/serialize.py",
            "scrapy_redis/queue.py:_encode",
            "scrapy_redis/queue.py:_decode",
            "scrapy_redis/picklecompat.py",
        ),
    ),
    (
        "fingerprints & dedup",
        (
            "scrapy/utils/request.py",
            "benchcrawl/frontier/dupefilter.py",
            "benchcrawl/frontier/bloom.py",
            "benchcrawl/frontier/recent.py",
            "scrapy_redis/dupefilter.py",
        ),
    ),
    ("frontier outbox", ("benchcrawl/frontier/outbox.py",)),
    (
        "spider callback (rest)",
        ("benchcrawl/spiders/broad.py", "benchcrawl/polite/domains.py:check_page"),
    ),
    (
        "frontier (lease, ack, queue)",
        ("benchcrawl/frontier/", "benchcrawl/polite/", "/scrapy_redis/"),
    ),
    (
        "Scrapy middleware chains",
        (
            "scrapy/downloadermiddlewares/",
            "scrapy/spidermiddlewares/",
            "scrapy/core/downloader/middleware.py",
            "scrapy/core/spidermw.py",
            "scrapy/middleware.py",
            "scrapy/pipelines/",
        ),
    ),
    (
        "fetch (HTTP client)",
        ("scrapy/core/downloader/handlers/", "scrapy/core/http2/", "twisted/web/"),
    ),
    ("Scrapy engine & objects", ("/scrapy/",)),
    ("Twisted/asyncio reactor", ("/twisted/", "/asyncio/", "/selectors.py")),
]
IMPORTS = COMPONENTS[0][1]
OTHER = "other"
REDIS = ("/redis/",)  # redis-py's frames
PY_SPY_RATE = 250  # samples per second with --py-spy


def component(stack: list[str]) -> str:
    """The component of a sample's stack (root first). Anything under an import is
    start-up, whoever imported (Scrapy imports its download handler at the first fetch)."""
    if any(m in frame for frame in stack for m in IMPORTS):
        return COMPONENTS[0][0]
    for frame in reversed(stack):
        for name, marks in COMPONENTS:
            if any(m in frame for m in marks):
                return name
    return OTHER


_PY_SPY_FRAME = re.compile(r"(?:[\w<>.]*\.)?([\w<>]+) \((.*):\d+\)\Z")


def _frame(frame: str) -> str:
    """``file:function``; py-spy's ``Class.function (file:line)`` is brought to that."""
    match = _PY_SPY_FRAME.match(frame)
    if match is None:
        return frame
    path = match.group(2)  # py-spy shortens a path to its package: "scrapy/core/engine.py"
    return f"{path if path.startswith(('/', '<')) else '/' + path}:{match.group(1)}"


def read_stacks(lines: Iterable[str]) -> list[tuple[list[str], float]]:
    """Collapsed stacks (``frame;frame;... weight``) as (frames, weight): the sampler's, or
    ``py-spy record --format raw``'s."""
    out = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        frames, _, weight = line.rpartition(" ")
        out.append(([_frame(f) for f in frames.split(";")], float(weight)))
    return out


def breakdown(stacks: list[tuple[list[str], float]]) -> dict[str, tuple[float, float]]:
    """component -> (weight, of which in the Redis client)."""
    totals: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for frames, weight in stacks:
        entry = totals[component(frames)]
        entry[0] += weight
        if any(m in f for f in frames for m in REDIS):
            entry[1] += weight
    return {name: (w, r) for name, (w, r) in totals.items()}


def print_table(
    results: dict[str, tuple[dict[str, tuple[float, float]], int]], unit: float
) -> None:
    """results: side -> (breakdown in *unit* per second, pages)."""
    sides = list(results)
    names = [n for n, _ in COMPONENTS] + [OTHER]
    head = "".join(f"{side + ' ms/page':>18s}{'redis':>8s}" for side in sides)
    print(f"  {'component':32s}{head}")
    totals = dict.fromkeys(sides, 0.0)
    for name in names:
        cells = ""
        for side in sides:
            parts, pages = results[side]
            w, r = parts.get(name, (0.0, 0.0))
            ms, redis_ms = w / unit * 1000 / pages, r / unit * 1000 / pages
            totals[side] += ms
            cells += f"{ms:18.3f}{redis_ms:8.3f}"
        print(f"  {name:32s}{cells}")
    total = "".join(f"{totals[s]:18.3f}{'':8s}" for s in sides)
    print(f"  {'total':32s}{total}")
    pages = "".join(f"{results[s][1]:18d}{'':8s}" for s in sides)
    print(f"  {'pages':32s}{pages}")


def print_top(stacks: list[tuple[list[str], float]], name: str, pages: int, unit: float) -> None:
    """The 25 leaf frames (a sample's innermost frame) costing *name* most, ms per page."""
    leaves: defaultdict[str, float] = defaultdict(float)
    for frames, weight in stacks:
        if component(frames) == name:
            leaves[frames[-1]] += weight
    print(f"{name}: costliest innermost frames (ms/page)")
    for frame, weight in sorted(leaves.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {weight / unit * 1000 / pages:8.3f}  {frame}")


def profile(
    side: str,
    farm: BroadFarm,
    seeds: list[str],
    tmp: Path,
    keep: str | None = None,
    settings: tuple[str, ...] = (),
    py_spy: str | None = None,
    **kw: object,
) -> tuple:
    """One crawl by *side* with both workers sampled: (breakdown, pages, cpu_s). The broad
    workers get *settings* (``NAME=VALUE``) last, so they win."""
    out = tmp / f"stacks-{side}"
    out.mkdir(exist_ok=True)

    def wrap(n: int, cmd: list[str]) -> list[str]:
        assert cmd[1:3] == ["-m", "scrapy"]
        extra = [a for s in settings for a in ("-s", s)] if side == "broad" else []
        stacks = str(out / f"{n}.stacks")
        if py_spy:  # samples per second of wall time while on a CPU; its own CPU counts too
            spy = [py_spy, "record", "--format", "raw", "--nonblocking", "-r", str(PY_SPY_RATE)]
            return [*spy, "-o", stacks, "--", *cmd, *extra]
        return [cmd[0], "-m", "bench._cpu_sampler", stacks, *cmd[3:], *extra]

    r = run_once(side, farm, seeds, tmp, wrap=wrap, **kw)  # type: ignore[arg-type]
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for f in out.glob("*.stacks"):
            shutil.copy(f, Path(keep) / f"{side}-{f.name}")
    stacks = []
    for f in sorted(out.glob("*.stacks")):
        stacks += read_stacks(f.read_text().splitlines())
    if py_spy:  # in seconds, as the sampler's
        stacks = [(frames, weight / PY_SPY_RATE * 1e6) for frames, weight in stacks]
    return breakdown(stacks), r["pages"], r["cpu_s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manuals", action="store_true", help="the two real manuals")
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--sides", default="stock,broad")
    parser.add_argument("--stacks", nargs="*", help="collapsed stack files to read instead")
    parser.add_argument("--page-count", type=int, help="pages the --stacks workers fetched")
    parser.add_argument("--unit", type=float, default=1e6, help="--stacks weights per second")
    parser.add_argument("--keep", help="a directory to copy the workers' stack files to")
    parser.add_argument("--top", help="also list this component's costliest leaf frames")
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="sample with py-spy (on PATH: pip install py-spy) instead of the SIGPROF sampler",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the broad workers, e.g. BROAD_WARC_DIR= (no WARC)",
    )
    args = parser.parse_args()
    if args.stacks:
        if not args.page_count:
            sys.exit("cpu_per_page: --stacks needs --page-count (the pages those workers fetched)")
        stacks = []
        for name in args.stacks:
            stacks += read_stacks(Path(name).read_text().splitlines())
        print_table({"profile": (breakdown(stacks), args.page_count)}, args.unit)
        if args.top:
            print_top(stacks, args.top, args.page_count, args.unit)
        return
    py_spy = shutil.which("py-spy") if args.py_spy else None
    if args.py_spy and py_spy is None:
        sys.exit("cpu_per_page: --py-spy needs py-spy on PATH (pip install py-spy)")
    tmp = Path(tempfile.mkdtemp(prefix="cpu-per-page-"))
    results = {}
    if args.manuals:
        from bench.broad_manuals import POSTGRES_DOCS, PYTHON_DOCS, Manual, ManualsFarm

        manuals = {"127.0.0.71": Manual(PYTHON_DOCS), "127.0.0.72": Manual(POSTGRES_DOCS)}
        farm: BroadFarm = ManualsFarm(tmp / "farm", manuals)
        hosts = list(manuals)
        seed_path = "/index.html"
        kw: dict = {"is_page": lambda f: f.uri != "/robots.txt"}
    else:
        hosts = [f"127.0.0.{41 + i}" for i in range(args.hosts)]
        sites = {
            h: generated_site(i, args.pages, 40, (100_000, 140_000), hosts)
            for i, h in enumerate(hosts)
        }
        farm = BroadFarm(tmp / "farm", sites, workers=1)
        seed_path = "/p/0.html"
        kw = {"want": len(hosts) * args.pages, "is_page": lambda f: f.uri.startswith("/p/")}
    with farm:
        seeds = [farm.url(h, seed_path) for h in hosts]
        for side in args.sides.split(","):
            parts, pages, cpu = profile(
                side, farm, seeds, tmp, args.keep, tuple(args.set), py_spy, **kw
            )
            sampled = sum(w for w, _ in parts.values()) / 1e6
            print(
                f"{side}: {pages} pages, {cpu:.2f} CPU-s by wait4 ({cpu / pages * 1000:.2f} "
                f"ms/page), {sampled:.2f} CPU-s sampled",
                flush=True,
            )
            results[side] = (parts, pages)
    shutil.rmtree(tmp, ignore_errors=True)
    print("worker CPU per page by component (ms; redis: of which in the Redis client):")
    print_table(results, 1e6)


if __name__ == "__main__":
    main()
