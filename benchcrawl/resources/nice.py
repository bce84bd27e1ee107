"""A worker's niceness (``RESOURCES_NICE``): on a busy node the kernel gives co-located
work the CPU first, at once, between two load samples; the throttle only stops new leases.

On Linux a niceness belongs to a thread, not to the process: ``setpriority(PRIO_PROCESS,
0, n)`` changes the calling thread only, and threads keep what they had. So every thread
this process has is reniced; threads and processes started later (Twisted's thread pool,
the Playwright driver and its Chromium) inherit it from the thread that starts them.
"""

from __future__ import annotations

import os
from pathlib import Path

_TASKS = Path("/proc/self/task")


def renice(nice: int) -> int:
    """Raise every thread of this process to niceness *nice* at least and return the
    niceness of the calling thread. Never lowers a niceness set from outside (``nice -n``);
    *nice* <= 0 leaves it as it is. Raises ``OSError`` where the system refuses."""
    if nice > 0:
        for tid in _threads():
            try:
                if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                    os.setpriority(os.PRIO_PROCESS, tid, nice)
            except ProcessLookupError:  # that thread ended meanwhile
                continue
    return os.getpriority(os.PRIO_PROCESS, 0)


def _threads() -> list[int]:
    """This process's thread ids (0, the calling thread, where /proc is not there)."""
    try:
        return [int(t) for t in os.listdir(_TASKS)]
    except OSError:
        return [0]
