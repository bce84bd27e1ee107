"""Pure sweep bookkeeping shared by both stores."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from benchcrawl.items import CombinationFailure, CombinationResult

KINDS = ("interactivity", "e2e")  # the files of a 2025 combination
API_KINDS = ("benchmarks",)  # the one answer of a 2026 (InferenceX) combination
OPEN, SUCCEEDED, FAILED = "open", "succeeded", "failed"


@dataclass(frozen=True)
class Progress:
    """What a worker learns when it records a file or a failure."""

    accounted: int  # combinations accounted for so far, cluster-wide
    planned: int  # combinations in the plan (-1 until discovery has run)
    newly_accounted: bool  # this call completed a combination
    finalize: bool  # this worker must merge and archive the sweep now


def kinds_for(kind: str) -> tuple[str, ...]:
    """The kinds a combination needs, given one kind it has: both 2025 files, or the one
    2026 answer."""
    return API_KINDS if kind in API_KINDS else KINDS


def kind_order(kind: str) -> int:
    """Where a kind sorts among its combination's kinds."""
    kinds = kinds_for(kind)
    return kinds.index(kind) if kind in kinds else len(kinds)


def new_sweep_id(now: float) -> str:
    """A sortable UTC timestamp id, also the archive folder name: 20251025T010000.123456Z."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S.%fZ")


_RESULT_FIELDS = tuple(
    f.name for f in fields(CombinationResult) if f.name not in ("body", "records")
)


def result_to_json(result: CombinationResult) -> str:
    """The result without its body and records (kept apart, byte for byte); read straight
    from the attributes, since ``asdict`` would deep-copy every record first."""
    return json.dumps({name: getattr(result, name) for name in _RESULT_FIELDS})


def result_from_json(text: str | bytes, body: bytes) -> CombinationResult:
    return CombinationResult(**json.loads(text), body=body)


def failure_to_json(failure: CombinationFailure) -> str:
    return json.dumps(asdict(failure))


def failure_from_json(text: str | bytes) -> CombinationFailure:
    return CombinationFailure(**json.loads(text))


def describe_failures(failures: list[CombinationFailure], limit: int = 10) -> str:
    """One line per failed combination, for logs and the exit message."""
    lines = []
    for f in sorted(failures, key=lambda f: f.index)[:limit]:
        what = "option discovery" if f.index == 0 else f"{f.model} x {f.sequence}"
        if f.reason.startswith(f"{f.model} at run date "):  # InferenceX: says it already
            lines.append(f.reason)
        else:
            lines.append(f"{what}: {f.reason}")
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more")
    return "; ".join(lines)


def plan_to_json(plan: list[tuple[str, str]]) -> str:
    return json.dumps([list(p) for p in plan])
