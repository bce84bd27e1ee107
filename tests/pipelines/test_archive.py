"""ArchivePipeline: a good sweep becomes a version and ``latest``; anything else, or an
error while archiving, leaves ``latest`` as it was and no version behind."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

import benchcrawl.inferencemax.table as table
import benchcrawl.storage.versions as versions
from benchcrawl.items import CombinationFailure
from benchcrawl.pipelines.archive import ArchivePipeline
from benchcrawl.pipelines.merge import MergePipeline
from benchcrawl.sweep.state import FAILED, SUCCEEDED

from ._support import PLAN, run, served, sweep_tables


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def archive(build, crawler, data_dir):
    """``archive(files)``: merge and archive a finished sweep of ``files``; returns the
    sweep's (status, detail)."""
    merge, pipeline = build(MergePipeline), build(ArchivePipeline)
    store = crawler.spider.sweep_store
    started = iter(range(1761350400, 1761350500))  # one second apart: distinct versions

    def sweep(files, failures=()):
        sweep, _ = store.join(float(next(started)))
        store.set_plan(sweep, PLAN)
        tables = sweep_tables(sweep, files)
        tables.failures.extend(failures)
        tables.planned += len(failures)
        run(pipeline.process_item(merge.process_item(tables)))
        return store.status(sweep)

    return sweep


@pytest.fixture
def first_version(archive, data_dir):
    """A good first sweep: what each failing one must leave alone."""
    status, detail = archive({combo: served(*combo) for combo in PLAN})
    assert status == SUCCEEDED, detail
    latest = (data_dir / "latest").resolve()
    return latest, {p.name: p.read_bytes() for p in latest.iterdir() if p.is_file()}


def entries(data_dir: Path) -> list[str]:
    """Everything in archive/, hidden names (half-written versions) included."""
    return sorted(os.listdir(data_dir / "archive"))


def assert_untouched(data_dir: Path, first_version) -> None:
    latest, files = first_version
    assert (data_dir / "latest").resolve() == latest
    assert {p.name: p.read_bytes() for p in latest.iterdir() if p.is_file()} == files
    assert entries(data_dir) == [latest.name]  # no new version, nothing half-written
    assert not (data_dir / ".latest.tmp").is_symlink()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_a_good_sweep_is_a_version_and_latest(crawler, data_dir, first_version):
    latest, files = first_version
    assert os.readlink(data_dir / "latest") == f"archive/{latest.name}"
    manifest = json.loads(files["manifest.json"])
    n = sum(len(served(*combo)["e2e"]) for combo in PLAN)
    assert manifest["rows"] == {"interactivity": n, "e2e": n, "merged": n}
    assert manifest["combinations"] == len(PLAN) and len(manifest["sources"]) == 2 * len(PLAN)
    assert sorted(manifest["files"]) == sorted(
        ["interactivity.csv", "e2e.csv", "merged.csv"]
        + [f"raw/{s['file'].removeprefix('raw/')}" for s in manifest["sources"]]
    )
    assert crawler.stats.get_value("inferencemax/archive/version") == latest.name


def test_interactivity_csv_keeps_its_own_roof_flags(first_version):
    """merged.csv has the e2e file's flags; interactivity.csv keeps the interactivity's."""
    latest, _ = first_version
    merged = {tuple(r[k] for k in table.KEYS): r for r in read_csv(latest / "merged.csv")}
    differ = 0
    for kind in ("interactivity", "e2e"):
        for row in read_csv(latest / f"{kind}.csv"):
            key = tuple(row[k] for k in table.KEYS)
            for m in table.METRICS:
                if kind == "e2e":
                    assert merged[key][f"{m}_roof"] == row[f"{m}_roof"]
                else:
                    differ += merged[key][f"{m}_roof"] != row[f"{m}_roof"]
    assert differ > 0  # generated with each chart's own frontier, like the dashboard's


def test_a_merge_with_zero_rows_writes_no_version(archive, data_dir, first_version):
    files = {combo: served(*combo) for combo in PLAN}
    for kinds in files.values():
        for r in kinds["e2e"]:
            r["conc"] += 10_000  # no configuration in common
    status, detail = archive(files)
    assert (status, detail) == (FAILED, "the merge produced no rows, latest/ left untouched")
    assert_untouched(data_dir, first_version)


def test_a_partial_sweep_writes_no_version(archive, data_dir, first_version):
    failure = CombinationFailure("", 2, *PLAN[1], "answered HTTP 500")
    status, detail = archive({PLAN[0]: served(*PLAN[0])}, [failure])
    assert status == FAILED
    assert detail.startswith("1 of 2 combinations failed, latest/ left untouched: ")
    assert "DeepSeek R1 0528 x 8K / 1K: answered HTTP 500" in detail
    assert_untouched(data_dir, first_version)


def test_a_writer_that_raises_mid_write_leaves_latest_and_no_half_version(
    archive, crawler, data_dir, first_version, monkeypatch
):
    real = table.write_csv

    def half_then_fail(df, path):
        if Path(path).name == "merged.csv":
            Path(path).write_text("model_name,seq")
            raise ValueError("cannot convert float NaN to integer")  # not an OSError
        return real(df, path)

    monkeypatch.setattr(table, "write_csv", half_then_fail)
    status, detail = archive({combo: served(*combo) for combo in PLAN})
    assert status == FAILED
    assert detail.startswith("archive failed, latest/ left untouched: cannot write version ")
    assert detail.endswith("cannot convert float NaN to integer")
    assert crawler.stats.get_value("inferencemax/archive/failed") == 1
    assert_untouched(data_dir, first_version)


def test_a_full_disk_mid_write_leaves_latest_and_no_half_version(
    archive, data_dir, first_version, monkeypatch
):
    real = Path.write_bytes
    calls = []

    def disk_full(self, data):
        calls.append(self.name)
        if len(calls) == 2:  # the second raw file: a version half written
            real(self, data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    status, detail = archive({combo: served(*combo) for combo in PLAN})
    assert status == FAILED and "No space left on device" in detail
    assert len(calls) == 2
    assert_untouched(data_dir, first_version)


def test_latest_that_cannot_be_switched_keeps_the_old_one_and_no_new_version(
    archive, data_dir, first_version, monkeypatch
):
    real = os.replace

    def refuse_latest(src, dst):
        if Path(dst).name == "latest":
            raise OSError(30, "Read-only file system")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", refuse_latest)
    status, detail = archive({combo: served(*combo) for combo in PLAN})
    assert status == FAILED and "cannot switch" in detail and "Read-only file system" in detail
    assert_untouched(data_dir, first_version)


def test_an_interrupted_write_leaves_no_half_version(data_dir):
    def interrupted(path):
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        versions.write_version(data_dir, "v1", {"a.csv": interrupted}, {})
    assert entries(data_dir) == []
