"""Make a version's derived products, one step at a time, each timed and each failing on
its own: a step that fails is one sentence in its ``StepOutcome``, and the next step runs.

For the 2025 generation, steps (``STEPS``, in order): ``diff`` (against the previous
version: ``diff.csv``, ``diff.md``), ``parquet`` (``merged.parquet``), ``charts``
(``charts/``), ``db`` (the results database) and ``report`` (``report.md``, last, so it
tells how the others went). The 2026 generation's are in ``inferencex_make.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from benchcrawl.products.step import StepOutcome, run_step

STEPS = ("diff", "parquet", "charts", "db", "report")
#: how to make a step again by hand
REDO = {
    "diff": "scrapy versions diff",
    "parquet": "scrapy versions products",
    "charts": "scrapy versions charts",
    "db": "scrapy versions load-db",
    "report": "scrapy versions products",
}


def write_diff(old_dir: Path, new_dir: Path) -> str:
    """``diff.csv`` and ``diff.md`` of *old_dir* -> *new_dir*, into *new_dir*; returns the
    summary line."""
    from benchcrawl.inferencemax.table import write_csv
    from benchcrawl.products.diff import diff_tables, to_markdown
    from benchcrawl.products.load import read_table

    diff = diff_tables(read_table(old_dir, "merged"), read_table(new_dir, "merged"))
    write_csv(diff.table, new_dir / "diff.csv")
    md = new_dir / "diff.md"
    tmp = md.with_name(".diff.md.tmp")
    tmp.write_text(to_markdown(diff, old_dir.name, new_dir.name))
    tmp.replace(md)
    return f"{diff.summary()} (against {old_dir.name})"


def write_charts(version_dir: Path) -> int:
    from benchcrawl.products.charts import draw_charts
    from benchcrawl.products.load import read_table

    tables = {k: read_table(version_dir, k) for k in ("interactivity", "e2e")}
    return len(draw_charts(tables, version_dir / "charts", version_dir.name))


def make_products(
    version_dir: Path,
    previous: Path | None,
    database_url: str,
    steps: Iterable[str] = STEPS,
) -> list[StepOutcome]:
    """Run *steps* for one version; never raises for a failing step. A version of the 2026
    generation (InferenceX) gets its own steps (``products/inferencex_make.py``)."""
    from benchcrawl.products import inferencex_make

    if inferencex_make.is_inferencex(version_dir):
        mine = [s for s in steps if s in inferencex_make.STEPS]
        return inferencex_make.make_products(version_dir, previous, database_url, mine)
    from benchcrawl.products.load import read_table
    from benchcrawl.storage.versions import read_manifest

    wanted = set(steps)
    outcomes: list[StepOutcome] = []
    diff_summary = "First version: nothing to compare with."

    def run(step: str, fn: Callable[[], str]) -> None:
        run_step(outcomes, wanted, step, fn)

    def diff() -> str:
        nonlocal diff_summary
        if previous is None or inferencex_make.is_inferencex(previous):
            return diff_summary  # nothing of this generation to compare with
        diff_summary = write_diff(previous, version_dir)
        return diff_summary

    def parquet() -> str:
        from benchcrawl.products.parquet import write_parquet

        path = write_parquet(read_table(version_dir, "merged"), version_dir / "merged.parquet")
        return f"{path.name}, {path.stat().st_size} bytes"

    def charts() -> str:
        return f"{write_charts(version_dir)} files in charts/"

    def db() -> str:
        from benchcrawl.products.db import connect, load_version, redacted

        engine = connect(database_url)
        try:
            result = load_version(engine, version_dir)
        finally:
            engine.dispose()
        if result.already_loaded:
            return f"already in {redacted(database_url)}"
        added = ", ".join(f"{n} {t}" for t, n in result.inserted.items())
        return f"{added} rows into {redacted(database_url)}"

    def report() -> str:
        from benchcrawl.products.report import render, write_report

        if "diff" not in wanted and (version_dir / "diff.md").is_file():
            first = (version_dir / "diff.md").read_text().splitlines()
            nonlocal diff_summary
            diff_summary = first[2] if len(first) > 2 else diff_summary
        merged = read_table(version_dir, "merged")
        text = render(version_dir.name, read_manifest(version_dir), merged, diff_summary, outcomes)
        return write_report(version_dir, text).name

    for step, fn in (
        ("diff", diff),
        ("parquet", parquet),
        ("charts", charts),
        ("db", db),
        ("report", report),
    ):
        run(step, fn)
    return outcomes
