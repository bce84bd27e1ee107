"""End to end: real sweeps of the replica (``scrapy crawl inferencemax``, Chromium) write
each version's diff, report, Parquet and database rows; a second identical sweep is
``unchanged_from`` the first."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest

from benchcrawl.replica import Replica
from tests.support.crawl import run_crawl
from tests.support.replica import generated_replica

from ._support import expected_rows


@pytest.fixture
def replica() -> Iterator[Replica]:
    with generated_replica() as server:
        yield server


@pytest.mark.slow
def test_two_sweeps_write_their_products_and_the_second_is_unchanged(replica, tmp_path):
    data_dir = tmp_path / "data"
    for _ in range(2):
        done = run_crawl(replica.url, data_dir)
        assert done.returncode == 0, done.stderr[-3000:]
    first, second = sorted(p for p in (data_dir / "archive").iterdir())
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["unchanged_from"] == first.name
    for version in (first, second):
        assert (version / "report.md").is_file() and (version / "merged.parquet").is_file()
    assert not (first / "diff.csv").exists()
    assert "0 added, 0 removed, 0 changed" in (second / "diff.md").read_text()
    assert "**Unchanged:**" in (second / "report.md").read_text()
    merged = expected_rows(replica.files)["merged"]
    db = sqlite3.connect(data_dir / "benchcrawl.sqlite")
    rows = db.execute("select version, count(*) from merged group by version order by 1")
    assert rows.fetchall() == [(first.name, merged), (second.name, merged)]
    unchanged = db.execute("select unchanged_from from versions where version = ?", (second.name,))
    assert unchanged.fetchone() == (first.name,)
    log = done.stderr
    assert f"version {second.name}: db: " in log and "landed, but" not in log
