"""The monitor's pure parts: node state, what a worker does, the next tick, the chart, the
sign-in slow-down, the token check."""

from __future__ import annotations

from benchcrawl.monitor.auth import FailedSignIns, Sessions, TokenCheck
from benchcrawl.monitor.views import (
    duration,
    next_tick,
    node_state,
    parse_next,
    parse_series,
    svg_chart,
    worker_state,
)


def test_a_node_is_lost_after_three_missed_heartbeats() -> None:
    assert node_state("running", at=100.0, now=106.0, interval=2.0) == "running"
    assert node_state("paused", at=100.0, now=106.1, interval=2.0) == "lost"


def test_series_members_from_a_shared_redis_are_parsed_defensively() -> None:
    assert parse_series([b"20:3.5", b"10:1", b"junk", b"x:1", "30:2"]) == [
        (10.0, 1.0),
        (20.0, 3.5),
        (30.0, 2.0),
    ]


def test_the_chart_draws_one_line_per_node_and_escapes_names() -> None:
    svg = svg_chart({"b/<n1>": [(0.0, 10.0), (60.0, 20.0)], "b/n2": [(30.0, 5.0)]}, now=60.0)
    assert svg.count("<polyline") == 2 and "&lt;n1&gt;" in svg and "<n1>" not in svg


def test_failed_sign_ins_wait_longer_each_time_and_success_forgets() -> None:
    f = FailedSignIns(base=0.5, cap=4.0)
    waits = []
    for i in range(6):
        waits.append(f.delay("a", float(i)))
        f.failed("a", float(i))
    assert waits == [0.0, 0.5, 1.0, 2.0, 4.0, 4.0]
    assert f.delay("b", 6.0) == 0.0
    f.succeeded("a")
    assert f.delay("a", 7.0) == 0.0


def test_tokens_and_csrf_compare_whatever_the_input() -> None:
    check = TokenCheck("s3cret")
    assert check.matches("s3cret") and not check.matches("s3cre") and not check.matches("é\udcff")
    assert check.bearer("Bearer s3cret") is True and check.bearer("Basic x") is None
    session = Sessions().create(0.0)
    assert Sessions.csrf_ok(session, session.csrf) and not Sessions.csrf_ok(session, None)


def test_a_worker_is_busy_serving_or_idle_for_a_while() -> None:
    assert worker_state("serve", "busy") == worker_state("job", "busy") == "busy"
    assert worker_state("serve", "idle") == "serving" and worker_state("job", "idle") == "idle"
    assert [duration(s) for s in (-5, 12, 60, 185, 7200, 3 * 86400 + 5)] == [
        "0 s", "12 s", "1 min", "3 min", "2 h", "3 d"]  # fmt: skip


def test_the_next_tick_is_said_in_utc_with_the_time_left() -> None:
    now = 1_795_998_000.0  # 2026-11-30T00:20:00Z
    at, said = next_tick("2026-11-30T03:30:00Z", now)
    assert at == now + 3 * 3600 + 10 * 60 and said == "next sweep at 03:30 UTC (in 3 h)"
    assert next_tick("2026-12-01T01:00:00Z", now)[1] == (
        "next sweep at 01:00 UTC on 2026-12-01 (in 1 d)")  # fmt: skip
    assert next_tick("not a time", now) == (0.0, "")
    about = parse_next('{"tick": "2026-11-30T03:30:00Z", "cron": "30 3 * * *", "holder": 5}')
    assert about == {"tick": "2026-11-30T03:30:00Z", "cron": "30 3 * * *", "spider": "",
                     "holder": "5"}  # fmt: skip
    assert parse_next("2026-11-30T03:30:00Z")["tick"] == "2026-11-30T03:30:00Z"  # older form
    assert parse_next("[1, 2]") == {"tick": "", "cron": "", "spider": "", "holder": ""}
