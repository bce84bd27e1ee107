"""RESOURCES_NICE: every thread of a worker is reniced, and nothing set from outside is
lowered. Each case runs in a child process: a niceness, once raised, stays raised."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = r"""
import json, os, sys, threading
from benchcrawl.resources.nice import renice
started = threading.Event()
release = threading.Event()
def older():
    started.set()
    release.wait()
t = threading.Thread(target=older)
t.start()
started.wait()
now = renice(int(sys.argv[1]))
late = []
t2 = threading.Thread(target=lambda: late.append(os.getpriority(os.PRIO_PROCESS, 0)))
t2.start(); t2.join()
tids = [int(x) for x in os.listdir("/proc/self/task")]
assert len(tids) >= 2, tids  # this thread and the older one
threads = sorted({os.getpriority(os.PRIO_PROCESS, t) for t in tids})
release.set(); t.join()
print(json.dumps({"now": now, "threads": threads, "later_thread": late[0]}))
"""


# this process's niceness (a crawl run in the test process may have raised it): the child
# starts there, and ``nice -n`` adds to it
BASE = os.getpriority(os.PRIO_PROCESS, 0)
linux = pytest.mark.skipif(
    not sys.platform.startswith("linux") or BASE > 15, reason="per-thread niceness, Linux"
)


def _probe(nice: int, outside: int = 0) -> dict:
    """The niceness the probe's threads end with (each distinct value once)."""
    cmd = [sys.executable, "-c", PROBE, str(nice)]
    if outside:
        cmd = ["nice", "-n", str(outside), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


@linux
def test_every_thread_and_every_later_one_takes_the_niceness() -> None:
    # setpriority(PRIO_PROCESS, 0) alone would leave the thread started before where it was
    n = BASE + 2
    assert _probe(n) == {"now": n, "threads": [n], "later_thread": n}


@linux
def test_a_niceness_set_from_outside_is_never_lowered() -> None:
    n = BASE + 3
    assert _probe(BASE + 2, outside=3) == {"now": n, "threads": [n], "later_thread": n}
    assert _probe(BASE + 4, outside=3)["threads"] == [BASE + 4]


@linux
def test_zero_keeps_the_process_niceness() -> None:
    assert _probe(0) == {"now": BASE, "threads": [BASE], "later_thread": BASE}
    assert _probe(0, outside=3)["now"] == BASE + 3
