"""diff_tables on two merged tables: exactly the configurations removed, added and changed,
relative changes per metric, and the Markdown summary."""

from __future__ import annotations

import pandas as pd
import pytest

from benchcrawl.inferencemax.table import KEYS
from benchcrawl.products.diff import ADDED, CHANGED, REMOVED, diff_tables, to_markdown
from benchcrawl.products.load import read_table


def keys(table: pd.DataFrame, change: str) -> set[tuple]:
    rows = table[table["change"] == change][KEYS]
    return {tuple(r) for r in rows.itertuples(index=False)}


@pytest.fixture(scope="module")
def tables(two_versions):
    _, first, second = two_versions
    return read_table(first, "merged"), read_table(second, "merged")


def test_the_diff_finds_exactly_the_known_changes(tables, derived):
    old, new = tables
    diff = diff_tables(old, new)
    assert keys(diff.table, REMOVED) == derived.removed
    assert keys(diff.table, ADDED) == derived.added
    assert keys(diff.table, CHANGED) == derived.changed
    assert diff.unchanged == len(old) - len(derived.removed) - len(derived.changed)
    assert diff.summary() == (
        f"{len(old)} -> {len(new)} configurations: 2 added, 3 removed, 5 changed, "
        f"{diff.unchanged} unchanged"
    )


def test_relative_changes_and_flipped_roofs(tables, derived):
    diff = diff_tables(*tables)
    changed = diff.table[diff.table["change"] == CHANGED]
    moved = changed[changed["roof_flipped"] == ""]
    assert len(moved) == 4
    assert moved["tpPerGpu_y_rel"].round(3).tolist() == [0.1] * 4
    assert (moved["costh_y_rel"].round(2) <= -0.08).all()  # cheaper by about 1/1.1
    assert (moved["inter_x_rel"] == 0).all()
    flipped = changed[changed["roof_flipped"] != ""]
    assert flipped["roof_flipped"].tolist() == ["costr"]
    assert (flipped["tpPerGpu_y_rel"] == 0).all()
    added = diff.table[diff.table["change"] == ADDED]
    assert added["tpPerGpu_y_rel"].isna().all()
    movers = diff.movers()
    assert len(movers) == 4 and set(map(tuple, movers[KEYS].to_numpy())) < derived.changed


def test_the_same_table_has_no_diff(tables):
    old, _ = tables
    diff = diff_tables(old, old.sample(frac=1.0, random_state=1))  # row order does not matter
    assert diff.same and diff.unchanged == len(old)
    assert "Every configuration has the same values" in to_markdown(diff, "a", "b")


def test_markdown_has_summary_gpus_and_movers(tables):
    md = to_markdown(diff_tables(*tables), "v1", "v2")
    assert md.startswith("# Diff v1 -> v2\n")
    assert "2 added, 3 removed, 5 changed" in md
    assert "## By GPU and precision" in md and "## Biggest movers" in md
    assert "+10.0%" in md
    assert "## Added (2)" in md and "## Removed (3)" in md
