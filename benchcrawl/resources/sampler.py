"""One node's load, sampled with psutil and the cgroup files (no Scrapy, no Redis).

:meth:`Sampler.sample` never blocks (counters are diffed against the previous call, like
``psutil.cpu_percent(interval=None)``, but kept in this object rather than in psutil's
module-wide state) and never raises: whatever cannot be read is reported in one warning
and replaced by the host's figure.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from benchcrawl.resources import cgroup, cpu

logger = logging.getLogger(__name__)

_FAILURES = (OSError, ValueError, psutil.Error)


@dataclass(frozen=True)
class Reading:
    """One interval's figures, in % (0-100)."""

    cpu: float  # busy share of the CPUs the worker may use (anyone's work)
    cpu_own: float  # the worker's own share (with its child processes)
    cpu_load: float  # share of what the worker leaves that others take: the throttle figure
    memory: float  # used / limit (cgroup's when set, else the host's)
    network: float  # max(rx, tx) throughput / link capacity
    rss: int  # bytes resident in the worker and its children

    def loads(self) -> dict[str, float]:
        """The figures the throttle decides on."""
        return {"cpu": self.cpu_load, "memory": self.memory, "network": self.network}


class Sampler:
    def __init__(
        self,
        pid: int,
        link_mbps: float,
        interfaces: list[str],
        cgroup_root: Path = Path("/sys/fs/cgroup"),
        proc_cgroup: Path = Path("/proc/self/cgroup"),
    ) -> None:
        self.pid = pid
        self.link_bps = link_mbps * 1e6
        self.interfaces = interfaces
        self.warned: set[str] = set()
        self.groups = self._guard(
            "cgroup", lambda: cgroup.locate(cgroup_root, proc_cgroup.read_text())
        )
        self.process: psutil.Process | None = self._guard("process", lambda: psutil.Process(pid))
        self.last: dict[str, Any] | None = None
        self.known: dict[tuple[int, float], float] = {}  # (pid, create time) -> CPU seconds

    def sample(self, now: float | None = None) -> Reading | None:
        """Figures since the previous call (None on the first: it sets the baseline)."""
        now = time.monotonic() if now is None else now
        counters = self._counters(now)
        last, self.last = self.last, counters
        if last is None or counters["at"] - last["at"] <= 0:
            return None
        elapsed = counters["at"] - last["at"]
        affinity = counters["affinity"]
        quota = counters["quota"]
        busy = None
        if last["percpu"] is not None and counters["percpu"] is not None:
            busy = cpu.busy_percent(last["percpu"], counters["percpu"], affinity)
        group = None
        if (
            quota is not None
            and last["cgroup_cpu"] is not None
            and counters["cgroup_cpu"] is not None
        ):
            group = counters["cgroup_cpu"] - last["cgroup_cpu"]
        figures = cpu.figures(
            busy, group, counters["own"], elapsed, cpu.capacity(len(affinity), quota)
        )
        return Reading(
            cpu=round(figures.busy, 1),
            cpu_own=round(figures.own, 1),
            cpu_load=round(figures.load, 1),
            memory=round(counters["memory"], 1),
            network=round(self._network(last["net"], counters["net"], elapsed), 1),
            rss=counters["rss"],
        )

    # --- counters --------------------------------------------------------------------------
    def _counters(self, now: float) -> dict[str, Any]:
        own, rss = self._guard("process", self._tree, (0.0, 0))
        ctl = self.groups.cpu if self.groups else None
        mem = self.groups.memory if self.groups else None
        return {
            "at": now,
            "percpu": self._guard("cpu", lambda: psutil.cpu_times(percpu=True)),
            "affinity": self._guard("affinity", lambda: sorted(os.sched_getaffinity(self.pid)))
            or list(range(psutil.cpu_count() or 1)),
            "quota": self._guard("cgroup", lambda: cgroup.cpu_quota(ctl)),
            "cgroup_cpu": self._guard("cgroup", lambda: cgroup.cpu_usage_seconds(ctl)),
            "own": own,
            "rss": rss,
            "memory": self._guard("memory", lambda: self._memory(mem, rss), 0.0),
            "net": self._guard("network", self._net),
        }

    def _tree(self) -> tuple[float, int]:
        """CPU seconds used since the previous call, and resident bytes, of the worker
        and every descendant (browsers, their renderers)."""
        if self.process is None:
            return 0.0, 0
        first = not self.known
        seen: dict[tuple[int, float], float] = {}
        used = 0.0
        rss = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                with proc.oneshot():
                    t = proc.cpu_times()
                    key = (proc.pid, proc.create_time())
                    rss += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            total = t.user + t.system
            if proc.pid == self.pid:
                total += t.children_user + t.children_system  # reaped children
            seen[key] = total
            if not first:  # a process not seen before started since the last sample
                used += total - self.known.get(key, 0.0)
        self.known = seen
        return max(0.0, used), rss

    def _memory(self, ctl: cgroup.Controller | None, rss: int) -> float:
        limit = self._guard("cgroup", lambda: cgroup.memory_limit(ctl))
        if limit:
            usage = self._guard("cgroup", lambda: cgroup.memory_usage(ctl))
            return min(100.0, 100.0 * (usage if usage is not None else rss) / limit)
        vm = psutil.virtual_memory()
        return 100.0 * (vm.total - vm.available) / vm.total

    def _net(self) -> tuple[int, int]:
        nics = psutil.net_io_counters(pernic=True)
        names = self.interfaces or [n for n in nics if n != "lo"]
        rx = sum(nics[n].bytes_recv for n in names if n in nics)
        tx = sum(nics[n].bytes_sent for n in names if n in nics)
        return rx, tx

    def _network(self, before: Any, after: Any, elapsed: float) -> float:
        if before is None or after is None or self.link_bps <= 0:
            return 0.0
        delta = max(max(0, a - b) for a, b in zip(after, before, strict=True))
        return min(100.0, 100.0 * delta * 8 / elapsed / self.link_bps)

    def _guard(self, what: str, fn: Any, default: Any = None) -> Any:
        """Run one probe; the first failure of each kind is one warning, then silence."""
        try:
            return fn()
        except _FAILURES as e:
            if what not in self.warned:
                self.warned.add(what)
                logger.warning(
                    "cannot read %s figures (%s: %s); using the host's figures instead",
                    what,
                    type(e).__name__,
                    e,
                )
            return default
