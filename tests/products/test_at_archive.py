"""What a version gets as it lands (ArchivePipeline): unchanged_from, its diff against the
version before it, Parquet, the report and its rows in the results database; and what a
failing product step does (the version still lands)."""

from __future__ import annotations

import csv
import json
import logging
import os
import sqlite3

import pyarrow.parquet as pq

from benchcrawl.inferencemax.table import MERGED_COLUMNS
from benchcrawl.products.load import read_table

from ._support import DAY, T0, archive, expected_rows


def manifest(version):
    return json.loads((version / "manifest.json").read_text())


def test_the_second_version_gets_its_diff_report_parquet_and_db_rows(two_versions, files, derived):
    data_dir, first, second = two_versions
    assert not (first / "diff.csv").exists()  # nothing to compare the first one with
    with (second / "diff.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["change"] for r in rows} == {"added", "removed", "changed"}
    assert sum(r["change"] == "changed" for r in rows) == len(derived.changed)
    assert "2 added, 3 removed, 5 changed" in (second / "diff.md").read_text()
    report = (second / "report.md").read_text()
    assert f"# Run report: version {second.name}" in report
    assert "2 added, 3 removed, 5 changed" in report and "## Combinations (9)" in report
    assert "| db |" in report and "| parquet |" in report
    parquet = pq.read_table(second / "merged.parquet").to_pandas()
    assert list(parquet.columns) == MERGED_COLUMNS
    assert parquet.equals(read_table(second, "merged"))
    assert "unchanged_from" not in manifest(second)
    db = sqlite3.connect(data_dir / "benchcrawl.sqlite")
    counts = dict(db.execute("select version, count(*) from merged group by version").fetchall())
    assert counts == {first.name: expected_rows(files)["merged"], second.name: len(parquet)}
    n_records = db.execute("select count(*) from records where version = ?", (first.name,))
    e = expected_rows(files)
    assert n_records.fetchone()[0] == e["interactivity"] + e["e2e"]


def test_an_identical_sweep_is_unchanged_from_the_one_before(tmp_path, files):
    data_dir = tmp_path / "data"
    for i in range(2):
        status, detail, _ = archive(data_dir, files, T0 + i * DAY)
        assert status == "succeeded", detail
    first, second = sorted((data_dir / "archive").iterdir())
    assert manifest(second)["unchanged_from"] == first.name
    assert "unchanged_from" not in manifest(first)
    assert "0 added, 0 removed, 0 changed" in (second / "diff.md").read_text()
    assert "**Unchanged:**" in (second / "report.md").read_text()


def test_a_database_that_is_down_fails_only_its_step(tmp_path, files, caplog):
    data_dir = tmp_path / "data"
    with caplog.at_level(logging.ERROR):
        status, detail, stats = archive(
            data_dir, files, T0, DATABASE_URL="postgresql://postgres@127.0.0.1:9/test"
        )
    assert status == "succeeded"  # the version is the product; it landed
    version = (data_dir / "latest").resolve()
    assert os.readlink(data_dir / "latest") == f"archive/{version.name}"
    assert detail.endswith("; derived products failed: db")
    assert stats.get_value("inferencemax/products/failed") == 1
    assert stats.get_value("inferencemax/products/failed/db") == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith(f"version {version.name} landed, but its db step failed: ")
    assert "127.0.0.1:9" in errors[0]
    assert errors[0].endswith(f"make it again with `scrapy versions load-db {version.name}`")
    assert (version / "merged.parquet").is_file()  # the other steps ran
    assert "cannot open the results database" in (version / "report.md").read_text()


def test_product_timings_are_in_the_stats(tmp_path, files):
    _, _, stats = archive(tmp_path / "data", files, T0)
    steps = {k.rsplit("/", 1)[-1] for k in stats.get_stats() if "products/seconds/" in k}
    assert steps == {"diff", "parquet", "db", "report"}  # charts: on demand by default
