"""MergePipeline: the sweep's two side tables and their join, problems reported with
counts and examples."""

from __future__ import annotations

import copy
import logging

from benchcrawl.inferencemax.table import KEYS, MERGED_COLUMNS, SIDE_COLUMNS
from benchcrawl.items import CombinationFailure, MergedSweep
from benchcrawl.pipelines.merge import MergePipeline
from tests.inferencemax._support import expected_row

from ._support import PLAN, served, sweep_tables


def seq_column(label: str) -> str:
    return label.lower().replace(" ", "").replace("/", "-")


def test_a_clean_sweep_merges_one_row_per_configuration(build, crawler, sweep_id, caplog):
    files = {combo: served(*combo) for combo in PLAN}
    with caplog.at_level(logging.WARNING):
        out = build(MergePipeline).process_item(sweep_tables(sweep_id, files))
    assert isinstance(out, MergedSweep) and out.merge_ok
    expected = {}
    for (model, sequence), kinds in files.items():
        for inter, e2e in zip(kinds["interactivity"], kinds["e2e"], strict=True):
            key = (model, seq_column(sequence), inter["conc"], inter["hwKey"],
                   inter["precision"], inter["tp"])  # fmt: skip
            expected[key] = expected_row(key, inter, e2e)
    assert list(out.merged.columns) == MERGED_COLUMNS
    rows = out.merged.to_dict("records")
    assert {tuple(r[k] for k in KEYS): r for r in rows} == expected
    assert len(out.interactivity) == len(out.e2e) == len(expected)
    assert list(out.interactivity.columns) == SIDE_COLUMNS
    assert crawler.stats.get_value("inferencemax/merged/rows") == len(expected)
    assert out.merge_report.endswith("no duplicate keys, no one-side rows")
    assert caplog.records == []


def test_duplicates_and_one_side_rows_are_reported_with_counts_and_examples(
    build, crawler, sweep_id, caplog
):
    model, sequence = PLAN[0]
    kinds = served(model, sequence, rows=(8, 8))
    inter, e2e = kinds["interactivity"], kinds["e2e"]
    twin = copy.deepcopy(inter[0])
    inter.append(twin)  # one key twice on the interactivity side
    lonely = e2e.pop()  # its interactivity row has no e2e partner
    extra = dict(copy.deepcopy(e2e[1]), conc=4096)  # an e2e row with no partner
    e2e.append(extra)
    with caplog.at_level(logging.WARNING, logger="benchcrawl.pipelines.merge"):
        out = build(MergePipeline).process_item(sweep_tables(sweep_id, {PLAN[0]: kinds}))
    assert not out.merge_ok
    assert len(out.merged) == 8 - 2  # the duplicated key and the lonely row are left out
    seq = seq_column(sequence)

    def example(r: dict) -> str:
        return (f"{model} {seq} hwKey={r['hwKey']} precision={r['precision']} "
                f"tp={r['tp']} conc={r['conc']}")  # fmt: skip

    report = out.merge_report
    assert f"1 duplicated key(s) in inter (2 rows), excluded: {example(twin)}" in report
    assert f"1 row(s) only in inter, excluded: {example(lonely)}" in report
    assert f"1 row(s) only in e2e, excluded: {example(extra)}" in report
    (warning,) = caplog.records
    assert warning.levelno == logging.WARNING
    assert warning.getMessage() == f"merge of sweep {sweep_id}: {report}"
    assert crawler.stats.get_value("inferencemax/merged/duplicate_rows/inter") == 2
    assert crawler.stats.get_value("inferencemax/merged/only_inter") == 1
    assert crawler.stats.get_value("inferencemax/merged/only_e2e") == 1
    assert crawler.stats.get_value("inferencemax/merged/rows") == 6


def test_disjoint_files_merge_to_zero_rows(build, crawler, sweep_id):
    kinds = served(*PLAN[0])
    for r in kinds["e2e"]:
        r["conc"] += 10_000  # no configuration in common
    out = build(MergePipeline).process_item(sweep_tables(sweep_id, {PLAN[0]: kinds}))
    assert len(out.merged) == 0 and not out.merge_ok
    n = len(kinds["e2e"])
    assert f"{n} row(s) only in inter" in out.merge_report
    assert f"{n} row(s) only in e2e" in out.merge_report
    assert crawler.stats.get_value("inferencemax/merged/rows") == 0


def test_a_partial_sweep_is_not_merged(build, sweep_id):
    tables = sweep_tables(sweep_id, {PLAN[0]: served(*PLAN[0])})
    tables.failures.append(CombinationFailure(sweep_id, 2, *PLAN[1], "answered HTTP 404"))
    out = build(MergePipeline).process_item(tables)
    assert isinstance(out, MergedSweep)
    assert out.merged is None and out.interactivity is None and not out.merge_ok


def test_other_items_pass_through(build):
    other = {"url": "http://example/"}
    assert build(MergePipeline).process_item(other) is other
