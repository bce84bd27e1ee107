"""Linear time shown by growth, not by a bound in seconds: how much longer a piece of work
takes each time its input doubles. About 2 when linear, 4 when quadratic, and far more for a
backtracking regular expression or a quadratic IDNA encoding.

Two things on a shared machine make one timing lie, and both are kept out:

- a pause (another process, a page fault) that hits one call: each size is timed several
  times, interleaved, and the fastest of each is compared, since noise only ever adds;
- Python's cyclic garbage collector, whose full passes cost in proportion to everything the
  test session holds, not to the work measured, and come more often the more a call
  allocates: it is collected before and switched off during the timings.

Speed itself belongs in ``bench/``."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

LINEAR = 3.0  # the most time(2n) / time(n) may be to count as linear (quadratic: 4)


def _timed(work: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    work(n)
    return time.perf_counter() - start


def doubling_ratio(work: Callable[[int], object], n: int, runs: int = 5) -> float:
    """How much longer the work takes per doubling of its input, measured over two
    doublings: ``sqrt(min time(work(4n)) / min time(work(n)))`` over *runs* interleaved
    pairs, after one untimed warm-up of each size, with the garbage collector off. Two
    doublings keep linear (2) and quadratic (4) further apart than one pair of timings
    would: a timing off by half moves the result by a fifth. Pick *n* so one call takes
    milliseconds."""
    work(n)
    work(4 * n)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        small, large = [], []
        for _ in range(runs):
            small.append(_timed(work, n))
            large.append(_timed(work, 4 * n))
    finally:
        if was_enabled:
            gc.enable()
    return math.sqrt(min(large) / max(min(small), 1e-9))
