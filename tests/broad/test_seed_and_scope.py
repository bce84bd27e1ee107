"""`scrapy seed`, a robots.txt server error, and an exclusion added while workers run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from bench.broad_farm import generated_site
from tests.broad.conftest import broad_env, run_seed, scrapy_args
from tests.support.worker import PROJECT


def test_seed_reports_bad_lines_and_user_mistakes(redis_url: str, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# seeds\nexample.com\nftp://x.test/\n\nhttps://www.example.org/a\n")
    done = run_seed(redis_url, seeds)
    assert done.returncode == 0, done.stderr
    assert f"{seeds}:3: scheme 'ftp' is not http or https" in done.stderr
    assert "2 URLs (2 new) of 2 domains (2 new); 1 bad lines skipped" in done.stdout
    again = run_seed(redis_url, seeds)
    assert "2 URLs (0 new) of 2 domains (0 new)" in again.stdout  # deduplicated
    with redis.Redis.from_url(redis_url) as r:
        assert r.smembers("broad:seeds") == {b"example.com", b"www.example.org"}
        assert r.get("broad:domains:queued") == b"2"

    missing = run_seed(redis_url, tmp_path / "nope.txt")
    assert missing.returncode == 1
    assert "cannot read the seed file" in missing.stderr and "Traceback" not in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\nnot a seed\n")
    assert "has no valid seed line" in run_seed(redis_url, empty).stderr
    down = run_seed("redis://127.0.0.1:9/0", seeds)
    assert down.returncode == 1 and "cannot reach Redis" in down.stderr


def _dead_robots_farm(make_farm, redis_url: str, tmp_path: Path, down: str, live: str, pages: int):
    """A host whose robots.txt answers 503 next to a live one, both seeded."""
    farm = make_farm(
        {
            down: {"/index.html": b"<a href='/x.html'>x</a>", "/x.html": b"x"},
            live: generated_site(0, pages, 3, 2000, []),
        },
        special={down: "        location = /robots.txt { return 503; }\n"},
    )
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(f"{farm.url(down, '/index.html')}\n{farm.url(live, '/p/0.html')}\n")
    assert run_seed(redis_url, seeds).returncode == 0
    return farm


def _frontier(redis_url: str, option: str) -> subprocess.CompletedProcess:
    """``scrapy frontier broad OPTION`` against *redis_url*."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "frontier", "broad", option] + scrapy_args(redis_url, {}),
        cwd=PROJECT,
        env=broad_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _frontier_report(redis_url: str) -> dict:
    """``scrapy frontier broad --json``, parsed."""
    done = _frontier(redis_url, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.slow  # an nginx farm and scrapy worker processes
def test_robots_server_error_blocks_and_exclusion_applies_at_once(
    make_farm, start_worker, redis_url: str, tmp_path: Path
) -> None:
    down, live = "127.0.0.51", "127.0.0.52"
    farm = _dead_robots_farm(make_farm, redis_url, tmp_path, down, live, 30)
    worker = start_worker(
        BROAD_MIN_DELAY="0.3", BROAD_ROBOTS_RETRY="2", BROAD_WARC_DIR="", LOG_LEVEL="INFO"
    )
    deadline = time.monotonic() + 60
    while len(farm.by_host().get(live, [])) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    with redis.Redis.from_url(redis_url) as r:
        r.sadd("broad:excluded", live)
    excluded_at = time.time()
    time.sleep(4.5)  # more than two robots.txt retry periods of the blocked host
    worker.proc.send_signal(signal.SIGTERM)
    worker.wait(60)

    fetched = farm.by_host()
    # RFC 9309: a 5xx robots.txt means "disallow everything"; it is asked again later
    assert {f.uri for f in fetched[down]} == {"/robots.txt"}
    assert len(fetched[down]) >= 2
    robots_times = [f.start for f in fetched[down]]
    assert all(b - a >= 2.0 for a, b in zip(robots_times, robots_times[1:], strict=False))
    # the exclusion set: nothing of the live host starts after it (one fetch may be on
    # its way already)
    after = [f for f in fetched[live] if f.start > excluded_at + 0.05]
    assert len(after) <= 1, after
    assert len(fetched[live]) < 31


@pytest.mark.parametrize("partitions", [1, 3])
def test_frontier_command_reports_and_purges_the_polite_queue(
    redis_url: str, tmp_path: Path, partitions: int
) -> None:
    """127.0.0.51 and .52 are in partitions 1 and 2 of 3: the report adds them up, the
    seed set is in every partition and the purge leaves nothing of the crawl."""
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("127.0.0.51\nhttp://127.0.0.52/start.html\nhttp://127.0.0.52/other.html\n")
    seeded = run_seed(redis_url, seeds, FRONTIER_PARTITIONS=partitions)
    assert seeded.returncode == 0, seeded.stderr
    assert "3 URLs (3 new) of 2 domains (2 new)" in seeded.stdout
    again = run_seed(redis_url, seeds)  # the stored number of partitions, the same dedup
    assert "3 URLs (0 new) of 2 domains (0 new)" in again.stdout, again.stderr
    report = _frontier_report(redis_url)
    assert report["queued"] == 3 and report["domains_ready"] == 2 and report["seen"] == 3
    assert report.get("partitions", 1) == partitions
    with redis.Redis.from_url(redis_url) as r:
        names = ["broad", "broad#1", "broad#2"][:partitions]
        assert all(r.scard(f"{name}:seeds") == 2 for name in names)
        if partitions == 3:  # each domain's queue in its partition
            assert (
                r.exists("broad#1:domain:127.0.0.51:lists", "broad#2:domain:127.0.0.52:lists") == 2
            )
            assert r.zcard("broad:domains:ready") == 0
        purged = _frontier(redis_url, "--purge")
        assert purged.returncode == 0, purged.stderr
        assert r.keys("broad*") == []


@pytest.mark.slow  # an nginx farm and scrapy worker processes
def test_a_dead_robots_txt_cannot_hold_the_crawl_open(
    make_farm, start_worker, redis_url: str, tmp_path: Path
) -> None:
    down, live = "127.0.0.53", "127.0.0.54"
    farm = _dead_robots_farm(make_farm, redis_url, tmp_path, down, live, 10)
    worker = start_worker(
        BROAD_MIN_DELAY="0.1", BROAD_ROBOTS_RETRY="0.5", BROAD_ROBOTS_GIVE_UP="2", BROAD_WARC_DIR=""
    )
    assert worker.wait(90) == 0, worker.log[-3000:]  # it ended by itself
    fetched = farm.by_host()
    assert [f.uri for f in fetched[down]] == ["/robots.txt", "/robots.txt"]
    assert {f.uri for f in fetched[live] if f.uri.startswith("/p/")} == {
        f"/p/{i}.html" for i in range(10)
    }
    assert "robots.txt of 127.0.0.53 unreachable 2 times in a row: its 1 queued" in worker.log
    report = _frontier_report(redis_url)
    assert report["failed"] == 1
    (record,) = report["failed_sample"]
    assert record["url"] == farm.url(down, "/index.html")
    assert record["reason"] == "robots.txt of 127.0.0.53 unreachable 2 times in a row"
