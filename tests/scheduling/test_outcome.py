"""A run's report from its exit and the version it wrote; when the webhook is told."""

from __future__ import annotations

import json
from pathlib import Path

from benchcrawl.scheduling.outcome import report, should_notify
from benchcrawl.scheduling.runner import Ended
from benchcrawl.storage.versions import switch_latest


def version(data: Path, name: str, files: dict, **extra) -> Path:
    folder = data / "archive" / name
    folder.mkdir(parents=True)
    manifest = {"version": name, "rows": {"merged": 42}, "files": files, **extra}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    switch_latest(data, folder)
    return folder


def test_a_new_version_is_reported_with_rows_and_change(tmp_path):
    first = version(tmp_path, "20261122T010000.000001Z", {"merged.csv": {"sha256": "a"}})
    run = report(
        "inferencemax",
        "2026-11-23T01:00:00Z",
        "tick",
        Ended(0, "exited", 12.34),
        "",
        tmp_path,
        None,
    )
    assert (run.outcome, run.rows, run.version, run.changed) == ("succeeded", 42, first.name, True)
    assert run.line() == (
        "run inferencemax tick 2026-11-23T01:00:00Z: succeeded, 42 rows, "
        "version 20261122T010000.000001Z, 12.3 s, data changed"
    )
    same = version(
        tmp_path,
        "20261123T010000.000001Z",
        {"merged.csv": {"sha256": "a"}},
        unchanged_from=first.name,
    )
    run = report("inferencemax", "", "once", Ended(0, "exited", 1.0), "", tmp_path, first)
    assert (run.version, run.changed) == (same.name, False)
    assert not should_notify(run, on_change=True)
    # a manifest without unchanged_from: its files are compared with the previous ones
    other = version(tmp_path, "20261124T010000.000001Z", {"merged.csv": {"sha256": "b"}})
    run = report("inferencemax", "", "once", Ended(0, "exited", 1.0), "", tmp_path, same)
    assert (run.version, run.changed) == (other.name, True)
    assert should_notify(run, on_change=True) and not should_notify(run, on_change=False)


def test_failures_are_reported_with_the_crawls_last_line_and_always_notified(tmp_path):
    last = "benchcrawl: inferencemax ended with sweep_failed: 1 of 9 combinations failed"
    run = report("inferencemax", "", "once", Ended(1, "exited", 3.0), last, tmp_path, None)
    assert (run.outcome, run.exit_code, run.rows, run.version) == ("failed", 1, 0, "")
    assert run.line().endswith("0 rows, version -, 3.0 s: " + last)
    assert should_notify(run, on_change=False)
    run = report("inferencemax", "", "once", Ended(None, "timeout", 1800.2), "", tmp_path, None)
    assert (run.outcome, run.exit_code) == ("timeout", 1)
    assert run.detail == "killed at the run timeout"
    run = report("inferencemax", "", "once", Ended(-9, "exited", 2.0), "", tmp_path, None)
    assert (run.outcome, run.detail) == ("crashed", "killed by signal 9")
    run = report("inferencemax", "", "once", Ended(None, "stopped", 2.0), "", tmp_path, None)
    assert not should_notify(run, on_change=True)  # the scheduler was stopped, not the job
