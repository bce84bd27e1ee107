"""A worker of a sweep exits as soon as the sweep has ended, succeeded or failed, in both
modes and whatever ``SCHEDULER_IDLE_BEFORE_CLOSE`` says: cron, scrapyd and ``docker
compose`` see the exit, not the file.

The bounds leave room for a busy 2-core machine; the idle close these workers would
otherwise wait out is set to 30 s, so a worker that waits for it fails clearly. The
true figures are in ``bench/inferencemax_sweep.py``.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.crawl import start_crawl

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LOG_FORMAT = "%(created).3f [%(name)s] %(levelname)s: %(message)s"
SETTINGS = {
    "LOG_FORMAT": LOG_FORMAT,
    "SCHEDULER_IDLE_BEFORE_CLOSE": "30",
    "CONCURRENT_REQUESTS": "2",
    "RESOURCES_ENABLED": "False",  # both workers share one 2-core host
}
BOUND = 3.0  # s from the sweep's end to a worker's exit, on a busy machine
ENDED = re.compile(
    r"^(\d+\.\d+) \[benchcrawl\.spiders\.inferencemax\] \w+: sweep \S+ (succeeded|failed)"
)


def wait_all(procs: list[subprocess.Popen], timeout: float) -> list[float]:
    """Wait for every process; the wall time at which each one exited."""
    exited: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(exited) < len(procs) and time.monotonic() < deadline:
        for i, proc in enumerate(procs):
            if i not in exited and proc.poll() is not None:
                exited[i] = time.time()
        time.sleep(0.02)
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    assert len(exited) == len(procs), "a worker did not exit by itself"
    return [exited[i] for i in range(len(procs))]


def ended_at(log: str) -> tuple[float, str]:
    """When this worker's log says the sweep ended, and how."""
    for line in log.splitlines():
        match = ENDED.match(line)
        if match:
            return float(match.group(1)), match.group(2)
    raise AssertionError("the worker never logged the sweep's end:\n" + log[-3000:])


def last_stamp(log: str) -> float:
    stamps = [float(m.group(1)) for m in re.finditer(r"^(\d+\.\d+) \[", log, re.M)]
    return stamps[-1]


def start_workers(replica, tmp_path: Path, n: int, redis_url: str | None):
    data = tmp_path / "data"
    logs = [tmp_path / f"w{i}.log" for i in range(n)]
    procs = [
        start_crawl(replica.url, data, log, redis_url=redis_url, settings=SETTINGS) for log in logs
    ]
    return data, logs, procs


def test_two_redis_workers_exit_when_the_version_is_written(replica, redis_url, tmp_path):
    replica.latency = 0.5  # both workers are up before the sweep ends
    data, logs, procs = start_workers(replica, tmp_path, 2, redis_url)
    exits = wait_all(procs, 240)
    texts = [p.read_text() for p in logs]
    assert [p.returncode for p in procs] == [0, 0], texts[0][-2000:] + texts[1][-2000:]
    assert sum("/9 done:" in t for t in texts) == 2, "one worker took no combination"
    written = (data / "latest" / "merged.csv").stat().st_mtime
    finalizer = next(t for t in texts if "inferencemax/sweep/finalized_here" in t)
    end, outcome = ended_at(finalizer)
    assert outcome == "succeeded"
    for text, exited in zip(texts, exits, strict=True):
        assert ended_at(text)[1] == "succeeded"
        assert last_stamp(text) - end < BOUND, "a worker's log went on after the sweep ended"
        assert exited - written < BOUND, f"exited {exited - written:.1f} s after the version"
        assert "Closing spider (finished)" in text


def test_embedded_worker_exits_when_the_version_is_written(replica, tmp_path):
    data, logs, procs = start_workers(replica, tmp_path, 1, None)
    (exited,) = wait_all(procs, 180)
    assert procs[0].returncode == 0, logs[0].read_text()[-3000:]
    written = (data / "latest" / "merged.csv").stat().st_mtime
    assert exited - written < BOUND, f"exited {exited - written:.1f} s after the version"


def test_two_redis_workers_exit_when_the_sweep_fails(replica, redis_url, tmp_path):
    replica.latency = 0.5
    bad = sorted(name for name in replica.files if name.endswith("-e2e.json"))[-1]
    replica.set_fault(bad, "404")
    data, logs, procs = start_workers(replica, tmp_path, 2, redis_url)
    exits = wait_all(procs, 240)
    texts = [p.read_text() for p in logs]
    assert [p.returncode for p in procs] == [1, 1]
    assert not (data / "latest").exists()
    finalizer = next(t for t in texts if "inferencemax/sweep/finalized_here" in t)
    end, outcome = ended_at(finalizer)
    assert outcome == "failed"
    for text, exited in zip(texts, exits, strict=True):
        assert ended_at(text)[1] == "failed"
        assert bad in text.strip().splitlines()[-1]  # the exit line names the file
        assert exited - end < BOUND, f"exited {exited - end:.1f} s after the sweep failed"
