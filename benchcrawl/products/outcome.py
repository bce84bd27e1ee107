"""How one derived-product step of a version went; shared by both generations' makers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StepOutcome:
    step: str
    seconds: float
    detail: str = ""  # what it made, for the report and the log
    error: str | None = None  # one sentence when the step failed
