"""Constants and helpers for the InferenceMAX tests (snapshot location, labels, sample data)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

SNAPSHOT_DIR = Path(os.environ.get(
    "INFERENCEMAX_SNAPSHOT",
    Path(__file__).resolve().parents[3] / "shared" / "inferencemax" / "snapshots" / "2025-10-25",
))
BASE_URL = "https://inferencemax.semianalysis.com/data/inference-performance/"

# model_slug -> dropdown label; seq_slug -> dropdown label (from the README)
MODELS = {
    "llama-3_3-70b-instruct-fp8": "Llama 3.3 70B Instruct",
    "gpt-oss-120b": "gpt-oss 120B",
    "deepseek-r1-0528": "DeepSeek R1 0528",
}
SEQS = {"1k_1k": "1K / 1K", "1k_8k": "1K / 8K", "8k_1k": "8K / 1K"}
# README record counts per file, in 1k_1k / 1k_8k / 8k_1k order
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
    "x": 12.5, "y": 1000.25, "conc": 16, "tp": 4, "hwKey": "h100", "precision": "fp8",
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
        rec["conc"] = 4 * 2 ** i
        rec["x"] = 12.5 + i
        out.append(rec)
    return out
