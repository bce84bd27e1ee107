"""The sweep record's interface: what the InferenceMAX spider and the sweep pipelines
(split, archive) call, whichever store holds the record. Implemented by
:class:`~benchcrawl.sweep.memory.MemorySweepStore` and
:class:`~benchcrawl.sweep.redis.RedisSweepStore`; the key schema is in :mod:`benchcrawl.sweep`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from benchcrawl.items import CombinationFailure, CombinationResult, SweepTables
from benchcrawl.sweep.state import Progress


@runtime_checkable
class SweepStore(Protocol):
    def join(self, now: float) -> tuple[str, bool]:
        """The open sweep to join, or a new one: ``(sweep id, created by this call)``."""
        ...

    def created(self, sweep_id: str) -> float:
        """When the sweep was created (unix time)."""
        ...

    def set_plan(self, sweep_id: str, plan: list[tuple[str, str]]) -> None:
        """The sweep's combinations, ``[(model, sequence), ...]``."""
        ...

    def planned(self, sweep_id: str) -> int:
        """How many combinations the sweep's plan holds; -1 until its discovery has run."""
        ...

    def record_result(self, result: CombinationResult) -> Progress:
        """Store one captured file; the sweep's progress after it."""
        ...

    def record_failure(self, failure: CombinationFailure) -> Progress:
        """Store one combination's failure; the sweep's progress after it."""
        ...

    def load(self, sweep_id: str) -> SweepTables:
        """Every stored result and failure of the sweep, for the merge."""
        ...

    def finish(self, sweep_id: str, status: str, detail: str) -> None:
        """Set the sweep's outcome (``succeeded`` or ``failed``) and why."""
        ...

    def status(self, sweep_id: str) -> tuple[str, str]:
        """``(status, detail)``; ``open`` until the sweep is finished."""
        ...

    def abandon(self, sweep_id: str, detail: str) -> None:
        """Fail the sweep with *detail* if it is still open."""
        ...

    def close(self) -> None: ...
