"""report.md: timings, combinations, row counts, the merge's warnings and the diff."""

from __future__ import annotations

import json

from benchcrawl.replica.data import dump, file_name

from ._support import T0, archive, expected_rows


def test_the_report_of_a_clean_first_version(two_versions, files):
    _, first, _ = two_versions
    report = (first / "report.md").read_text()
    e = expected_rows(files)
    assert "| sweep started | 2025-10-25T00:00:00+00:00 | 0.0 s |" in report
    assert "| first file fetched | 2025-10-25T00:00:03+00:00 | 3.0 s |" in report
    assert f"| merged | {e['merged']} |" in report
    assert "| gpt-oss 120B | 1K / 1K |" in report
    assert "None: no duplicate keys, no one-side rows." in report
    assert "First version: nothing to compare with." in report


def test_merge_warnings_are_in_the_report(tmp_path, files):
    name = file_name("gpt-oss-120b", "1k_8k", "e2e")
    e2e = json.loads(files[name])
    dropped = e2e.pop(0)  # its interactivity twin is left on one side
    status, detail, _ = archive(tmp_path / "data", {**files, name: dump(e2e)}, T0)
    assert status == "succeeded", detail
    report = ((tmp_path / "data" / "latest") / "report.md").read_text()
    warning = next(line for line in report.splitlines() if "only in inter" in line)
    assert warning.startswith("- 1 row(s) only in inter, excluded: gpt-oss 120B 1k-8k ")
    assert f"hwKey={dropped['hwKey']}" in warning
