"""Two workers, one cluster-wide delay: the server's own log shows every host's fetches at
least ``BROAD_MIN_DELAY`` apart, whichever worker made them, while hosts stay busy."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.broad_farm import BroadFarm, closest_gap, generated_site
from tests.broad.conftest import run_seed
from tests.support.worker import ScrapyProcess

pytestmark = pytest.mark.slow  # an nginx farm and scrapy worker processes

PAGES = 10


def _crawl(
    make_farm: Callable[..., BroadFarm],
    start_worker: Callable[..., ScrapyProcess],
    redis_url: str,
    tmp_path: Path,
    hosts: list[str],
    **settings: object,
) -> tuple[BroadFarm, list[ScrapyProcess]]:
    farm = make_farm({h: generated_site(i, PAGES, 4, 3000, hosts) for i, h in enumerate(hosts)})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("".join(f"{farm.url(h, '/p/0.html')}\n" for h in hosts))
    seeded = run_seed(redis_url, seeds, FRONTIER_PARTITIONS=settings.get("FRONTIER_PARTITIONS", 0))
    assert seeded.returncode == 0, seeded.stderr
    settings = {"BROAD_MIN_DELAY": "1", "BROAD_WARC_DIR": "", **settings}
    workers = [start_worker(USER_AGENT=f"worker-{i}", **settings) for i in range(2)]
    for w in workers:
        assert w.wait(120) == 0, w.log[-3000:]
    return farm, workers


def _pages(worker: ScrapyProcess) -> int:
    found = re.findall(r"'broad/pages': (\d+)", worker.log)
    return int(found[-1]) if found else 0


@pytest.mark.parametrize("partitions", [1, 3])
def test_one_second_between_fetches_of_each_host(
    make_farm, start_worker, redis_url: str, tmp_path: Path, partitions: int
) -> None:
    hosts = [f"127.0.0.{21 + i}" for i in range(4)]
    farm, workers = _crawl(
        make_farm, start_worker, redis_url, tmp_path, hosts, FRONTIER_PARTITIONS=partitions
    )
    fetched = farm.by_host()
    assert sorted(fetched) == hosts
    for h in hosts:
        pages = [f for f in fetched[h] if f.uri.startswith("/p/")]
        assert sorted(f.uri for f in pages) == sorted(f"/p/{i}.html" for i in range(PAGES))
        gap = closest_gap(fetched[h])
        assert gap >= 1.0, (h, gap, [round(f.start, 3) for f in fetched[h]])
        span = fetched[h][-1].start - fetched[h][0].start
        # the schedule keeps a host busy near its delay (generous: 2-core machines are noisy)
        assert span < PAGES * 3, (h, span)
    assert sum(_pages(w) for w in workers) == len(hosts) * PAGES


@pytest.mark.parametrize("partitions", [1, 3])
def test_two_workers_take_turns_on_one_host(
    make_farm, start_worker, redis_url: str, tmp_path: Path, partitions: int
) -> None:
    # one request at a time per worker, both wanting the same host at every turn
    farm, workers = _crawl(
        make_farm,
        start_worker,
        redis_url,
        tmp_path,
        ["127.0.0.31"],
        CONCURRENT_REQUESTS=1,
        FRONTIER_LEASE_BATCH=1,
        FRONTIER_PARTITIONS=partitions,
    )
    fetched = farm.by_host()["127.0.0.31"]
    pages = [f for f in fetched if f.uri.startswith("/p/")]
    assert len(pages) == PAGES
    assert {f.agent for f in pages} == {"worker-0", "worker-1"}
    gap = closest_gap(fetched)
    assert gap >= 1.0, (gap, [(round(f.start, 3), f.agent) for f in fetched])


def test_a_fetch_held_up_after_the_gate_keeps_the_whole_delay(
    make_farm, start_worker, redis_url: str, tmp_path: Path
) -> None:
    """A worker that stands still between the gate's go and the wire (0.6 s, as on a
    loaded host) would send its fetch late and leave the next one of the host only 0.45 s
    behind it; the late fetch moves the host's turn on to when it really left."""
    host = "127.0.0.41"
    farm = make_farm({host: generated_site(0, 4, 3, 3000, [host])})
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{farm.url(host, '/p/0.html')}\n")
    assert run_seed(redis_url, seeds).returncode == 0
    worker = start_worker(
        BROAD_MIN_DELAY="1",
        BROAD_WARC_DIR="",
        HOLD_UP_SECONDS="0.6",
        SPIDER_MODULES="tests.support.hold_up",  # the broad spider, held up after its gate
    )
    assert worker.wait(120) == 0, worker.log[-3000:]
    fetched = farm.by_host()[host]
    assert sorted(f.uri for f in fetched if f.uri.startswith("/p/")) == [
        f"/p/{i}.html" for i in range(4)
    ], worker.log[-6000:]
    gap = closest_gap(fetched)
    assert gap >= 1.0, (gap, [(f.uri, round(f.start, 3)) for f in fetched])
    assert "'broad/politeness/held_up': 1" in worker.log, worker.log[-3000:]
