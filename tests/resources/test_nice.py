"""RESOURCES_NICE: every thread of a worker is reniced, and nothing set from outside is
lowered. Each case runs in a child process: a niceness, once raised, stays raised (and a
crawl run inside the test process may have raised the test process's own)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.redis_server import free_port
from tests.support.worker import PROJECT, scrapy_command, scrapy_env

PROBE = r"""
import faulthandler, json, os, sys, threading
nice, outside = int(sys.argv[1]), int(sys.argv[2])
try:  # start from 0 whatever the test process runs at (root only; else report and skip)
    os.setpriority(os.PRIO_PROCESS, 0, 0)
except PermissionError:
    pass
start = os.getpriority(os.PRIO_PROCESS, 0)
if start == 0 and outside:
    os.setpriority(os.PRIO_PROCESS, 0, outside)  # as `nice -n OUTSIDE` would
# a hang ends with every thread's stack (its watchdog thread starts at the niceness above)
faulthandler.dump_traceback_later(60, exit=True)
from benchcrawl.resources.nice import renice
started = threading.Event()
release = threading.Event()
def older():
    started.set()
    release.wait()
t = threading.Thread(target=older)
t.start()
started.wait()
now = renice(nice)
late = []
t2 = threading.Thread(target=lambda: late.append(os.getpriority(os.PRIO_PROCESS, 0)))
t2.start(); t2.join()
def niceness(tid):  # None: that thread ended (a joined thread may linger in /proc a moment)
    try:
        return os.getpriority(os.PRIO_PROCESS, tid)
    except ProcessLookupError:
        return None
try:
    tids = [int(x) for x in os.listdir("/proc/self/task")]
    assert len(tids) >= 2, tids  # this thread and the older one
    threads = sorted({n for n in map(niceness, tids) if n is not None})
finally:  # else a failure above leaves the older thread holding the exit
    release.set(); t.join()
faulthandler.cancel_dump_traceback_later()
print(json.dumps({"start": start, "now": now, "threads": threads, "later_thread": late[0]}))
"""

linux = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread niceness: Linux"
)


def _probe(nice: int, outside: int = 0) -> dict:
    """The niceness the probe's threads end with (each distinct value once), after it was
    started at *outside* and called ``renice(nice)``."""
    cmd = [sys.executable, "-c", PROBE, str(nice), str(outside)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, f"the probe failed ({out.returncode}):\n{out.stderr}"
    result = json.loads(out.stdout)
    if result.pop("start") != 0:
        pytest.skip("this test process runs niced and may not lower a child's niceness")
    return result


@linux
def test_every_thread_and_every_later_one_takes_the_niceness() -> None:
    # setpriority(PRIO_PROCESS, 0) alone would leave the thread started before at 0
    assert _probe(2) == {"now": 2, "threads": [2], "later_thread": 2}


@linux
def test_a_niceness_set_from_outside_is_never_lowered() -> None:
    assert _probe(2, outside=3) == {"now": 3, "threads": [3], "later_thread": 3}
    assert _probe(4, outside=3)["threads"] == [4]


@linux
def test_zero_keeps_the_process_niceness() -> None:
    assert _probe(0) == {"now": 0, "threads": [0], "later_thread": 0}
    assert _probe(0, outside=3) == {"now": 3, "threads": [3], "later_thread": 3}


@pytest.mark.parametrize("value", ["abc", "25", "-1", "2.5"])
def test_a_bad_niceness_is_one_sentence_before_anything_starts(value: str) -> None:
    # the add-on reads RESOURCES_NICE before the spider loads: a bad value must not be a
    # traceback, and the command stops there (nothing listens on that Redis port)
    redis_url = f"redis://127.0.0.1:{free_port()}/0"
    settings = {"RESOURCES_NICE": value, "REDIS_URL": redis_url}
    cmd = scrapy_command("crawl", "broad", settings=settings)
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, cwd=PROJECT, env=scrapy_env()
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"benchcrawl: RESOURCES_NICE must be a whole number from 0 to 19, not {value!r}"
    ]
