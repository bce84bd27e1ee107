"""Threshold and hysteresis decisions on synthetic readings."""

from __future__ import annotations

import pytest

from benchcrawl.resources.throttle import LoadGate, RateWindow, State

LIMITS = {"cpu": 90.0, "memory": 90.0, "network": 90.0}
RESUME = {"cpu": 80.0, "memory": 80.0, "network": 80.0}


def loads(cpu=10.0, memory=10.0, network=10.0):
    return {"cpu": cpu, "memory": memory, "network": network}


def states(gate, readings):
    return [gate.update(r).state.value for r in readings]


def test_throttles_at_the_limit_and_resumes_only_under_the_resume_mark():
    gate = LoadGate(LIMITS, RESUME)
    cpus = [50, 89.9, 90, 85, 80, 79.9, 89, 95]
    got = states(gate, [loads(cpu=c) for c in cpus])
    assert got == [
        "running",
        "running",
        "throttled",  # at 90: over
        "throttled",  # 85: between the marks, stays
        "throttled",  # 80: not under 80 yet
        "running",
        "running",  # 89 after resuming: under the limit
        "throttled",
    ]


def test_any_resource_throttles_and_all_must_be_under_to_resume():
    gate = LoadGate(LIMITS, RESUME)
    d = gate.update(loads(memory=93))
    assert d.state is State.THROTTLED and d.changed and d.reason == "memory 93% >= 90%"
    assert gate.update(loads(memory=70, network=85)).state is State.THROTTLED
    d = gate.update(loads(memory=70, network=70))
    assert d.state is State.RUNNING and d.changed and d.reason == ""


def test_per_resource_limits():
    gate = LoadGate({**LIMITS, "network": 50.0}, {**RESUME, "network": 40.0})
    assert gate.update(loads(network=55)).state is State.THROTTLED
    assert gate.update(loads(network=45)).state is State.THROTTLED
    assert gate.update(loads(network=39)).state is State.RUNNING


def test_missing_figures_are_ignored_and_never_resume_alone():
    gate = LoadGate(LIMITS, RESUME)
    assert gate.update({"cpu": None, "memory": 95.0}).state is State.THROTTLED
    assert gate.update({}).state is State.THROTTLED
    assert gate.update({"cpu": None, "memory": 10.0}).state is State.RUNNING


def test_pause_wins_and_the_load_state_underneath_is_kept():
    gate = LoadGate(LIMITS, RESUME)
    d = gate.update(loads(), paused=True)
    assert (d.state, d.reason, d.changed) == (State.PAUSED, "paused", True)
    assert not gate.update(loads(cpu=99), paused=True).changed
    d = gate.update(loads(cpu=85), paused=False)  # unpaused while still hot
    assert d.state is State.THROTTLED and d.changed
    assert gate.update(loads(cpu=10)).state is State.RUNNING


def test_changed_only_on_transitions():
    gate = LoadGate(LIMITS, RESUME)
    assert [gate.update(loads(cpu=c)).changed for c in (10, 20, 95, 96, 10, 10)] == [
        False,
        False,
        True,
        False,
        True,
        False,
    ]


def test_a_resume_mark_above_the_limit_is_refused():
    with pytest.raises(ValueError, match="resume mark of cpu"):
        LoadGate(LIMITS, {**RESUME, "cpu": 95.0})


def test_rate_window():
    rate = RateWindow(window=60)
    for i in range(120):
        rate.add(1000 + i * 0.5)  # 2 per second for 60 s
    assert rate.per_minute(1060) == pytest.approx(120, abs=3)
    assert rate.per_minute(1200) == 0
    fresh = RateWindow()
    fresh.add(10.0, 5)
    assert fresh.per_minute(12.0, since=10.0) == pytest.approx(150)  # 5 pages in 2 s
