"""The schedule and the due-tick decision: pure functions, no clock, no processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from benchcrawl.exceptions import ConfigError
from benchcrawl.scheduling.cron import (
    CATCH_UP,
    DONE,
    DUE,
    NEVER_RAN,
    TOO_OLD,
    Schedule,
    decide,
    iso,
    nap,
    parse_iso,
)

DAILY = Schedule("0 1 * * *")
H6 = 6 * 3600.0


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def test_ticks_are_utc_and_inclusive_at_the_tick():
    assert DAILY.latest_at(at(22, 1)) == at(22, 1)
    assert DAILY.latest_at(at(22, 0, 59)) == at(21, 1)
    assert DAILY.next_after(at(22, 1)) == at(23, 1)
    assert Schedule("*/15 * * * *").next_after(at(22, 1, 7)) == at(22, 1, 15)


@pytest.mark.parametrize(
    "expr", ["", "* * * *", "61 * * * *", "a b c d e", "0 1 * * * *", "*/0 * * * *"]
)
def test_a_bad_cron_line_is_one_sentence(expr):
    with pytest.raises(ConfigError, match=r"^--cron: the schedule must be a 5-field cron"):
        Schedule(expr)


def test_the_latest_tick_is_due_once():
    started = at(20, 12)
    assert decide(DAILY, at(22, 1, 0, 1), at(21, 1), started, H6) == (at(22, 1), DUE, at(22, 1))
    assert decide(DAILY, at(22, 1, 5), at(22, 1), started, H6).reason == DONE
    assert decide(DAILY, at(22, 23), at(22, 1), started, H6).tick is None


def test_a_tick_missed_while_no_scheduler_ran_is_caught_up_within_the_window():
    started = at(22, 5)  # the scheduler was down at 01:00; the last run was the day before
    assert decide(DAILY, at(22, 5), at(21, 1), started, H6) == (at(22, 1), CATCH_UP, at(22, 1))
    assert decide(DAILY, at(22, 8), at(21, 1), at(22, 8), H6).reason == TOO_OLD
    assert decide(DAILY, at(22, 5), at(21, 1), started, 0).reason == TOO_OLD
    # several missed: only the newest runs
    assert decide(DAILY, at(22, 2), at(18, 1), at(22, 2), H6).tick == at(22, 1)


def test_nothing_is_missed_when_no_run_was_ever_recorded():
    assert decide(DAILY, at(22, 2), None, at(22, 2), H6).reason == NEVER_RAN
    assert decide(DAILY, at(23, 1, 0, 1), None, at(22, 2), H6).reason == DUE


def test_a_tick_after_the_start_runs_however_late():
    # the lock was held elsewhere for hours: the tick still runs, late
    assert decide(DAILY, at(22, 9), at(21, 1), at(22, 0), H6).reason == DUE


def test_nap_until_the_next_tick_bounded_and_polling_while_waiting():
    assert nap(DAILY, at(22, 0, 59, 30), False, 2.0, 60.0) == 30.0
    assert nap(DAILY, at(22, 12), False, 2.0, 60.0) == 60.0
    assert nap(DAILY, at(22, 12), True, 2.0, 60.0) == 2.0


def test_ticks_round_trip_and_foreign_values_are_refused():
    assert iso(at(22, 1)) == "2026-11-22T01:00:00Z"
    assert parse_iso(iso(at(22, 1))) == at(22, 1)
    for text in ["", "yesterday", "9" * 100]:
        with pytest.raises(ValueError):
            parse_iso(text)
    assert parse_iso("2026-11-22T01:00:00+00:00") - at(22, 1) == timedelta(0)
