"""Flattening, merging and CSV output (benchcrawl.inferencemax.table)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from benchcrawl.inferencemax.schema import parse_records, sequence_length
from benchcrawl.inferencemax.table import (
    KEYS,
    MERGED_COLUMNS,
    METRICS,
    SIDE_COLUMNS,
    MergeResult,
    flatten,
    merge_tables,
    side_table,
    write_csv,
)

from ._support import (
    COMBOS,
    MODELS,
    SEQS,
    expected_row,
    file_name,
    file_url,
    sample_records,
    sequence_column,
    served_pairs,
)

FLOAT_COLUMNS = ["e2e_x", "e2e_y", "inter_x", "inter_y"] + [f"{m}_y" for m in METRICS]
ROOF_COLUMNS = [f"{m}_roof" for m in METRICS]


def tables_from(
    records_by_kind: dict[str, list[dict]], model: str = "gpt-oss 120B", seq: str = "1k-1k"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        side_table(flatten(records_by_kind["interactivity"], model, seq)),
        side_table(flatten(records_by_kind["e2e"], model, seq)),
    )


def e2e_version(records: list[dict]) -> list[dict]:
    """The e2e file's view of the same configurations: other x, same y."""
    out = copy.deepcopy(records)
    for r in out:
        r["x"] = round(100.0 / r["x"], 3)
    return out


def key_text(rec: dict, model: str = "gpt-oss 120B", seq: str = "1k-1k") -> str:
    return (
        f"{model} {seq} hwKey={rec['hwKey']} precision={rec['precision']} "
        f"tp={rec['tp']} conc={rec['conc']}"
    )


def replaced_pipeline(views: list[tuple[str, str, bytes, bytes]]) -> pd.DataFrame:
    """The join users ran before benchcrawl, from plain ``json.loads``: per view
    ``(model_name, sequence_length, interactivity bytes, e2e bytes)``,
    ``pandas.merge(e2e_df, inter_df, on=KEYS, how="inner", suffixes=("_e2e", "_inter"))``."""
    frames = []
    for model_name, seq, inter_body, e2e_body in views:
        sides = []
        for body in (e2e_body, inter_body):
            df = pd.json_normalize(json.loads(body))
            df["model_name"], df["sequence_length"] = model_name, seq
            sides.append(df)
        frames.append(
            pd.merge(sides[0], sides[1], on=KEYS, how="inner", suffixes=("_e2e", "_inter"))
        )
    joined = pd.concat(frames, ignore_index=True)
    out = joined[KEYS].copy()
    out["e2e_x"], out["e2e_y"] = joined["x_e2e"], joined["y_e2e"]
    out["inter_x"], out["inter_y"] = joined["x_inter"], joined["y_inter"]
    for m in METRICS:
        out[f"{m}_y"] = joined[f"{m}.y_e2e"]
        out[f"{m}_roof"] = joined[f"{m}.roof_e2e"]
    return out


def assert_same_as_replaced_pipeline(
    merged: pd.DataFrame, views: list[tuple[str, str, bytes, bytes]]
) -> None:
    expected = replaced_pipeline(views)
    assert list(merged.columns) == list(expected.columns) == MERGED_COLUMNS
    order = ["model_name", "sequence_length", "hwKey", "precision", "tp", "conc"]
    expected = expected.sort_values(order, kind="mergesort").reset_index(drop=True)
    assert len(merged) == len(expected)
    for column in MERGED_COLUMNS:  # value for value, not within a tolerance
        assert merged[column].tolist() == expected[column].tolist(), column


def views_of(bodies: dict[tuple[str, str, str], bytes]) -> list[tuple[str, str, bytes, bytes]]:
    """(model_name, sequence_length, interactivity bytes, e2e bytes) per served view."""
    return [
        (MODELS[m], sequence_column(s), bodies[m, s, "interactivity"], bodies[m, s, "e2e"])
        for m, s in COMBOS
    ]


