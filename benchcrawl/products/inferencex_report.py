"""``report.md`` of a 2026-generation version: row counts, the combinations loaded (model,
run date, rows, the run dates seen in its rows), the change against the version before and
the product steps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchcrawl.products.markdown import table


def render(
    version: str, manifest: dict[str, Any], diff_summary: str, steps: Sequence[Any] = ()
) -> str:
    rows = manifest.get("rows") or {}
    sources = manifest.get("sources") or []
    lines = [f"# Run report: version {version} (InferenceX)", ""]
    if manifest.get("unchanged_from"):
        lines += [f"**Unchanged:** nothing new since {manifest['unchanged_from']}.", ""]
    lines += [
        f"Sweep `{manifest.get('sweep_id', version)}`, benchcrawl "
        f"{manifest.get('benchcrawl_version', '?')}, written {manifest.get('written_at', '?')}.",
        "",
        "## Row counts",
        "",
        table(
            ["what", "rows"],
            [
                ["results.csv (the dashboard today)", rows.get("results", "")],
                ["results new to the history", rows.get("new", "")],
                ["results in the history", rows.get("history", "")],
            ],
        ),
        "",
        f"## Combinations loaded ({len(sources)} of {manifest.get('combinations', '?')} planned)",
        "",
        table(
            ["model", "run date", "rows", "run dates in its rows", "URL"],
            (
                [
                    s.get("model", ""),
                    s.get("run_date", ""),
                    s.get("records", ""),
                    len(s.get("run_dates") or ()),
                    s.get("url", ""),
                ]
                for s in sources
            ),
        ),
        "",
        "## Newest run date per model",
        "",
        table(["model", "run date"], sorted((manifest.get("newest_run_dates") or {}).items())),
        "",
        "## Changes",
        "",
        diff_summary,
        "",
    ]
    if steps:
        lines += [
            "## Products",
            "",
            table(
                ["step", "seconds", "result"],
                [[s.step, f"{s.seconds:.2f}", s.error or s.detail] for s in steps],
            ),
            "",
        ]
    return "\n".join(lines)


def write_report(version_dir: Path, text: str) -> Path:
    path = version_dir / "report.md"
    tmp = path.with_name(".report.md.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path
