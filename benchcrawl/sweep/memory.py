"""The sweep record of a single process (no Redis)."""

from __future__ import annotations

from benchcrawl.items import CombinationFailure, CombinationResult, SweepTables
from benchcrawl.sweep.state import FAILED, OPEN, Progress, kind_order, kinds_for, new_sweep_id


class MemorySweepStore:
    """Every sweep is created by this process and finished by it."""

    def __init__(self) -> None:
        self._id = ""
        self._created = 0.0
        self._status = (OPEN, "")
        self._planned = -1
        self._results: dict[tuple[int, str], CombinationResult] = {}
        self._failures: dict[int, CombinationFailure] = {}
        self._done: set[int] = set()
        self._finalizer_taken = False

    def join(self, now: float) -> tuple[str, bool]:
        self.__init__()  # type: ignore[misc]
        self._id, self._created = new_sweep_id(now), now
        return self._id, True

    def created(self, sweep_id: str) -> float:
        return self._created

    def set_plan(self, sweep_id: str, plan: list[tuple[str, str]]) -> None:
        self._planned = len(plan)

    def planned(self, sweep_id: str) -> int:
        return self._planned

    def _progress(self, newly: bool) -> Progress:
        finalize = False
        if self._planned >= 0 and len(self._done) >= self._planned and not self._finalizer_taken:
            self._finalizer_taken = finalize = True
        return Progress(len(self._done), self._planned, newly, finalize)

    def record_result(self, result: CombinationResult) -> Progress:
        if result.sweep_id != self._id or result.index in self._done:
            return self._progress(False)
        self._results[(result.index, result.kind)] = result
        if all((result.index, kind) in self._results for kind in kinds_for(result.kind)):
            self._done.add(result.index)
            return self._progress(True)
        return self._progress(False)

    def record_failure(self, failure: CombinationFailure) -> Progress:
        if failure.sweep_id != self._id or failure.index in self._done:
            return self._progress(False)
        self._failures[failure.index] = failure
        self._done.add(failure.index)
        return self._progress(True)

    def load(self, sweep_id: str) -> SweepTables:
        good = [r for (i, _), r in self._results.items() if i not in self._failures]
        good.sort(key=lambda r: (r.index, kind_order(r.kind)))
        return SweepTables(sweep_id, good, list(self._failures.values()), self._planned)

    def finish(self, sweep_id: str, status: str, detail: str) -> None:
        self._status = (status, detail)

    def status(self, sweep_id: str) -> tuple[str, str]:
        return self._status

    def abandon(self, sweep_id: str, detail: str) -> None:
        if self._status[0] == OPEN:
            self._status = (FAILED, detail)

    def close(self) -> None:
        pass
