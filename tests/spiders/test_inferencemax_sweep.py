"""End to end: `scrapy crawl inferencemax` against the replica, real Chromium, real Redis."""

from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path

import pytest

from benchcrawl.inferencemax.table import MERGED_COLUMNS
from benchcrawl.replica.data import CATALOG
from tests.support.crawl import run_crawl, start_crawl

pytestmark = pytest.mark.timeout(300)

SLUG = {label: slug for label, slug in CATALOG["models"]}
SEQ_SLUG = {
    label.lower().replace(" ", "").replace("/", "-"): slug for label, slug in CATALOG["sequences"]
}


def read_merged(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "latest" / "merged.csv").open(newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == MERGED_COLUMNS
        return list(reader)


def assert_equals_source(rows: list[dict[str, str]], snapshot_dir: Path) -> None:
    """Every merged cell equals the value in the dashboard's own files."""
    sources: dict[tuple, dict] = {}
    for row in rows:
        for kind in ("interactivity", "e2e"):
            name = f"{SLUG[row['model_name']]}-{SEQ_SLUG[row['sequence_length']]}-{kind}.json"
            if (name, kind) not in sources:
                records = json.loads((snapshot_dir / name).read_bytes())
                sources[(name, kind)] = {
                    (r["conc"], r["hwKey"], r["precision"], r["tp"]): r for r in records
                }
        key = (int(row["conc"]), row["hwKey"], row["precision"], int(row["tp"]))
        base = f"{SLUG[row['model_name']]}-{SEQ_SLUG[row['sequence_length']]}"
        inter = sources[(f"{base}-interactivity.json", "interactivity")][key]
        e2e = sources[(f"{base}-e2e.json", "e2e")][key]
        assert float(row["inter_x"]) == inter["x"] and float(row["inter_y"]) == inter["y"]
        assert float(row["e2e_x"]) == e2e["x"] and float(row["e2e_y"]) == e2e["y"]
        for metric in ("tpPerGpu", "tpPerMw", "costh", "costn", "costr"):
            assert float(row[f"{metric}_y"]) == inter[metric]["y"]
            assert row[f"{metric}_roof"] == str(inter[metric]["roof"])


def versions(data_dir: Path) -> list[Path]:
    archive = data_dir / "archive"
    if not archive.exists():
        return []
    return sorted(p for p in archive.iterdir() if not p.name.startswith("."))


def test_full_sweep_with_redis_matches_the_dashboard_files(
    replica, redis_url, snapshot_dir, tmp_path
):
    replica.default_latency = 0.8  # the default selection answers after the first click
    result = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = read_merged(tmp_path)
    assert len(rows) == 1393
    assert (
        len(
            {
                (
                    r["model_name"],
                    r["sequence_length"],
                    r["conc"],
                    r["hwKey"],
                    r["precision"],
                    r["tp"],
                )
                for r in rows
            }
        )
        == 1393
    )
    assert_equals_source(rows, snapshot_dir)
    for n in range(1, 10):
        assert f"combination {n}/9 done" in result.stderr

    latest = (tmp_path / "latest").resolve()
    assert [latest] == versions(tmp_path)
    manifest = json.loads((latest / "manifest.json").read_text())
    assert manifest["rows"] == {"interactivity": 1393, "e2e": 1393, "merged": 1393}
    assert manifest["combinations"] == 9 and len(manifest["sources"]) == 18
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((latest / name).read_bytes()).hexdigest() == meta["sha256"]
    raw = sorted((latest / "raw").iterdir())
    assert len(raw) == 18
    for path in raw:  # archived byte for byte as served
        assert path.read_bytes() == (snapshot_dir / path.name).read_bytes()


def test_two_workers_share_one_sweep(replica, redis_url, snapshot_dir, tmp_path):
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
    assert len(read_merged(tmp_path / "data")) == 1393
    served = replica.data_requests()
    assert {r.path.rsplit("/", 1)[-1] for r in served} == {p.name for p in snapshot_dir.iterdir()}


def test_second_sweep_on_the_same_redis_sweeps_everything_again(
    replica, redis_url, snapshot_dir, tmp_path
):
    first = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert first.returncode == 0, first.stderr[-3000:]
    replica.clear_requests()
    time.sleep(1.1)  # a new second, so the version names differ visibly
    second = run_crawl(replica.url, tmp_path, redis_url=redis_url)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "started sweep" in second.stderr
    assert second.stderr.count("/9 done:") == 9
    fetched = {r.path.rsplit("/", 1)[-1] for r in replica.data_requests()}
    assert len(fetched) == 18
    found = versions(tmp_path)
    assert len(found) == 2
    assert (tmp_path / "latest").resolve() == found[-1]
    assert len(read_merged(tmp_path)) == 1393
