"""Linear time shown by growth, not by a bound in seconds: how much longer a piece of work
takes when its input doubles. About 2 when linear, 4 when quadratic, and far more for a
backtracking regular expression or a quadratic IDNA encoding. A loaded machine slows both
sides of a ratio alike, and the median of several back-to-back pairs drops a pause that
hits one of them; speed itself belongs in ``bench/``."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

LINEAR = 3.0  # the most time(2n) / time(n) may be to count as linear (quadratic: 4)


def _timed(work: Callable[[int], object], n: int) -> float:
    start = time.perf_counter()
    work(n)
    return time.perf_counter() - start


def doubling_ratio(work: Callable[[int], object], n: int, runs: int = 5) -> float:
    """Median over *runs* of ``time(work(2n)) / time(work(n))``, each pair timed back to
    back after one untimed warm-up of each size. Pick *n* so one call takes milliseconds."""
    work(n)
    work(2 * n)
    ratios = [_timed(work, 2 * n) / max(_timed(work, n), 1e-9) for _ in range(runs)]
    return statistics.median(ratios)
