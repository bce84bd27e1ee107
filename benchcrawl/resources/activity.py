"""What a worker is doing, for its heartbeat (pure): busy or idle, the request it works on
(a sweep's combination, else a URL) and since when; the combinations of the current sweep
it took.

The middleware calls :meth:`Activity.started` and :meth:`Activity.finished` for every
request (a dict insert and a pop, no I/O) and reads :meth:`Activity.report` once per
heartbeat, so the figures cost nothing per request beyond that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BUSY, IDLE = "busy", "idle"
SERVE, JOB = "serve", "job"
DOING_MAX = 200  # characters of a label kept


def mode_of(spider: Any) -> str:
    """``serve`` for a spider started to stay (a truthy ``serve`` attribute, as
    ``-a serve=1`` sets), else ``job``. ``-a serve=0`` or ``false`` is a job."""
    value = getattr(spider, "serve", None)
    if isinstance(value, str):
        return SERVE if value.strip().lower() not in ("", "0", "false", "no", "off") else JOB
    return SERVE if value else JOB


def label(url: str, meta: Mapping[str, Any]) -> str:
    """What a request is, in a few words: a sweep's combination (``model x ISL/OSL``, or
    ``model @ run date`` for InferenceX), else its URL; at most :data:`DOING_MAX` chars."""
    combo = meta.get("combination")
    if isinstance(combo, Mapping):
        model, sequence = str(combo.get("model", "")), str(combo.get("sequence", ""))
        if combo.get("warm"):
            text = "opening a browser page ahead"
        elif combo.get("index") == 0:
            text = "option discovery"
        elif combo.get("generation"):
            text = f"{model} @ {sequence or 'latest run'}"
        else:
            text = f"{model} x {sequence}"
    else:
        text = url
    return text[:DOING_MAX]


@dataclass(frozen=True)
class Report:
    activity: str  # busy or idle
    doing: str  # the oldest request in flight, or the last one when idle ("" before any)
    since: float  # unix time the request in *doing* started, or idleness began
    sweep: str  # the sweep id of the last combination request seen ("" for none)
    taken: int  # combinations of that sweep this worker started


class Activity:
    """Requests in flight, oldest first (dicts keep insertion order); labels are made only
    for the one a report names."""

    def __init__(self) -> None:
        self._flight: dict[int, tuple[Any, float]] = {}
        self._last: Any = None  # the request finished last
        self._idle_since = 0.0
        self._started_since_report = False
        self._sweep = ""
        self._taken: set[Any] = set()

    def started(self, request: Any, now: float) -> None:
        self._flight[id(request)] = (request, now)
        self._started_since_report = True
        meta = request.meta
        combo = meta.get("combination")
        if combo is None:
            return
        sweep = meta.get("sweep_id")
        if isinstance(combo, Mapping) and isinstance(sweep, str):
            if sweep != self._sweep:
                self._sweep, self._taken = sweep, set()
            index = combo.get("index")
            if isinstance(index, int) and index > 0:
                self._taken.add(index)

    def finished(self, request: Any, now: float) -> None:
        if self._flight.pop(id(request), None) is not None:
            self._last = request
        if not self._flight:
            self._idle_since = now

    def report(self, now: float) -> Report:
        """Busy while a request is in flight, or one started since the last report (a
        worker between two delayed fetches is still at work)."""
        recent, self._started_since_report = self._started_since_report, False
        taken = len(self._taken)
        if self._flight:
            request, since = next(iter(self._flight.values()))
            return Report(BUSY, _label(request), since, self._sweep, taken)
        last = _label(self._last) if self._last is not None else ""
        return Report(BUSY if recent else IDLE, last, self._idle_since or now, self._sweep, taken)


def _label(request: Any) -> str:
    return label(request.url, request.meta)
