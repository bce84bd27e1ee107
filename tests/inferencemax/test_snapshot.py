"""The 2025-10-25 snapshot's own figures, from ``../shared/inferencemax/README.md``.

Every value check runs on generated data and, when present, on the snapshot (see
``conftest.py``); this module adds the figures only the snapshot has. It skips as one
module, with its reason, when ``../shared`` is absent (a fresh clone).
"""

from __future__ import annotations

import pytest

from benchcrawl.inferencemax.schema import parse_records, sequence_length
from benchcrawl.inferencemax.table import KEYS, METRICS

from ._support import COMBOS, COUNTS, FILES, MODELS, SEQS, SNAPSHOT_DIR, file_url, served_pairs
from .test_table import merge_served

if not SNAPSHOT_DIR.is_dir():
    pytest.skip(
        f"the 2025-10-25 snapshot is absent at {SNAPSHOT_DIR} (set INFERENCEMAX_SNAPSHOT): "
        "its README figures were not checked; generated data was",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def merge(snapshot_bodies):
    return merge_served(snapshot_bodies)


@pytest.mark.parametrize("model,seq,kind", FILES, ids=["-".join(f) for f in FILES])
def test_every_file_has_its_readme_count(snapshot_bodies, model, seq, kind):
    records = parse_records(snapshot_bodies[model, seq, kind], file_url(model, seq, kind))
    assert len(records) == COUNTS[model][list(SEQS).index(seq)]


def test_snapshot_has_2786_records(snapshot_bodies):
    assert sum(len(parse_records(b, "u")) for b in snapshot_bodies.values()) == 2786


def test_snapshot_merges_to_1393_rows_and_20_columns(merge):
    assert merge.merged.shape == (1393, 20)
    assert merge.ok
    assert merge.report().startswith("merged 1393 rows")


def test_rows_per_model_and_sequence_match_readme(merge):
    counts = merge.merged.groupby(["model_name", "sequence_length"]).size()
    for model, seq in COMBOS:
        label = (MODELS[model], sequence_length(SEQS[seq]))
        assert counts[label] == COUNTS[model][list(SEQS).index(seq)]


def test_24_rows_120_roof_cells_differ_between_the_two_charts(merge, snapshot_bodies):
    """What taking the metric columns from the e2e file (as the replaced pipeline does)
    changed in the merged table of this snapshot: 24 rows, 120 values, all `_roof`."""
    pairs = served_pairs({"-".join(f) + ".json": b for f, b in snapshot_bodies.items()})
    rows = cells = 0
    for row in merge.merged.to_dict("records"):
        inter, e2e = pairs[tuple(row[k] for k in KEYS)]
        assert all(row[f"{m}_roof"] == e2e[m]["roof"] for m in METRICS)
        n = sum(row[f"{m}_roof"] != inter[m]["roof"] for m in METRICS)
        rows += n > 0
        cells += n
    assert (rows, cells) == (24, 120)
