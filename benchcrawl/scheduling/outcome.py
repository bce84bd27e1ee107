"""What a run gave, from its exit and the version it wrote, and its one log line."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.scheduling.runner import Ended
from benchcrawl.storage.versions import latest_version, read_manifest

SUCCEEDED = "succeeded"
FAILED = "failed"
TIMEOUT = "timeout"
LOCK_LOST = "lock_lost"
STOPPED = "stopped"  # the scheduler itself was told to stop; not the job's failure
CRASHED = "crashed"


@dataclass(frozen=True)
class RunReport:
    spider: str
    tick: str  # iso() of the tick, "" for --once
    trigger: str  # "tick", "catch-up" or "once"
    outcome: str
    exit_code: int  # what `scrapy schedule --once` exits with
    rows: int
    version: str
    changed: bool
    seconds: float
    detail: str  # the crawl's last stderr line on failure

    def line(self) -> str:
        """The run's one log line."""
        text = (
            f"run {self.spider} {self.trigger}{' ' + self.tick if self.tick else ''}: "
            f"{self.outcome}, "
            f"{self.rows} rows, version {self.version or '-'}, {self.seconds:.1f} s"
        )
        if self.outcome == SUCCEEDED:
            return text + (", data changed" if self.changed else ", data unchanged")
        return text + (f": {self.detail}" if self.detail else "")

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {"event": "run", **asdict(self)}


def outcome_of(ended: Ended) -> tuple[str, int]:
    """The outcome and the exit code to report for a run that ended so."""
    if ended.reason == "timeout":
        return TIMEOUT, 1
    if ended.reason == "lock lost":
        return LOCK_LOST, 1
    if ended.reason == "stopped":
        return STOPPED, 1
    code = ended.code if ended.code is not None else 1
    if code < 0:
        return CRASHED, 1
    return (SUCCEEDED if code == 0 else FAILED), code


def _files(version: Path | None) -> Any:
    if version is None:
        return None
    try:
        return read_manifest(version).get("files")
    except BenchcrawlError:
        return None


def report(
    spider: str,
    tick: str,
    trigger: str,
    ended: Ended,
    detail: str,
    data_dir: Path,
    before: Path | None,
) -> RunReport:
    """The report of a run that ended as *ended*; *before* is the version ``latest``
    pointed at when it started (the one a new version is compared with)."""
    outcome, code = outcome_of(ended)
    version, rows, changed = "", 0, False
    after = latest_version(data_dir) if outcome == SUCCEEDED else None
    if after is not None and (before is None or after != before):
        try:
            manifest = read_manifest(after)
        except BenchcrawlError as e:
            manifest, detail = {}, str(e)
        version = str(manifest.get("version") or after.name)
        merged = (manifest.get("rows") or {}).get("merged")
        rows = merged if isinstance(merged, int) else 0
        if "unchanged_from" in manifest:
            changed = False
        else:  # a manifest from before unchanged_from existed: compare the files listed
            changed = before is None or _files(before) != manifest.get("files")
    elif outcome == SUCCEEDED:  # exit 0 but no new version here (DATA_DIR not shared?)
        detail = f"exit 0 but no new version under {data_dir}"
    if ended.reason == "timeout":
        detail = f"killed at the run timeout; {detail}".rstrip("; ")
    elif ended.reason == "lock lost":
        detail = "killed: the run lock was lost or could not be renewed in time"
    elif outcome == CRASHED:
        detail = f"killed by signal {-(ended.code or 0)}; {detail}".rstrip("; ")
    return RunReport(
        spider,
        tick,
        trigger,
        outcome,
        code,
        rows,
        version,
        changed,
        ended.seconds,
        detail if outcome != SUCCEEDED or not version else "",
    )


def should_notify(run: RunReport, on_change: bool) -> bool:
    """A webhook for every failed run; with ``notify.on_change``, for every change too."""
    if run.outcome == STOPPED:
        return False
    if run.outcome != SUCCEEDED:
        return True
    return on_change and run.changed
