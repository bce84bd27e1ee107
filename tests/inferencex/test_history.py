"""The whole history beside the versions: merged once per key, atomic, loud when broken."""

from __future__ import annotations

import pytest

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencex.history import (
    History,
    collected,
    history_dir,
    read_history,
    write_history,
)
from benchcrawl.inferencex.table import build_table, result_key

from ._table_support import DATES, MODELS, every_result, site_result


def _combos(results):
    return [
        {
            "model_name": r.model,
            "run_date": r.sequence,
            "url": r.url,
            "fetched_at": r.fetched_at,
            "rows": len(r.records),
            "result_ids": sorted({result_key(x) for x in r.records}),
        }
        for r in results
    ]


def _grow(data_dir, results):
    history, added = read_history(data_dir).merge(build_table(results), _combos(results))
    write_history(data_dir, history)
    return added


def test_no_history_yet_is_empty(tmp_path):
    assert collected(tmp_path) == {}
    assert len(read_history(tmp_path).results) == 0


def test_history_grows_by_date_and_keeps_every_result_once(tmp_path):
    first = [site_result("Alpha-1", "2026-01-01")]
    assert _grow(tmp_path, first) == len(first[0].records) == 7
    assert collected(tmp_path) == {"Alpha-1": {"2026-01-01"}}
    rest = [site_result(m, d) for m in MODELS for d in DATES[m]]
    assert _grow(tmp_path, rest) == len(every_result()) - 7
    assert _grow(tmp_path, rest) == 0
    history = read_history(tmp_path)
    assert len(history.results) == len(every_result()) and history.results.index.is_unique
    assert collected(tmp_path) == {m: set(d) for m, d in DATES.items()}
    assert not list(history_dir(tmp_path).glob(".*"))  # no temporary file left


def test_newest_answers_are_todays_dashboard(tmp_path):
    _grow(tmp_path, [site_result(m, d) for m in MODELS for d in DATES[m]])
    view = read_history(tmp_path).newest_answers()
    today = len(site_result("Alpha-1", "2026-04-01").records) + len(
        site_result("Beta-2", "2026-04-01").records
    )
    assert len(view) == today == 12


def test_a_corrupt_history_is_one_sentence_and_stays_as_it_was(tmp_path):
    _grow(tmp_path, [site_result("Beta-2", "2026-02-01")])
    path = history_dir(tmp_path) / "results.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(BenchcrawlError) as e:
        collected(tmp_path)
    message = str(e.value)
    assert str(history_dir(tmp_path)) in message and "\n" not in message
    assert path.read_bytes() == b"not parquet"


def test_an_empty_merge_changes_nothing():
    history = History()
    grown, added = history.merge(build_table([]), [])
    assert added == 0 and len(grown.results) == 0 and grown.collected() == {}
