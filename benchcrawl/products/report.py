"""``report.md``: one version's run report, from what its manifest holds (timings, sources,
row counts, the merge report), its merged table, its diff and the product steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from benchcrawl.products.markdown import table
from benchcrawl.storage.versions import VERSION_FORMAT

_CLEAN = "no duplicate keys, no one-side rows"


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _seconds(start: datetime | None, end: datetime | None) -> str:
    if start is None or end is None:
        return "unknown"
    return f"{(end - start).total_seconds():.1f} s"


def warnings(manifest: dict[str, Any]) -> list[str]:
    """The merge report's problem lines (duplicate keys, one-side rows); none on a clean run."""
    lines = str(manifest.get("merge_report") or "").splitlines()
    return [ln for ln in lines[1:] if ln.strip() and ln.strip() != _CLEAN]


def render(
    version: str,
    manifest: dict[str, Any],
    merged: pd.DataFrame | None,
    diff_summary: str,
    steps: Sequence[Any] = (),
) -> str:
    """The report's Markdown. *steps* are the product steps run so far (``StepOutcome``)."""
    try:
        started: datetime | None = datetime.strptime(version, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        started = None
    written = _when(manifest.get("written_at"))
    sources = manifest.get("sources") or []
    fetched = sorted(t for t in (_when(s.get("fetched_at")) for s in sources) if t is not None)
    rows = manifest.get("rows") or {}
    lines = [f"# Run report: version {version}", ""]
    if manifest.get("unchanged_from"):
        lines += [
            f"**Unchanged:** every data file is byte for byte that of "
            f"{manifest['unchanged_from']}.",
            "",
        ]
    lines += [
        "## Timings",
        "",
        table(
            ["what", "when (UTC)", "after the start"],
            [
                ["sweep started", started.isoformat() if started else version, "0.0 s"],
                [
                    "first file fetched",
                    fetched[0].isoformat() if fetched else "",
                    _seconds(started, fetched[0] if fetched else None),
                ],
                [
                    "last file fetched",
                    fetched[-1].isoformat() if fetched else "",
                    _seconds(started, fetched[-1] if fetched else None),
                ],
                ["version written", manifest.get("written_at", ""), _seconds(started, written)],
            ],
        ),
        "",
        f"Sweep `{manifest.get('sweep_id', version)}`, benchcrawl "
        f"{manifest.get('benchcrawl_version', '?')}.",
        "",
        "## Row counts",
        "",
        table(
            ["table", "rows"], [[k, rows.get(k, "")] for k in ("interactivity", "e2e", "merged")]
        ),
        "",
        f"## Combinations ({manifest.get('combinations', len(sources) // 2)})",
        "",
    ]
    per_combo: dict[tuple[str, str], dict[str, Any]] = {}
    for s in sources:
        combo = per_combo.setdefault((s.get("model", ""), s.get("sequence", "")), {})
        combo[s.get("kind", "")] = s.get("records", "")
    merged_counts: dict[Any, int] = {}
    if merged is not None and len(merged):
        merged_counts = merged.groupby(["model_name", "sequence_length"]).size().to_dict()
    body = []
    for (model, sequence), kinds in per_combo.items():
        seq_col = "".join(sequence.split()).lower().replace("/", "-")
        body.append(
            [
                model,
                sequence,
                kinds.get("interactivity", ""),
                kinds.get("e2e", ""),
                merged_counts.get((model, seq_col), 0),
            ]
        )
    lines.append(table(["model", "ISL / OSL", "interactivity", "e2e", "merged"], body))
    found = warnings(manifest)
    lines += ["", "## Validation warnings", ""]
    lines += [f"- {w}" for w in found] if found else ["None: no duplicate keys, no one-side rows."]
    lines += ["", "## Changes", "", diff_summary, ""]
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