def merge_served(bodies: dict[tuple[str, str, str], bytes]) -> MergeResult:
    sides: dict[str, list[dict]] = {"interactivity": [], "e2e": []}
    for model, seq in COMBOS:
        for kind in sides:
            recs = parse_records(bodies[model, seq, kind], file_url(model, seq, kind))
            sides[kind] += flatten(recs, MODELS[model], sequence_length(SEQS[seq]))
    return merge_tables(side_table(sides["interactivity"]), side_table(sides["e2e"]))


# --- served data: generated, and the 2025-10-25 snapshot when present ------------------


@pytest.fixture(scope="session")
def served_merge(bodies) -> MergeResult:
    return merge_served(bodies)


@pytest.fixture(scope="session")
def source_pairs(bodies) -> dict[tuple, tuple[dict, dict]]:
    """6-key -> (interactivity record, e2e record), straight from json.loads."""
    return served_pairs({file_name(*f): b for f, b in bodies.items()})


def test_served_data_merges_to_one_row_per_configuration_and_20_columns(served_merge, raw):
    merged = served_merge.merged
    configurations = sum(len(recs) for (_, _, k), recs in raw.items() if k == "e2e")
    assert merged.shape == (configurations, 20)
    assert list(merged.columns) == MERGED_COLUMNS
    assert served_merge.ok
    assert served_merge.report().startswith(f"merged {configurations} rows")
    assert not merged.isna().any().any()


def test_rows_per_model_and_sequence_equal_the_files(served_merge, raw):
    counts = served_merge.merged.groupby(["model_name", "sequence_length"]).size()
    for model, seq in COMBOS:
        label = (MODELS[model], sequence_length(SEQS[seq]))
        assert counts[label] == len(raw[model, seq, "interactivity"])
        assert counts[label] == len(raw[model, seq, "e2e"])


def test_every_merged_row_equals_its_source_records(served_merge, source_pairs):
    rows = served_merge.merged.to_dict("records")
    seen = set()
    for row in rows:
        key = tuple(row[k] for k in KEYS)
        assert key not in seen
        seen.add(key)
        assert row == expected_row(key, *source_pairs[key]), key
    assert seen == set(source_pairs)


def test_sample_row_cell_by_cell(served_merge, raw):
    inter = raw["gpt-oss-120b", "8k_1k", "interactivity"][0]
    e2e = raw["gpt-oss-120b", "8k_1k", "e2e"][0]
    merged = served_merge.merged
    hit = merged[
        (merged.model_name == "gpt-oss 120B")
        & (merged.sequence_length == "8k-1k")
        & (merged.conc == inter["conc"])
        & (merged.hwKey == inter["hwKey"])
        & (merged.precision == inter["precision"])
        & (merged.tp == inter["tp"])
    ]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["e2e_x"] == e2e["x"] and row["e2e_y"] == e2e["y"]
    assert row["inter_x"] == inter["x"] and row["inter_y"] == inter["y"]
    for m in METRICS:
        assert row[f"{m}_y"] == e2e[m]["y"]
        assert row[f"{m}_roof"] == e2e[m]["roof"]


def test_column_totals_equal_source_totals(served_merge, raw):
    merged = served_merge.merged
    inter = [r for (_, _, k), recs in raw.items() if k == "interactivity" for r in recs]
    e2e = [r for (_, _, k), recs in raw.items() if k == "e2e" for r in recs]
    assert math.fsum(merged.e2e_x) == math.fsum(r["x"] for r in e2e)
    assert math.fsum(merged.e2e_y) == math.fsum(r["y"] for r in e2e)
    assert math.fsum(merged.inter_x) == math.fsum(r["x"] for r in inter)
    assert int(merged.conc.sum()) == sum(r["conc"] for r in inter)
    assert int(merged.tp.sum()) == sum(r["tp"] for r in inter)
    for m in METRICS:
        assert math.fsum(merged[f"{m}_y"]) == math.fsum(r[m]["y"] for r in e2e)
        assert int(merged[f"{m}_roof"].sum()) == sum(r[m]["roof"] for r in e2e)


