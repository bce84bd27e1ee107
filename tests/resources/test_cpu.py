"""CPU figures from synthetic counters: affinity, quota, own work versus others'."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from benchcrawl.resources import cpu


class Times(NamedTuple):
    user: float
    system: float
    idle: float
    iowait: float = 0.0
    guest: float = 0.0


BEFORE = [Times(100, 10, 500), Times(100, 10, 500)]
# over 1 s: CPU 0 fully busy, CPU 1 idle
AFTER = [Times(100.9, 10.1, 500), Times(100, 10, 501)]


def test_one_busy_cpu_of_two_within_an_affinity_of_that_cpu_reads_100():
    assert cpu.busy_percent(BEFORE, AFTER, [0]) == pytest.approx(100)
    assert cpu.busy_percent(BEFORE, AFTER, [1]) == pytest.approx(0)
    assert cpu.busy_percent(BEFORE, AFTER, [0, 1]) == pytest.approx(50)


def test_iowait_is_idle_and_guest_is_not_counted_twice():
    before = [Times(0, 0, 0)]
    after = [Times(0.5, 0, 0.25, iowait=0.25, guest=0.5)]
    assert cpu.busy_percent(before, after, [0]) == pytest.approx(50)


def test_no_elapsed_time_or_unknown_cpu_is_no_figure():
    assert cpu.busy_percent(BEFORE, BEFORE, [0]) is None
    assert cpu.busy_percent(BEFORE, AFTER, [7]) is None


def test_capacity_is_the_affinity_capped_by_the_quota():
    assert cpu.capacity(2, None) == 2
    assert cpu.capacity(2, 0.5) == 0.5
    assert cpu.capacity(1, 4.0) == 1


def test_a_quota_fully_used_reads_100_even_on_idle_cores():
    f = cpu.figures(busy_affinity=25.0, cgroup_seconds=0.5, own_seconds=0.5, elapsed=1, cpus=0.5)
    assert f.busy == pytest.approx(100) and f.own == pytest.approx(100)
    assert f.load == pytest.approx(0)  # the worker's own work is not overload


def test_a_core_shared_with_a_hog_is_overloaded():
    # the worker gets half its core, a hog the other half
    f = cpu.figures(busy_affinity=100.0, cgroup_seconds=None, own_seconds=0.5, elapsed=1, cpus=1)
    assert f.busy == pytest.approx(100) and f.own == pytest.approx(50)
    assert f.load == pytest.approx(100)


def test_a_worker_busy_on_its_own_core_is_not_overloaded():
    f = cpu.figures(busy_affinity=100.0, cgroup_seconds=None, own_seconds=0.96, elapsed=1, cpus=1)
    assert f.load == pytest.approx(8)


def test_an_idle_worker_next_to_a_hog_stays_overloaded():
    assert cpu.contention(busy=100, own=0) == 100
    assert cpu.contention(busy=40, own=0) == 40
