"""Items of the InferenceMAX sweep, in the order they flow through the pipelines.

spider -> :class:`CombinationResult` (one per data file) or :class:`CombinationFailure`
validate -> result with ``records`` filled, or turned into a failure
split -> stores it in the sweep; the worker that completes the sweep emits :class:`SweepTables`
merge -> :class:`MergedSweep`; archive writes it as a version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INFERENCEMAX, INFERENCEX = "inferencemax", "inferencex"  # the 2025 and the 2026 generation


@dataclass
class CombinationResult:
    """One captured data file of one model x sequence combination (2025), or the benchmarks
    answer of one model x run date combination (2026, InferenceX)."""

    sweep_id: str
    index: int  # 1-based position of the combination in the sweep's plan
    model: str  # Model control label, e.g. "gpt-oss 120B" or "DeepSeek-R1-0528"
    sequence: str  # 2025: ISL / OSL label, e.g. "1K / 8K"; 2026: the run date, "2026-06-14"
    kind: str  # "interactivity" or "e2e"; "benchmarks" for an InferenceX answer
    url: str
    fetched_at: str  # ISO 8601, UTC
    status: int
    content_type: str | None
    body: bytes = field(repr=False)  # the file as served, archived byte for byte
    records: list[dict[str, Any]] | None = field(default=None, repr=False)  # parsed, as served


@dataclass
class CombinationFailure:
    """A combination (or the option discovery) that failed for good."""

    sweep_id: str
    index: int  # 0 for the discovery step
    model: str
    sequence: str
    reason: str


@dataclass
class SweepTables:
    """Everything one finished sweep produced, gathered by the worker that finished it."""

    sweep_id: str
    results: list[CombinationResult]  # validated, both kinds of every good combination
    failures: list[CombinationFailure]
    planned: int  # number of combinations in the plan


@dataclass
class MergedSweep:
    """The split and merged tables of a sweep, ready to archive."""

    sweep_id: str
    tables: SweepTables
    interactivity: Any  # pandas.DataFrame
    e2e: Any  # pandas.DataFrame
    merged: Any  # pandas.DataFrame
    merge_report: str
    merge_ok: bool
    generation: str = INFERENCEMAX  # INFERENCEX: no merge; the archive builds results.csv
