"""``scrapy versions`` as users run it: a real subprocess in the project directory, on an
archive of two versions made by the real pipelines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.products._support import DAY, T0, archive, derive, served_files
from tests.support.crawl import PROJECT_DIR


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("versions") / "data"
    files = served_files()
    for i, version_files in enumerate((files, derive(files).files)):
        status, detail, _ = archive(data_dir, version_files, T0 + i * DAY)
        assert status == "succeeded", detail
    return data_dir


def versions(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATA_DIR", "DATABASE_URL")}
    environ.update(DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "versions", *args],
        cwd=PROJECT_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_list_shows_every_version_its_rows_and_latest(data_dir):
    done = versions(data_dir)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["version", "rows", "combos", "products", "note"]
    assert [ln.split()[0] for ln in lines[1:]] == [
        "20251025T000000.000000Z",
        "20251026T000000.000000Z",
    ]
    assert lines[2].endswith("latest") and "diff parquet report" in lines[2]


def test_diff_defaults_to_previous_against_latest_and_writes_into_latest(data_dir):
    latest = (data_dir / "latest").resolve()
    (latest / "diff.csv").unlink()
    done = versions(data_dir, "diff")
    assert done.returncode == 0, done.stderr
    assert "2 added, 3 removed, 5 changed" in done.stdout.splitlines()[0]
    assert (latest / "diff.csv").is_file() and (latest / "diff.md").is_file()


def test_trend_writes_a_csv_and_a_chart(data_dir):
    done = versions(data_dir, "trend", "--model", "gpt-oss 120B", "--sequence", "1K / 1K")
    assert done.returncode == 0, done.stderr
    for ext in ("csv", "png", "svg"):
        assert (data_dir / "trends" / f"gpt-oss-120b_1k-1k.{ext}").stat().st_size > 0


@pytest.mark.slow
def test_load_db_all_twice_changes_nothing(data_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    first = versions(data_dir, "load-db", "--all", DATABASE_URL=url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("1 versions") == 2
    second = versions(data_dir, "load-db", "--all", DATABASE_URL=url)
    assert second.stdout.count("already loaded") == 2


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["diff", "nope"], {}, "benchcrawl: no version 'nope' under "),
        (["frobnicate"], {}, "benchcrawl: unknown subcommand 'frobnicate'; use one of list, "),
        (
            ["trend", "--model", "gpt-oss 120B"],
            {},
            "benchcrawl: trend needs --model and --sequence",
        ),
        (
            ["load-db"],
            {"DATABASE_URL": "postgresql://postgres@127.0.0.1:9/test"},
            "benchcrawl: cannot open the results database postgresql+psycopg://postgres@127.0.0.1:9",
        ),
    ],
)
def test_a_mistake_is_one_sentence_and_exit_1(data_dir, args, env, message):
    done = versions(data_dir, *args, **env)
    assert done.returncode == 1
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.slow
def test_charts_draws_the_latest_version(data_dir):
    done = versions(data_dir, "charts")
    assert done.returncode == 0, done.stderr
    charts = (data_dir / "latest") / "charts"
    assert len(list(charts.glob("*.png"))) == 27 and (charts / "index.html").is_file()
