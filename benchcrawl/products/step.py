"""How one derived-product step of a version went; shared by both generations' makers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from benchcrawl.exceptions import BenchcrawlError


@dataclass
class StepOutcome:
    step: str
    seconds: float
    detail: str = ""  # what it made, for the report and the log
    error: str | None = None  # one sentence when the step failed


def run_step(
    outcomes: list[StepOutcome], wanted: set[str], step: str, fn: Callable[[], str]
) -> None:
    """Run *fn* as *step* when wanted and append how it went; never raises for a failing
    step (a product never takes the version down)."""
    if step not in wanted:
        return
    start = time.perf_counter()
    try:
        detail, error = fn(), None
    except BenchcrawlError as e:
        detail, error = "", str(e)
    except Exception as e:  # noqa: BLE001 - a product never takes the version down
        detail, error = "", f"{type(e).__name__}: {e}"
    outcomes.append(StepOutcome(step, time.perf_counter() - start, detail, error))
