"""Products of the 2026 generation: the diff by key, the trend of one configuration from
the history, the charts (series counted in their SVG), the Pareto frontier, the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.inferencex.history import read_history
from benchcrawl.inferencex.table import build_table
from benchcrawl.products.inferencex_charts import draw_version_charts, pareto
from benchcrawl.products.inferencex_diff import diff_results
from benchcrawl.products.inferencex_make import make_products, read_results
from benchcrawl.products.inferencex_trend import draw_trend, parse_sequence, trend_rows
from benchcrawl.storage.inferencex import write_inferencex_version
from tests.inferencex._table_support import (
    DATES,
    MODELS,
    RUNS,
    answer,
    result,
    row,
    site_result,
    snapshot_rows,
)


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("x") / "data"
    old = [site_result(m, d) for m in MODELS for d in DATES[m][:-1]]
    new = [site_result(m, DATES[m][-1]) for m in MODELS]
    a = write_inferencex_version(data_dir, "20260405T000000.000000Z", old, len(old), None)
    b = write_inferencex_version(data_dir, "20260406T000000.000000Z", new, 2, a.path)
    return data_dir, a.path, b.path


def test_diff_by_key_counts_runs_replaced_as_removed_and_added(two):
    _, a, b = two
    diff = diff_results(read_results(a), read_results(b))
    # from 2026-03-01 to 2026-04-01: mi355x 1k/1k run 102 (4, 64) -> run 401 (4, 64, 128),
    # gb200 beta run 211 (16, 32) -> run 411 (16)
    assert (diff.count("removed"), diff.count("added"), diff.count("changed")) == (4, 4, 0)
    removed = diff.table[diff.table["change"] == "removed"]
    assert sorted(removed["run_url"].str.split("/").str[-3]) == ["102", "102", "211", "211"]
    assert diff.unchanged == 8 and diff.summary().startswith("12 -> 12 results")


def test_diff_names_the_metrics_that_changed_under_the_same_key():
    one = row(RUNS[0], 1)
    moved = dict(one, metrics={**one["metrics"], "tput_per_gpu": 1.0, "brand_new": 2.0})
    old = build_table([result("Alpha-1", "2026-01-01", [one, row(RUNS[0], 4)])])
    new = build_table([result("Alpha-1", "2026-01-01", [moved, row(RUNS[0], 4)])])
    diff = diff_results(old, new)
    (changed,) = diff.table[diff.table["change"] == "changed"]["changed"]
    assert set(changed.split(";")) == {"tput_per_gpu", "brand_new"}
    assert diff.unchanged == 1


def test_trend_of_one_configuration_over_its_run_dates(two):
    data_dir, _, _ = two
    history = read_history(data_dir).results
    rows = trend_rows(history, "Alpha-1", "1K / 1K", {"hardware": "b200"})
    served = [
        row(r, c)
        for r in RUNS[:4]
        if r.hardware == "b200" and r.isl == r.osl == 1024
        for c in r.concs
    ]
    assert len(rows) == len(served) == 5
    assert list(rows["date"]) == sorted(rows["date"])
    assert set(rows["date"]) == {"2026-01-01", "2026-02-01"}
    assert list(rows["tput_per_gpu"]) == [
        r["metrics"]["tput_per_gpu"] for r in sorted(served, key=lambda r: (r["date"], r["conc"]))
    ]


def test_trend_asks_to_narrow_an_ambiguous_configuration_in_one_sentence(two):
    data_dir, _, _ = two
    history = read_history(data_dir).results
    with pytest.raises(BenchcrawlError, match=r"^2 configurations .* narrow it with --field"):
        trend_rows(history, "Alpha-1", "1k/1k")
    with pytest.raises(BenchcrawlError, match="no model 'Gamma'"):
        trend_rows(history, "Gamma", "1k/1k")
    agentic = trend_rows(history, "alpha", "agentic")
    assert len(agentic) == 2 and set(agentic["sequence"]) == {"agentic-traces"}


def test_trend_chart_has_one_line_per_concurrency(two, tmp_path):
    data_dir, _, _ = two
    rows = trend_rows(read_history(data_dir).results, "Alpha-1", "1k/1k", {"hardware": "mi355x"})
    png, svg = draw_trend(rows, "tput_per_gpu", tmp_path / "t", "t")
    assert png.stat().st_size > 0
    text = svg.read_text()
    assert {f'id="conc:{c}"' for c in (4, 64, 128)} <= {
        part.split(">")[0] for part in text.split("<g ") if part.startswith('id="conc:')
    }


def test_parse_sequence():
    assert parse_sequence("1K / 8K") == parse_sequence("1k-8k") == "1k/8k"
    assert parse_sequence("Agentic Traces") == "agentic-traces"


def test_pareto_keeps_the_points_nothing_beats():
    x = np.array([1.0, 2.0, 3.0, 2.5, 0.5])
    y = np.array([10.0, 8.0, 5.0, 4.0, 9.0])
    assert list(pareto(x, y, higher_x_better=True)) == [0, 1, 2]
    assert list(pareto(x, y, higher_x_better=False)) == [4, 0]


def _ids(svg: str, prefix: str) -> set[str]:
    return {
        part.split('"')[1] for part in svg.split("<g ")[1:] if part.startswith(f'id="{prefix}:')
    }


def _expected(table: pd.DataFrame, model: str, isl, osl, x: str):
    part = table[(table["model_name"] == model) & (table["isl"] == isl) & (table["osl"] == osl)]
    part = part.dropna(subset=[x, "tput_per_gpu"])
    pareto_ids = {
        f"pareto:{h}:{f}" for h, f in zip(part["hardware"], part["framework"], strict=True)
    }
    points = {f"points:{h}:{p}" for h, p in zip(part["hardware"], part["precision"], strict=True)}
    return pareto_ids, points


def test_charts_have_one_frontier_per_hardware_and_framework(two, tmp_path):
    _, _, b = two
    table = read_results(b)
    written = draw_version_charts(table, tmp_path / "charts", "t", "p90")
    names = sorted(p.name for p in written if p.suffix == ".png")
    assert names == sorted(
        f"{m}_{s}_{v}.png"
        for m, s in (
            ("alpha-1", "1k-1k"),
            ("alpha-1", "8k-1k"),
            ("alpha-1", "1k-8k"),
            ("alpha-1", "agentic-traces"),
            ("beta-2", "1k-1k"),
        )
        for v in ("throughput-vs-interactivity", "throughput-vs-e2e-latency")
    )
    svg = (tmp_path / "charts" / "alpha-1_1k-1k_throughput-vs-interactivity.svg").read_text()
    want_pareto, want_points = _expected(table, "Alpha-1", 1024, 1024, "p90_intvty")
    assert _ids(svg, "pareto") == want_pareto and len(want_pareto) == 2
    assert _ids(svg, "points") == want_points
    assert written[-1].name == "index.html"
    with pytest.raises(BenchcrawlError, match="unknown percentile"):
        draw_version_charts(table, tmp_path / "c2", "t", "p42")


def test_charts_of_the_real_snapshot(tmp_path):
    table = build_table([result("DeepSeek-R1-0528", "2026-06-14", snapshot_rows())])
    draw_version_charts(table, tmp_path, "snap")
    svg = (tmp_path / "deepseek-r1-0528_8k-1k_throughput-vs-e2e-latency.svg").read_text()
    want_pareto, want_points = _expected(table, "DeepSeek-R1-0528", 8192, 1024, "median_e2el")
    assert _ids(svg, "pareto") == want_pareto and len(want_pareto) > 10
    assert _ids(svg, "points") == want_points


def test_products_of_a_version_diff_db_report(two, tmp_path):
    data_dir, a, b = two
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    outcomes = make_products(b, a, url, ("diff", "db", "report"))
    assert [o.error for o in outcomes] == [None, None, None]
    assert (b / "diff.csv").is_file() and (b / "diff.md").read_text().startswith("# Diff")
    report = (b / "report.md").read_text()
    assert "4 added, 4 removed" in report and "results in the history | 19" in report


def test_todays_answer_is_the_current_view(two):
    _, _, b = two
    table = read_results(b)
    today = answer(RUNS, {"alpha", "alpha2"}, "2026-04-01") + answer(RUNS, {"beta"}, "2026-04-01")
    assert len(table) == len(today)
