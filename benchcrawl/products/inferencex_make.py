"""Derived products of a 2026-generation version (InferenceX), each step timed and failing
on its own, as ``make.py`` does for the 2025 generation: ``diff`` (against the previous
version of this generation: ``diff.csv``, ``diff.md``), ``charts`` (``charts/``), ``db``
(the ``results`` table) and ``report`` (``report.md``). ``results.parquet`` is part of the
version itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.products.step import StepOutcome, run_step
from benchcrawl.storage.inferencex import GENERATION
from benchcrawl.storage.versions import read_manifest

STEPS = ("diff", "charts", "db", "report")


def is_inferencex(version_dir: Path) -> bool:
    """Whether *version_dir* is a version of the 2026 generation."""
    try:
        return read_manifest(version_dir).get("generation") == GENERATION
    except BenchcrawlError:
        return False


def read_results(version_dir: Path) -> pd.DataFrame:
    """A version's ``results.parquet`` (indexed by ``result_id``); one sentence if broken."""
    from benchcrawl.inferencex.table import read_parquet

    path = version_dir / "results.parquet"
    try:
        table = read_parquet(path)
    except Exception as e:  # noqa: BLE001 - pyarrow raises many kinds for a broken file
        raise BenchcrawlError(f"cannot read {path}: {type(e).__name__}: {e}") from e
    if "result_id" in table.columns:
        table = table.set_index("result_id")
    if table.index.name != "result_id":
        raise BenchcrawlError(f"{path} has no result_id; it is not a results table")
    return table


def write_diff(old_dir: Path, new_dir: Path) -> str:
    """``diff.csv`` and ``diff.md`` of *old_dir* -> *new_dir* into *new_dir*; the summary."""
    from benchcrawl.inferencemax.table import write_csv
    from benchcrawl.products.inferencex_diff import diff_results, to_markdown

    if not is_inferencex(old_dir):
        raise BenchcrawlError(
            f"{old_dir.name} is a version of the 2025 dashboard and {new_dir.name} of "
            "InferenceX; their tables cannot be compared"
        )
    diff = diff_results(read_results(old_dir), read_results(new_dir))
    write_csv(diff.table, new_dir / "diff.csv")
    md = new_dir / "diff.md"
    tmp = md.with_name(".diff.md.tmp")
    tmp.write_text(to_markdown(diff, old_dir.name, new_dir.name))
    tmp.replace(md)
    return f"{diff.summary()} (against {old_dir.name})"


def write_charts(version_dir: Path, percentile: str = "median") -> int:
    from benchcrawl.products.inferencex_charts import draw_version_charts

    table = read_results(version_dir)
    return len(draw_version_charts(table, version_dir / "charts", version_dir.name, percentile))


def make_products(
    version_dir: Path,
    previous: Path | None,
    database_url: str,
    steps: Iterable[str] = STEPS,
) -> list[StepOutcome]:
    """Run *steps* for one version; never raises for a failing step."""
    wanted = set(steps)
    outcomes: list[StepOutcome] = []
    diff_summary = "First version of this generation: nothing to compare with."

    def run(step: str, fn: Callable[[], str]) -> None:
        run_step(outcomes, wanted, step, fn)

    def diff() -> str:
        nonlocal diff_summary
        if previous is None or not is_inferencex(previous):
            return diff_summary
        diff_summary = write_diff(previous, version_dir)
        return diff_summary

    def charts() -> str:
        return f"{write_charts(version_dir)} files in charts/"

    def db() -> str:
        from benchcrawl.products.inferencex_db import load_into

        detail, error = load_into(database_url, version_dir)
        if error:
            raise BenchcrawlError(error)
        return detail

    def report() -> str:
        from benchcrawl.products.inferencex_report import render, write_report

        text = render(version_dir.name, read_manifest(version_dir), diff_summary, outcomes)
        return write_report(version_dir, text).name

    for step, fn in (("diff", diff), ("charts", charts), ("db", db), ("report", report)):
        run(step, fn)
    return outcomes
