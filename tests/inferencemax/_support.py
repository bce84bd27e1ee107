"""Constants and helpers for the InferenceMAX tests (snapshot location, labels, sample data,
and the merged table that served files must give, computed with plain ``json.loads``)."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = Path(
    os.environ.get(
        "INFERENCEMAX_SNAPSHOT",
        Path(__file__).resolve().parents[3]
        / "shared"
        / "inferencemax"
        / "snapshots"
        / "2025-10-25",
    )
)
BASE_URL = "https://inferencemax.semianalysis.com/data/inference-performance/"

# model_slug -> dropdown label; seq_slug -> dropdown label (from the README)
MODELS = {
    "llama-3_3-70b-instruct-fp8": "Llama 3.3 70B Instruct",
    "gpt-oss-120b": "gpt-oss 120B",
    "deepseek-r1-0528": "DeepSeek R1 0528",
}
SEQS = {"1k_1k": "1K / 1K", "1k_8k": "1K / 8K", "8k_1k": "8K / 1K"}
# README record counts per file, in 1k_1k / 1k_8k / 8k_1k order (the snapshot's only)
COUNTS = {
    "llama-3_3-70b-instruct-fp8": (224, 227, 227),
    "gpt-oss-120b": (150, 150, 149),
    "deepseek-r1-0528": (106, 65, 95),
}
KINDS = ("interactivity", "e2e")
COMBOS = [(m, s) for m in MODELS for s in SEQS]
FILES = [(m, s, k) for m, s in COMBOS for k in KINDS]

# A made-up record in the served shape (not copied from the snapshot).
SAMPLE_RECORD: dict[str, Any] = {
    "x": 12.5,
    "y": 1000.25,
    "conc": 16,
    "tp": 4,
    "hwKey": "h100",
    "precision": "fp8",
    "tpPerGpu": {"y": 1000.25, "roof": True},
    "tpPerMw": {"y": 578179.19, "roof": False},
    "costh": {"y": 0.361, "roof": True},
    "costn": {"y": 0.469, "roof": False},
    "costr": {"y": 0.361, "roof": True},
}


def file_name(model: str, seq: str, kind: str) -> str:
    return f"{model}-{seq}-{kind}.json"


def file_url(model: str, seq: str, kind: str) -> str:
    return BASE_URL + file_name(model, seq, kind)


def sample_records(n: int = 4) -> list[dict[str, Any]]:
    """``n`` distinct valid records (different conc values)."""
    out = []
    for i in range(n):
        rec = copy.deepcopy(SAMPLE_RECORD)
        rec["conc"] = 4 * 2**i
        rec["x"] = 12.5 + i
        out.append(rec)
    return out


# --- what served files must give -------------------------------------------------------

METRIC_NAMES = ("tpPerGpu", "tpPerMw", "costh", "costn", "costr")
SLUG_OF_MODEL = {label: slug for slug, label in MODELS.items()}
SLUG_OF_SEQUENCE = {label: slug for slug, label in SEQS.items()}


def sequence_column(seq_slug: str) -> str:
    """The merged table's ``sequence_length`` of a slug: ``1k_8k`` -> ``1k-8k``."""
    return seq_slug.replace("_", "-")


def served_pairs(
    files: Mapping[str, bytes],
    models: Iterable[str] | None = None,
    sequences: Iterable[str] | None = None,
) -> dict[tuple, tuple[dict, dict]]:
    """6-key -> (interactivity record, e2e record) of the served ``files`` (name -> bytes),
    for the given dropdown labels (all when None): the rows a sweep must merge."""
    model_slugs = [SLUG_OF_MODEL[m] for m in models] if models else list(MODELS)
    seq_slugs = [SLUG_OF_SEQUENCE[s] for s in sequences] if sequences else list(SEQS)
    pairs: dict[tuple, tuple[dict, dict]] = {}
    for model in model_slugs:
        for seq in seq_slugs:
            inter = json.loads(files[file_name(model, seq, "interactivity")])
            e2e = {
                (r["conc"], r["hwKey"], r["precision"], r["tp"]): r
                for r in json.loads(files[file_name(model, seq, "e2e")])
            }
            for r in inter:
                k = (r["conc"], r["hwKey"], r["precision"], r["tp"])
                if k in e2e:
                    pairs[(MODELS[model], sequence_column(seq), *k)] = (r, e2e[k])
    return pairs


def expected_row(key: tuple, inter: dict, e2e: dict) -> dict[str, Any]:
    """The merged row of one configuration; the metric columns come from the e2e file."""
    row: dict[str, Any] = dict(
        zip(("model_name", "sequence_length", "conc", "hwKey", "precision", "tp"), key, strict=True)
    )
    row.update(e2e_x=e2e["x"], e2e_y=e2e["y"], inter_x=inter["x"], inter_y=inter["y"])
    for m in METRIC_NAMES:
        row[f"{m}_y"] = e2e[m]["y"]
        row[f"{m}_roof"] = e2e[m]["roof"]
    return row


def assert_csv_rows_equal_served(
    rows: list[dict[str, str]], pairs: dict[tuple, tuple[dict, dict]]
) -> None:
    """Every row of a merged CSV (read with csv.DictReader) equals the served files, cell for
    cell, and the CSV has exactly the configurations of ``pairs``."""
    seen = set()
    for row in rows:
        key = (
            row["model_name"],
            row["sequence_length"],
            int(row["conc"]),
            row["hwKey"],
            row["precision"],
            int(row["tp"]),
        )
        assert key not in seen, f"row {key} twice"
        seen.add(key)
        expected = expected_row(key, *pairs[key])
        for column, value in expected.items():
            if isinstance(value, bool):
                assert row[column] == str(value), (key, column)
            elif isinstance(value, float | int) and column not in ("conc", "tp"):
                assert float(row[column]) == value, (key, column)
            else:
                assert row[column] == str(value), (key, column)
    assert seen == set(pairs)