def test_roof_flags_come_from_the_e2e_file(served_merge, source_pairs):
    """The two charts have their own Pareto frontiers: the merged table has the e2e file's
    flags, as the replaced pipeline does, and that choice shows in the data."""
    differing_cells = 0
    for row in served_merge.merged.to_dict("records"):
        inter, e2e = source_pairs[tuple(row[k] for k in KEYS)]
        assert all(row[f"{m}_roof"] == e2e[m]["roof"] for m in METRICS)
        assert all(row[f"{m}_y"] == e2e[m]["y"] == inter[m]["y"] for m in METRICS)
        differing_cells += sum(row[f"{m}_roof"] != inter[m]["roof"] for m in METRICS)
    assert differing_cells > 0


def test_equals_the_replaced_pipeline_value_for_value(served_merge, bodies):
    assert_same_as_replaced_pipeline(served_merge.merged, views_of(bodies))


def test_side_tables_keep_their_own_roof_flags(bodies, raw):
    """interactivity.csv keeps the interactivity file's flags: nothing is lost."""
    for kind in ("interactivity", "e2e"):
        rows = []
        for model, seq in COMBOS:
            rows += flatten(raw[model, seq, kind], MODELS[model], sequence_column(seq))
        table = side_table(rows)
        expected = [
            r[m]["roof"]
            for (_, _, k), recs in raw.items()
            if k == kind
            for r in recs
            for m in METRICS
        ]
        assert table[[f"{m}_roof" for m in METRICS]].to_numpy().ravel().tolist() == expected


def test_merged_is_sorted_with_stable_dtypes(served_merge):
    merged = served_merge.merged
    order = ["model_name", "sequence_length", "hwKey", "precision", "tp", "conc"]
    resorted = merged.sort_values(order).reset_index(drop=True)
    pd.testing.assert_frame_equal(merged, resorted)
    assert merged.index.equals(pd.RangeIndex(len(merged)))
    assert {str(merged[c].dtype) for c in ("conc", "tp")} == {"int64"}
    assert {str(merged[c].dtype) for c in FLOAT_COLUMNS} == {"float64"}
    assert {str(merged[c].dtype) for c in ROOF_COLUMNS} == {"bool"}


def test_served_csv_round_trips(served_merge, tmp_path: Path):
    path = write_csv(served_merge.merged, tmp_path / "inferencemax.csv")
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, served_merge.merged, check_exact=True)
    assert list(back.columns) == MERGED_COLUMNS


# --- synthetic data (always run) ------------------------------------------------------


def test_flatten_and_side_table_columns_and_dtypes():
    recs = sample_records(2)
    rows = flatten(recs, "gpt-oss 120B", "1k-1k")
    assert list(rows[0]) == SIDE_COLUMNS
    assert rows[1]["conc"] == recs[1]["conc"] and rows[1]["x"] == recs[1]["x"]
    assert rows[0]["costn_y"] == recs[0]["costn"]["y"]
    assert rows[0]["tpPerGpu_roof"] is True
    for df in (side_table(rows), side_table([])):
        assert list(df.columns) == SIDE_COLUMNS
        assert str(df.conc.dtype) == str(df.tp.dtype) == "int64"
        assert {str(df[c].dtype) for c in ROOF_COLUMNS} == {"bool"}
        assert {str(df[c].dtype) for c in ("x", "y", "costh_y")} == {"float64"}
        assert all(pd.api.types.is_string_dtype(df[c]) for c in ("model_name", "hwKey"))


def test_clean_inputs_merge_one_row_per_configuration():
    recs = sample_records(4)
    inter, e2e = tables_from({"interactivity": recs, "e2e": e2e_version(recs)})
    result = merge_tables(inter, e2e)
    assert result.ok
    assert len(result.merged) == 4
    assert list(result.merged.inter_x) == [r["x"] for r in recs]
    assert list(result.merged.e2e_x) == [r["x"] for r in e2e_version(recs)]
    assert "no duplicate keys, no one-side rows" in result.report()


