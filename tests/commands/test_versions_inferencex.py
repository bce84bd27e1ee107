"""``scrapy versions`` on an archive of the 2026 generation, as users run it: a real
subprocess in the project directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchcrawl.storage.inferencex import write_inferencex_version
from benchcrawl.storage.versions import switch_latest
from tests.inferencex._table_support import DATES, MODELS, every_result, site_result
from tests.support.crawl import PROJECT_DIR

V1, V2 = "20260405T000000.000000Z", "20260406T000000.000000Z"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("xversions") / "data"
    old = [site_result(m, d) for m in MODELS for d in DATES[m][:-1]]
    first = write_inferencex_version(data_dir, V1, old, len(old), None)
    switch_latest(data_dir, first.path)
    new = [site_result(m, DATES[m][-1]) for m in MODELS]
    second = write_inferencex_version(data_dir, V2, new, len(new), first.path)
    switch_latest(data_dir, second.path)
    return data_dir


def versions(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    environ["DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "versions", *args],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_list_shows_rows_models_and_run_dates(data_dir):
    done = versions(data_dir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [ln.split()[0] for ln in lines[1:]] == [V1, V2]
    assert lines[2].split()[1] == "12"
    assert "InferenceX, 2 models, loaded 1 run dates 2026-04-01..2026-04-01" in lines[2]
    assert lines[2].endswith("latest")


def test_diff_by_key(data_dir):
    done = versions(data_dir, "diff")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("12 -> 12 results: 4 added, 4 removed, 0 changed, 8 unchanged")
    diff = pd.read_csv(data_dir / "archive" / V2 / "diff.csv")
    assert sorted(diff["change"].value_counts().items()) == [("added", 4), ("removed", 4)]


def test_trend_writes_the_table_and_the_chart(data_dir):
    done = versions(
        data_dir, "trend", "--model", "Alpha-1", "--sequence", "1K / 1K", "--hwkey", "b200"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("5 rows of b200 sglang fp8 tp8 ep1 from 2 run dates")
    written = [Path(ln.split(" ", 1)[1]) for ln in done.stdout.splitlines()[1:]]
    assert [p.suffix for p in written] == [".csv", ".png", ".svg"]
    assert all(p.is_file() for p in written)


def test_an_ambiguous_trend_is_one_sentence_and_exit_1(data_dir):
    done = versions(data_dir, "trend", "--model", "Alpha-1", "--sequence", "1k/1k")
    assert done.returncode == 1
    assert done.stderr.startswith("benchcrawl: 2 configurations of Alpha-1 1k/1k match")
    assert len(done.stderr.strip().splitlines()) == 1


def test_load_db_twice_changes_nothing(data_dir):
    first = versions(data_dir, "load-db", "--all")
    assert first.returncode == 0, first.stderr
    added = sum(int(ln.split(": ")[1].split()[0]) for ln in first.stdout.splitlines()[:2])
    assert added == len(every_result())
    again = versions(data_dir, "load-db", "--all")
    assert again.stdout.splitlines()[:2] == [f"{V1}: already loaded", f"{V2}: already loaded"]


def test_charts_at_a_percentile(data_dir):
    done = versions(data_dir, "charts", "--percentile", "p90")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote 21 files")
    assert (data_dir / "archive" / V2 / "charts" / "index.html").is_file()
