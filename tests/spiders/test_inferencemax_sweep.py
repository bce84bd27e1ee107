"""End to end: `scrapy crawl inferencemax` against the replica, real Chromium, real Redis.

The replica serves generated data; every expected count and cell is derived from the files
it serves. The 2025-10-25 snapshot, when present, adds the sweep of the real files."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path

import pytest
import redis

from benchcrawl.inferencemax.table import MERGED_COLUMNS
from benchcrawl.replica import Replica
from benchcrawl.sweep.redis import RedisSweepStore
from tests.inferencemax._support import assert_csv_rows_equal_served, served_pairs
from tests.support.crawl import run_crawl, start_crawl

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]


def read_merged(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == MERGED_COLUMNS
        return list(reader)


def versions(data_dir: Path) -> list[Path]:
    archive = data_dir / "archive"
    if not archive.exists():
        return []
    return sorted(p for p in archive.iterdir() if not p.name.startswith("."))


def assert_full_sweep_matches_served(replica: Replica, result, data_dir: Path) -> int:
    """The version a sweep wrote equals, row for row and cell for cell, the files the
    replica served; returns the number of merged rows."""
    assert result.returncode == 0, result.stderr[-3000:]
    files = replica.files
    pairs = served_pairs(files)
    records = {name: len(json.loads(body)) for name, body in files.items()}
    rows = read_merged(data_dir)
    assert len(rows) == len(pairs)
    assert_csv_rows_equal_served(rows, pairs)
    for n in range(1, 10):
        assert f"combination {n}/9 done" in result.stderr

    latest = (data_dir / "latest").resolve()
    assert [latest] == versions(data_dir)
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["rows"] == {
        "interactivity": sum(n for f, n in records.items() if f.endswith("-interactivity.json")),
        "e2e": sum(n for f, n in records.items() if f.endswith("-e2e.json")),
        "merged": len(pairs),
    }
    assert manifest["combinations"] == 9 and len(manifest["sources"]) == len(files) == 18
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == meta["sha256"]
    raw = sorted((latest / "raw").iterdir())
    assert [p.name for p in raw] == sorted(files)
    for path in raw:  # archived byte for byte as served
        assert path.read_bytes() == files[path.name]
    return len(rows)


def test_full_sweep_with_redis_matches_the_served_files(replica, redis_url, tmp_path):
    replica.default_latency = 0.8  # the default selection answers after the first click
    result = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert_full_sweep_matches_served(replica, result, tmp_path)


def test_a_sweep_whose_opener_died_before_its_discovery_is_done_by_the_next_crawl(
    replica, redis_url, tmp_path
):
    """A crawl killed between opening the sweep and queueing its discovery leaves an open
    sweep with nothing queued (seen when a scheduler and its crawl were killed under
    load): the next crawl joins it, finds the frontier drained and no plan, discovers it
    itself and writes its version, instead of waiting out INFERENCEMAX_SWEEP_TIMEOUT."""
    client = redis.Redis.from_url(redis_url)
    store = RedisSweepStore(client, "inferencemax:sweep", timeout=1800, ttl=3600)
    orphan, created = store.join(time.time())
    client.close()
    assert created
    result = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert f"joined sweep {orphan} started by another worker" in result.stderr
    assert "has no plan and nothing is queued for it" in result.stderr
    assert_full_sweep_matches_served(replica, result, tmp_path)
    manifest = json.loads((tmp_path / "latest" / "manifest.json").read_text())
    assert manifest["sweep_id"] == orphan


def test_a_sweep_keeps_four_pages_and_starts_one_playwright_driver(replica, tmp_path):
    """Nine combinations, one worker: the dashboard is loaded four times (the discovery page
    and the three opened while it reads the options, each reused after), never once per
    combination, and one Playwright driver serves both schemes."""
    result = run_crawl(replica.url, tmp_path)
    assert_full_sweep_matches_served(replica, result, tmp_path)
    loads = [r for r in replica.requests if r.method == "GET" and r.path.split("?")[0] == "/"]
    assert len(loads) == 4
    assert result.stderr.count("Starting download handler") == 1


def test_without_a_page_limit_each_combination_may_open_its_own_page(replica, tmp_path):
    """``INFERENCEMAX_MAX_PAGES=0``: no page opened ahead, no waiting for a pooled one."""
    result = run_crawl(replica.url, tmp_path, settings={"INFERENCEMAX_MAX_PAGES": "0"})
    assert_full_sweep_matches_served(replica, result, tmp_path)
    loads = [r for r in replica.requests if r.method == "GET" and r.path.split("?")[0] == "/"]
    assert len(loads) > 4


def test_full_sweep_of_the_2025_10_25_snapshot(snapshot_replica, redis_url, tmp_path):
    """The real files: the README's 1,393 rows, each equal to the dashboard's files."""
    snapshot_replica.default_latency = 0.8
    result = run_crawl(snapshot_replica.url, tmp_path, redis_url=redis_url)
    assert assert_full_sweep_matches_served(snapshot_replica, result, tmp_path) == 1393


def test_two_workers_share_one_sweep(replica, redis_url, tmp_path):
    replica.latency = 1.5  # slow data files: the sweep outlasts an idle worker's 5 s poll
    # both workers share one 2-core host: keep the resource gate (tested on its own) out
    settings = {"CONCURRENT_REQUESTS": "2", "RESOURCES_ENABLED": "False"}
    workers = [
        start_crawl(
            replica.url,
            tmp_path / "data",
            tmp_path / f"w{i}.log",
            redis_url=redis_url,
            settings=settings,
        )
        for i in range(2)
    ]
    for w in workers:
        assert w.wait(240) == 0
    logs = [(tmp_path / f"w{i}.log").read_text() for i in range(2)]
    done = [log.count("/9 done:") for log in logs]
    assert sum(done) == 9, done
    assert all(n >= 1 for n in done), f"one worker did all the work: {done}"
    assert sum("inferencemax/sweep/finalized_here" in log for log in logs) == 1
    assert len(versions(tmp_path / "data")) == 1
    rows = read_merged(tmp_path / "data")
    assert_csv_rows_equal_served(rows, served_pairs(replica.files))
    served = replica.data_requests()
    assert {r.path.rsplit("/", 1)[-1] for r in served} == set(replica.files)


def test_second_sweep_on_the_same_redis_sweeps_everything_again(replica, redis_url, tmp_path):
    first = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert first.returncode == 0, first.stderr[-3000:]
    replica.clear_requests()
    time.sleep(1.1)  # a new second, so the version names differ visibly
    second = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "started sweep" in second.stderr
    assert second.stderr.count("/9 done:") == 9
    fetched = {r.path.rsplit("/", 1)[-1] for r in replica.data_requests()}
    assert fetched == set(replica.files)
    found = versions(tmp_path)
    assert len(found) == 2
    assert (tmp_path / "latest").resolve() == found[-1]
    assert_csv_rows_equal_served(read_merged(tmp_path), served_pairs(replica.files))
