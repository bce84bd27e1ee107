"""The results table of the 2026 generation, from generated answers and the real snapshot."""

from __future__ import annotations

import json

import pandas as pd

from benchcrawl.inferencex.table import (
    FIELDS,
    build_table,
    current_view,
    metric_columns,
    read_parquet,
    write_parquet,
)

from ._table_support import (
    DATES,
    MODELS,
    RUNS,
    answer,
    every_result,
    result,
    row,
    site_result,
    snapshot_rows,
)


def _keys(rows):
    return {
        (
            r["model"],
            r["hardware"],
            r["precision"],
            r["framework"],
            r["isl"],
            r["osl"],
            r["conc"],
            r["date"],
            r["run_url"],
        )
        for r in rows
    }


def _table_keys(table: pd.DataFrame):
    out = set()
    for r in table.to_dict("records"):
        isl = None if pd.isna(r["isl"]) else int(r["isl"])
        osl = None if pd.isna(r["osl"]) else int(r["osl"])
        out.add(
            (
                r["model"],
                r["hardware"],
                r["precision"],
                r["framework"],
                isl,
                osl,
                int(r["conc"]),
                r["date"],
                r["run_url"],
            )
        )
    return out


def test_every_answer_of_every_date_gives_every_published_result_once():
    results = [site_result(m, d) for m in MODELS for d in DATES[m]]
    served = sum(len(r.records or ()) for r in results)
    table = build_table(results)
    published = every_result()
    assert served > len(published)  # as-of answers repeat older rows
    assert len(table) == len(published) == 19
    assert _table_keys(table) == _keys(published)
    assert table.index.is_unique


def test_columns_model_fields_in_served_order_then_metrics_by_name():
    table = build_table([site_result("Alpha-1", "2026-04-01")])
    columns = list(table.columns)
    assert columns[:2] == ["model", "model_name"]
    fields = [c for c in columns if c in FIELDS]
    assert fields == [f for f in FIELDS if f in fields]
    metrics = metric_columns(table)
    assert metrics == sorted(metrics) and "tput_per_gpu" in metrics
    assert columns == ["model", "model_name", *fields, "brand_new_field", *metrics]


def test_new_fields_and_metrics_become_columns_empty_where_a_row_lacks_them():
    table = build_table([site_result("Alpha-1", "2026-04-01")])
    new = table[table["run_url"].str.contains("/401/")]
    old = table[~table["run_url"].str.contains("/401/")]
    assert len(new) == 3 and len(old) > 0
    assert set(new["brand_new_field"]) == {"x"}
    assert list(new["joules_per_output_token"]) == [4.0, 64.0, 128.0]
    assert old["brand_new_field"].isna().all() and old["joules_per_output_token"].isna().all()


def test_agentic_rows_with_null_isl_osl_are_kept():
    table = build_table([site_result("Alpha-1", "2026-03-01")])
    agentic = table[table["isl"].isna()]
    assert len(agentic) == 2
    assert set(agentic["benchmark_type"]) == {"agentic_traces"}
    assert agentic["osl"].isna().all()


def test_workers_lists_become_json_text_and_the_csv_has_every_row(tmp_path):
    rows = answer(RUNS, {"beta"}, "2026-04-01")
    rows[0]["workers"] = [{"role": "prefill", "hosts": ["h1"], "avg_power_w": 900.5}]
    table = build_table([result("Beta-2", "2026-04-01", rows)])
    cell = table["workers"].dropna().iloc[0]
    assert json.loads(cell) == rows[0]["workers"]
    table.to_csv(tmp_path / "r.csv", index=False)
    back = pd.read_csv(tmp_path / "r.csv")
    assert len(back) == len(rows) and list(back.columns) == list(table.columns)


def test_the_same_result_in_two_answers_is_one_row_and_the_later_answer_wins():
    one = row(RUNS[0], 1)
    late = dict(one, metrics={**one["metrics"], "new_metric": 1.5})
    table = build_table(
        [
            result("Alpha-1", "2026-01-01", [one], "2026-01-01T00:00:00+00:00"),
            result("Alpha-1", "2026-01-05", [late], "2026-01-05T00:00:00+00:00"),
        ]
    )
    assert len(table) == 1 and table["new_metric"].iloc[0] == 1.5


def test_a_result_that_gains_benchmark_type_later_keeps_its_key():
    one = row(RUNS[0], 1)
    table = build_table(
        [
            result("Alpha-1", "2026-01-01", [one]),
            result("Alpha-1", "2026-02-01", [dict(one, benchmark_type="single_turn")]),
        ]
    )
    assert len(table) == 1


def test_current_view_is_each_line_at_its_newest_run_with_all_its_concs():
    table = build_table([site_result(m, d) for m in MODELS for d in DATES[m]])
    view = current_view(table)
    today = answer(RUNS, {"alpha", "alpha2"}, "2026-04-01") + answer(RUNS, {"beta"}, "2026-04-01")
    assert _table_keys(view) == _keys(today)
    # the b200 1k/1k line: run 201 (concs 1, 4) replaced run 101 (1, 4, 16)
    b200 = view[(view["hardware"] == "b200") & (view["isl"] == 1024)]
    assert sorted(b200["conc"]) == [1, 4] and set(b200["date"]) == {"2026-02-01"}


def test_current_view_takes_the_later_run_of_the_same_date():
    a = row(RUNS[7], 16)
    b = dict(a, run_url="https://github.com/o/r/actions/runs/999/attempts/1", conc=32)
    a2 = dict(a, run_url="https://github.com/o/r/actions/runs/1000/attempts/1", conc=8)
    view = current_view(build_table([result("Beta-2", "2026-02-01", [a, b, a2])]))
    assert list(view["conc"]) == [8]


def test_parquet_round_trip_keeps_types_and_which_columns_are_fields(tmp_path):
    table = build_table([site_result("Alpha-1", "2026-04-01")])
    write_parquet(table, tmp_path / "t.parquet", index=True)
    back = read_parquet(tmp_path / "t.parquet")
    assert list(back.columns) == list(table.columns)
    assert metric_columns(back) == metric_columns(table)
    assert str(back["conc"].dtype) == "Int64" and str(back["disagg"].dtype) == "boolean"
    assert list(back.index) == list(table.index)


def test_the_real_snapshot_gives_435_rows_41_metric_columns():
    rows = snapshot_rows()
    table = build_table([result("DeepSeek-R1-0528", "2026-06-14", rows)])
    assert len(table) == len(rows) == 435
    assert len(metric_columns(table)) == 41
    assert set(table["model"]) == {"dsr1"} and set(table["model_name"]) == {"DeepSeek-R1-0528"}
    assert table["date"].nunique() == 43
    assert table["workers"].notna().sum() == 1
    # three lines of the real answer hold rows of two runs; the as-of rule keeps the newer
    assert len(current_view(table)) == 432
