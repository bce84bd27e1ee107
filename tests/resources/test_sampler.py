"""The sampler on this machine: affinity-restricted figures, children, failures."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from benchcrawl.resources.sampler import Sampler

HOG = "while True: pass"
SLEEPER = "import time; time.sleep(60)"


def _pinned(code: str, cpu: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code], preexec_fn=lambda: os.sched_setaffinity(0, {cpu})
    )


@pytest.fixture
def procs():
    started: list[subprocess.Popen] = []
    yield started
    for p in started:
        p.kill()
        p.wait(10)


def _sample_over(sampler: Sampler, seconds: float):
    sampler.sample()
    time.sleep(seconds)
    reading = sampler.sample()
    assert reading is not None
    return reading


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two CPUs")
@pytest.mark.timeout(30)
def test_a_busy_cpu_within_an_affinity_of_that_cpu_reads_about_100(procs):
    procs.append(_pinned(HOG, 0))
    worker = _pinned(SLEEPER, 0)  # stands for a worker pinned next to the hog
    procs.append(worker)
    time.sleep(0.3)
    reading = _sample_over(Sampler(worker.pid, 1000, []), 1.0)
    assert reading.cpu >= 90, reading
    assert reading.cpu_own < 5, reading
    assert reading.cpu_load >= 90, reading  # someone else's work: overload


@pytest.mark.timeout(30)
def test_child_processes_count_with_the_worker(procs):
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', {HOG!r}])\n"
            "time.sleep(60)\n",
        ]
    )
    procs.append(parent)
    deadline = time.monotonic() + 10
    while not psutil.Process(parent.pid).children() and time.monotonic() < deadline:
        time.sleep(0.05)
    children = psutil.Process(parent.pid).children()
    try:
        reading = _sample_over(Sampler(parent.pid, 1000, []), 1.0)
        # the parent sleeps; its child burns up to one CPU (less on a busy machine): without
        # the children the figure would be about 0
        assert reading.cpu_own >= 10, reading
        assert reading.rss > 0
    finally:
        for child in children:
            child.kill()


def test_unreadable_cgroups_warn_once_and_fall_back_to_host_figures(tmp_path, caplog):
    root = tmp_path / "cg"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpu memory")
    (root / "cpu.max").write_text("lots of CPU")  # malformed
    (root / "memory.max").write_text("a lot")  # malformed
    proc = tmp_path / "cgroup"
    proc.write_text("0::/\n")
    sampler = Sampler(os.getpid(), 1000, [], cgroup_root=root, proc_cgroup=proc)
    with caplog.at_level(logging.WARNING, logger="benchcrawl.resources.sampler"):
        readings = [sampler.sample(now=float(i)) for i in range(1, 5)]
    assert readings[0] is None and all(r is not None for r in readings[1:])
    host = psutil.virtual_memory()
    assert readings[-1].memory == pytest.approx(
        100 * (host.total - host.available) / host.total, abs=5
    )
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "cannot read cgroup figures" in warnings[0], warnings


def test_psutil_failures_warn_once_and_never_raise(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "cpu_times", broken)
    monkeypatch.setattr(psutil, "net_io_counters", broken)
    sampler = Sampler(os.getpid(), 1000, [], proc_cgroup=Path(os.devnull))
    with caplog.at_level(logging.WARNING, logger="benchcrawl.resources.sampler"):
        for i in range(1, 5):
            reading = sampler.sample(now=float(i))
    assert reading is not None and reading.network == 0.0
    messages = sorted(r.getMessage().split(" figures")[0] for r in caplog.records)
    assert messages == ["cannot read cpu", "cannot read network"]


def test_a_vanished_process_reads_zero_own_cpu(caplog):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)
    sampler = Sampler(proc.pid, 1000, [])
    with caplog.at_level(logging.WARNING, logger="benchcrawl.resources.sampler"):
        sampler.sample(now=1.0)
        reading = sampler.sample(now=2.0)
    assert reading is not None and reading.cpu_own == 0.0
