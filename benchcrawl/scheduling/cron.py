"""The schedule (a 5-field cron line, UTC, parsed by croniter) and the pure decision of
which tick is due. No clock is read here: every function takes ``now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from croniter import croniter

from benchcrawl.exceptions import ConfigError

_EPSILON = timedelta(microseconds=1)

# the reasons decide() gives
DUE = "due"  # the latest tick, not run yet
CATCH_UP = "catch-up"  # a tick missed while no scheduler ran, recent enough to run now
DONE = "done"  # the latest tick has run
TOO_OLD = "too old"  # a tick missed while no scheduler ran, older than catch_up: skipped
NEVER_RAN = "never ran"  # no run recorded: nothing was missed before this scheduler started


class Schedule:
    """A cron line in UTC; ``where`` names its origin in the error message."""

    def __init__(self, expr: str, where: str = "--cron") -> None:
        fields = expr.split()
        try:
            if len(fields) != 5:
                raise ValueError("not 5 fields")
            croniter(expr, datetime(2000, 1, 1, tzinfo=UTC)).get_next(datetime)
        except (ValueError, KeyError, TypeError, OverflowError) as e:  # croniter's errors
            raise ConfigError(
                f"{where}: the schedule must be a 5-field cron expression like '0 1 * * *' "
                f"(minute hour day month weekday, UTC), got {expr[:60]!r}."
            ) from e
        self.expr = " ".join(fields)

    def next_after(self, now: datetime) -> datetime:
        """The first tick strictly after *now*."""
        return croniter(self.expr, now).get_next(datetime)  # type: ignore[no-any-return]

    def latest_at(self, now: datetime) -> datetime:
        """The newest tick at or before *now*."""
        return croniter(self.expr, now + _EPSILON).get_prev(datetime)  # type: ignore[no-any-return]


class Decision(NamedTuple):
    tick: datetime | None  # the tick to run now, or None
    reason: str  # DUE, CATCH_UP, DONE, TOO_OLD or NEVER_RAN
    latest: datetime  # the newest tick at or before now


def decide(
    schedule: Schedule,
    now: datetime,
    last: datetime | None,
    started: datetime,
    catch_up: float,
) -> Decision:
    """Which tick to run at *now*, given the *last* tick run (from the state), when this
    scheduler *started*, and the ``catch_up`` window in seconds."""
    latest = schedule.latest_at(now)
    if last is not None and latest <= last:
        return Decision(None, DONE, latest)
    if latest >= started:
        return Decision(latest, DUE, latest)
    if last is None:
        return Decision(None, NEVER_RAN, latest)
    if (now - latest).total_seconds() > catch_up:
        return Decision(None, TOO_OLD, latest)
    return Decision(latest, CATCH_UP, latest)


def nap(schedule: Schedule, now: datetime, waiting: bool, poll: float, longest: float) -> float:
    """Seconds to sleep before looking again: *poll* while a due tick waits for the lock,
    else until the next tick (at most *longest*, so a clock change is noticed)."""
    if waiting:
        return poll
    until = (schedule.next_after(now) - now).total_seconds()
    return max(0.05, min(until, longest))


def iso(tick: datetime) -> str:
    """A tick as stored and logged: ``2026-11-22T01:00:00Z``."""
    return tick.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso` (ValueError for anything else, e.g. a foreign value)."""
    if len(text) > 40:
        raise ValueError("too long for a tick")
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