def test_duplicate_key_is_excluded_and_reported_not_multiplied():
    recs = sample_records(4)
    twin = dict(copy.deepcopy(recs[2]), x=99.5)
    inter, e2e = tables_from({"interactivity": recs + [twin], "e2e": e2e_version(recs)})
    result = merge_tables(inter, e2e)
    merged = result.merged
    assert len(merged) == 3
    assert not merged.duplicated(KEYS).any()
    assert recs[2]["conc"] not in set(merged.conc)
    assert len(result.duplicates["inter"]) == 2
    assert result.duplicates["e2e"].empty
    # the e2e row of that key is explained by the duplicate, not reported again
    assert result.only_inter.empty and result.only_e2e.empty
    assert not result.ok
    report = result.report()
    assert "1 duplicated key(s) in inter (2 rows)" in report
    assert key_text(recs[2]) in report


def test_key_duplicated_on_both_sides_gives_no_rows_instead_of_six():
    recs = sample_records(3)
    dup = recs[0]
    inter_recs = recs + [copy.deepcopy(dup), copy.deepcopy(dup)]
    e2e_recs = e2e_version(recs) + e2e_version([dup])
    result = merge_tables(*tables_from({"interactivity": inter_recs, "e2e": e2e_recs}))
    assert len(result.merged) == 2
    assert (len(result.duplicates["inter"]), len(result.duplicates["e2e"])) == (3, 2)
    assert "in inter (3 rows)" in result.report() and "in e2e (2 rows)" in result.report()


def test_one_side_rows_are_excluded_and_reported():
    recs = sample_records(5)
    e2e_recs = e2e_version(recs[:4])
    extra = dict(copy.deepcopy(recs[0]), hwKey="mi355x")
    inter, e2e = tables_from({"interactivity": recs, "e2e": e2e_recs + e2e_version([extra])})
    result = merge_tables(inter, e2e)
    assert len(result.merged) == 4
    assert list(result.only_inter.conc) == [recs[4]["conc"]]
    assert list(result.only_inter.columns) == SIDE_COLUMNS
    assert list(result.only_e2e.hwKey) == ["mi355x"]
    assert not result.ok
    report = result.report()
    assert "1 row(s) only in inter" in report and key_text(recs[4]) in report
    assert "1 row(s) only in e2e" in report and key_text(extra) in report


def test_report_lists_at_most_three_examples():
    recs = sample_records(6)
    result = merge_tables(*tables_from({"interactivity": recs, "e2e": e2e_version(recs[:1])}))
    line = next(s for s in result.report().splitlines() if "only in inter" in s)
    assert line.startswith("5 row(s) only in inter")
    assert line.count("hwKey=") == 3


def test_csv_round_trips_exactly_with_column_order(tmp_path: Path):
    recs = sample_records(3)
    recs[0]["y"] = recs[0]["tpPerGpu"]["y"] = 0.1 + 0.2  # needs all 17 digits
    recs[1]["x"] = 1e-7
    result = merge_tables(
        *tables_from(
            {"interactivity": recs, "e2e": e2e_version(recs)},
            model="Llama 3.3 70B Instruct",
            seq="8k-1k",
        )
    )
    target = tmp_path / "out.csv"
    assert write_csv(result.merged, target) == target
    raw = target.read_bytes()
    assert b"\r\n" not in raw
    assert raw.splitlines()[0].decode() == ",".join(MERGED_COLUMNS)
    assert b",True," in raw and b",False," in raw
    back = pd.read_csv(target)
    pd.testing.assert_frame_equal(back, result.merged, check_exact=True)
    assert not (tmp_path / "out.csv.tmp").exists()


def test_csv_write_is_atomic(tmp_path: Path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def broken_to_csv(self, path, **kwargs):
        Path(path).write_text("model_name,seq")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
    with pytest.raises(OSError, match="disk full"):
        write_csv(side_table([]), target)
    assert target.read_text() == "old\n"
    assert not (tmp_path / "out.csv.tmp").exists()


def test_missing_columns_are_refused():
    inter = side_table(flatten(sample_records(1), "m", "1k-1k"))
    with pytest.raises(ValueError, match="e2e table is missing columns"):
        merge_tables(inter, inter.drop(columns=["x"]))
