"""A version of the 2026 generation: the current view, raw answers, manifest, history,
unchanged_from, and the database load."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from benchcrawl.exceptions import ArchiveError
from benchcrawl.inferencex.history import collected, history_dir, read_history
from benchcrawl.storage.inferencex import write_inferencex_version
from benchcrawl.storage.versions import list_versions
from tests.inferencex._table_support import (
    DATES,
    MODELS,
    RUNS,
    answer,
    every_result,
    result,
    site_result,
    snapshot_rows,
)

V1, V2, V3 = (f"2026040{i}T000000.000000Z" for i in (5, 6, 7))


def _today():
    return answer(RUNS, {"alpha", "alpha2"}, "2026-04-01") + answer(RUNS, {"beta"}, "2026-04-01")


def test_backfill_then_incremental_keeps_the_full_view_and_grows_the_history(tmp_path):
    # backfill of everything but the newest dates
    old = [site_result(m, d) for m in MODELS for d in DATES[m][:-1]]
    first = write_inferencex_version(tmp_path, V1, old, len(old), None)
    assert first.new_results == first.history_rows < len(every_result())
    # the daily run: only the newest date of each model
    new = [site_result(m, DATES[m][-1]) for m in MODELS]
    second = write_inferencex_version(tmp_path, V2, new, len(new), first.path)
    assert second.history_rows == len(every_result())
    assert second.new_results == len(every_result()) - first.history_rows
    table = pd.read_csv(second.path / "results.csv")
    assert len(table) == second.rows == len(_today())
    assert collected(tmp_path) == {m: set(d) for m, d in DATES.items()}
    # a daily run that loaded one model only still shows both models
    third = write_inferencex_version(
        tmp_path, V3, [site_result("Beta-2", "2026-04-01")], 1, second.path
    )
    assert set(pd.read_csv(third.path / "results.csv")["model_name"]) == set(MODELS)
    assert third.unchanged_from == V2


def test_manifest_records_url_rows_and_run_dates_per_combination(tmp_path):
    results = [site_result("Alpha-1", "2026-04-01")]
    version = write_inferencex_version(tmp_path, V1, results, 1, None)
    manifest = json.loads((version.path / "manifest.json").read_text())
    assert manifest["generation"] == "inferencex"
    (source,) = manifest["sources"]
    assert source["url"] == results[0].url
    assert source["records"] == len(results[0].records)
    assert source["run_dates"] == sorted({r["date"] for r in results[0].records})
    assert (version.path / source["file"]).read_bytes() == results[0].body
    assert manifest["rows"]["results"] == len(results[0].records)
    assert "results.parquet" in manifest["files"]


def test_a_rerun_with_nothing_new_is_marked_unchanged_and_keeps_the_history(tmp_path):
    results = [site_result(m, DATES[m][-1]) for m in MODELS]
    first = write_inferencex_version(tmp_path, V1, results, 2, None)
    stamp = (history_dir(tmp_path) / "results.parquet").stat().st_mtime_ns
    again = write_inferencex_version(tmp_path, V2, results, 2, first.path)
    assert again.unchanged_from == V1 and again.new_results == 0
    assert (history_dir(tmp_path) / "results.parquet").stat().st_mtime_ns == stamp
    assert (again.path / "results.csv").read_bytes() == (first.path / "results.csv").read_bytes()


def test_a_new_run_of_a_known_date_is_not_unchanged(tmp_path):
    first = write_inferencex_version(tmp_path, V1, [site_result("Beta-2", "2026-02-01")], 1, None)
    second = write_inferencex_version(
        tmp_path, V2, [site_result("Beta-2", "2026-04-01")], 1, first.path
    )
    assert second.unchanged_from is None and second.new_results == 1


def test_a_corrupt_history_writes_no_version_and_says_so(tmp_path):
    write_inferencex_version(tmp_path, V1, [site_result("Beta-2", "2026-02-01")], 1, None)
    (history_dir(tmp_path) / "combinations.parquet").write_bytes(b"\x00broken")
    with pytest.raises(ArchiveError, match="cannot read the history"):
        write_inferencex_version(tmp_path, V2, [site_result("Beta-2", "2026-04-01")], 1, None)
    assert [v.name for v in list_versions(tmp_path)] == [V1]


def test_an_unwritable_history_removes_the_version_again(tmp_path):
    (tmp_path / "history").write_text("a file where the folder should be")
    with pytest.raises(ArchiveError, match="history"):
        write_inferencex_version(tmp_path, V1, [site_result("Beta-2", "2026-02-01")], 1, None)
    assert list_versions(tmp_path) == []


def test_database_load_happens_and_twice_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    results = [site_result(m, d) for m in MODELS for d in DATES[m]]
    first = write_inferencex_version(tmp_path, V1, results, len(results), None, url)
    assert first.database_error is None
    assert first.database.startswith(f"{len(every_result())} results")
    again = write_inferencex_version(tmp_path, V2, results, len(results), first.path, url)
    assert again.database.startswith("already in")


def test_a_database_that_is_down_leaves_the_version(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    version = write_inferencex_version(
        tmp_path, V1, [site_result("Beta-2", "2026-02-01")], 1, None, url
    )
    assert version.database_error and "cannot open the results database" in version.database_error
    assert (version.path / "results.csv").is_file()


def test_the_real_snapshot_as_a_version(tmp_path):
    rows = snapshot_rows()
    version = write_inferencex_version(
        tmp_path, V1, [result("DeepSeek-R1-0528", "2026-06-14", rows)], 1, None
    )
    assert version.rows == 435 and len(pd.read_csv(version.path / "results.csv")) == 435
    assert len(read_history(tmp_path).results) == 435
    manifest = json.loads((version.path / "manifest.json").read_text())
    assert len(manifest["sources"][0]["run_dates"]) == 43
