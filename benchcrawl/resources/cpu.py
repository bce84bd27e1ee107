"""CPU figures as a worker can really use them (pure maths on counters).

* ``busy``: how busy the CPUs this worker may run on are (its affinity), whoever keeps
  them busy, and, under a cgroup quota, how much of the quota the cgroup uses; the larger.
  This is the node's CPU utilisation that heartbeats report and the monitor shows.
* ``own``: the worker's own share of that capacity (the worker process and its children,
  e.g. the browsers scrapy-playwright starts).
* ``load``: what the throttle decides on: how much of the CPU the worker leaves unused is
  taken by others. A single-threaded crawler keeps its own core busy by design, so its
  own work is not overload; a core kept busy by someone else is. The worker's own use is
  credited at most half the capacity, so a worker that is itself near 100% is not
  throttled by the few percent others use next to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

_IDLE = ("idle", "iowait")
_NOT_COUNTED = ("guest", "guest_nice")  # already inside user / nice on Linux


class CpuTimes(Protocol):
    def _asdict(self) -> Mapping[str, float]: ...


def busy_percent(
    before: Sequence[CpuTimes], after: Sequence[CpuTimes], cpus: Iterable[int]
) -> float | None:
    """Busy % of the CPUs *cpus* between two per-CPU snapshots (``psutil.cpu_times(
    percpu=True)``); None if no time passed on them."""
    total = idle = 0.0
    for i in cpus:
        if i >= len(before) or i >= len(after):
            continue
        a, b = before[i]._asdict(), after[i]._asdict()
        for field, value in b.items():
            if field in _NOT_COUNTED:
                continue
            delta = max(0.0, value - a.get(field, 0.0))
            total += delta
            if field in _IDLE:
                idle += delta
    if total <= 0:
        return None
    return _clip(100.0 * (total - idle) / total)


def capacity(affinity: int, quota: float | None) -> float:
    """CPUs this worker can use: its affinity, capped by a cgroup quota."""
    cpus = float(max(1, affinity))
    return min(cpus, quota) if quota is not None else cpus


@dataclass(frozen=True)
class CpuFigures:
    busy: float  # % of capacity in use, by anyone
    own: float  # % of capacity used by the worker and its children
    load: float  # % of the capacity the worker leaves that others take (the throttle figure)


def figures(
    busy_affinity: float | None,
    cgroup_seconds: float | None,
    own_seconds: float,
    elapsed: float,
    cpus: float,
) -> CpuFigures:
    """Combine one interval's counters into :class:`CpuFigures`.

    *busy_affinity*: :func:`busy_percent` of the affinity CPUs; *cgroup_seconds*: CPU
    seconds the cgroup used (only under a quota); *own_seconds*: the worker's; *cpus*:
    :func:`capacity`.
    """
    span = max(elapsed, 1e-6) * cpus
    own = _clip(100.0 * own_seconds / span)
    candidates = [own]
    if busy_affinity is not None:
        candidates.append(busy_affinity)
    if cgroup_seconds is not None:
        candidates.append(_clip(100.0 * cgroup_seconds / span))
    busy = max(candidates)
    return CpuFigures(busy=busy, own=own, load=contention(busy, own))


def contention(busy: float, own: float) -> float:
    """% of the CPU this worker leaves unused that others take (own credited <= 50%)."""
    others = max(0.0, busy - own)
    return _clip(100.0 * others / (100.0 - min(own, 50.0)))


def _clip(value: float) -> float:
    return min(100.0, max(0.0, value))
