"""The cgroup limits that apply to this process: CPU quota and memory limit, v1 or v2.

Parsing is pure (one function per file format); :func:`locate` finds this process's cgroup
directories from ``/proc/self/cgroup``, and :func:`read_limits` walks from there up to the
hierarchy's mount, since a parent's limit binds its children too. A missing file means "no
limit set there"; an unreadable or malformed one raises ``OSError``/``ValueError`` for the
caller to fall back on host figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: cgroup v1 reports "no memory limit" as 2**63-1 rounded down to a page.
NO_LIMIT_V1 = 1 << 60


def parse_cpu_max(text: str) -> float | None:
    """v2 ``cpu.max`` (``"max 100000"`` or ``"50000 100000"``) -> CPUs, None = unlimited."""
    fields = text.split()
    if not fields or fields[0] == "max":
        return None
    period = float(fields[1]) if len(fields) > 1 else 100_000.0
    return _cpus(float(fields[0]), period)


def parse_cfs(quota_text: str, period_text: str) -> float | None:
    """v1 ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` -> CPUs; quota -1 = unlimited."""
    quota = float(quota_text.strip())
    if quota < 0:
        return None
    return _cpus(quota, float(period_text.strip()))


def _cpus(quota: float, period: float) -> float:
    if quota <= 0 or period <= 0:
        raise ValueError(f"bad CPU quota {quota!r} / period {period!r}")
    return quota / period


def parse_memory_max(text: str) -> int | None:
    """v2 ``memory.max`` (``"max"`` or bytes) -> bytes, None = unlimited."""
    text = text.strip()
    return None if text == "max" else int(text)


def parse_memory_limit_v1(text: str) -> int | None:
    """v1 ``memory.limit_in_bytes`` -> bytes, None for the huge "unlimited" value."""
    value = int(text.strip())
    return None if value >= NO_LIMIT_V1 else value


def parse_stat(text: str) -> dict[str, int]:
    """A flat ``key value`` file (``memory.stat``, ``cpu.stat``)."""
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            out[key] = int(value)
    return out


@dataclass(frozen=True)
class Controller:
    """One controller's directories: the process's cgroup (``leaf``) under ``mount``."""

    version: int  # 1 or 2
    mount: Path
    leaf: Path

    def chain(self) -> list[Path]:
        """The leaf and each parent up to the mount, leaf first."""
        out = [self.leaf]
        for parent in self.leaf.parents:
            if not parent.is_relative_to(self.mount):
                break
            out.append(parent)
        return out


@dataclass(frozen=True)
class Cgroups:
    cpu: Controller | None
    memory: Controller | None


def locate(root: Path, proc_cgroup: str) -> Cgroups:
    """This process's cpu and memory cgroups, from the text of ``/proc/self/cgroup``.

    v1 controllers (``N:cpu,cpuacct:/path``) win over the v2 line (``0::/path``) in hybrid
    set-ups, where the unified hierarchy usually has no controllers. In a container whose
    cgroup namespace hides the path, the mount itself is the process's cgroup.
    """
    v1: dict[str, str] = {}
    v2: str | None = None
    for line in proc_cgroup.splitlines():
        parts = line.strip().split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "" and parts[0] == "0":
            v2 = path
        for name in controllers.split(","):
            if name:
                v1[name] = path

    def find(name: str, probe: str) -> Controller | None:
        if name in v1:
            for mount in (root / name, root / "cpu,cpuacct", root / "cpuacct,cpu"):
                if mount.is_dir() and (mount.name == name or name == "cpu"):
                    return _controller(1, mount, v1[name])
        if v2 is not None:
            mount = root if (root / "cgroup.controllers").exists() else root / "unified"
            ctl = _controller(2, mount, v2)
            if mount.is_dir() and any((p / probe).exists() for p in ctl.chain()):
                return ctl
        return None

    return Cgroups(cpu=find("cpu", "cpu.max"), memory=find("memory", "memory.max"))


def _controller(version: int, mount: Path, path: str) -> Controller:
    leaf = mount / path.lstrip("/")
    return Controller(version, mount, leaf if leaf.is_dir() else mount)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def cpu_quota(ctl: Controller | None) -> float | None:
    """The smallest CPU quota (in CPUs) on the way from this cgroup to the root."""
    if ctl is None:
        return None
    limits: list[float] = []
    for d in ctl.chain():
        if ctl.version == 2:
            text = _read(d / "cpu.max")
            value = parse_cpu_max(text) if text is not None else None
        else:
            quota, period = _read(d / "cpu.cfs_quota_us"), _read(d / "cpu.cfs_period_us")
            value = parse_cfs(quota, period) if quota is not None and period is not None else None
        if value is not None:
            limits.append(value)
    return min(limits, default=None)


def memory_limit(ctl: Controller | None) -> int | None:
    """The smallest memory limit (bytes) on the way from this cgroup to the root."""
    if ctl is None:
        return None
    name = "memory.max" if ctl.version == 2 else "memory.limit_in_bytes"
    parse = parse_memory_max if ctl.version == 2 else parse_memory_limit_v1
    limits = [v for d in ctl.chain() if (t := _read(d / name)) is not None and (v := parse(t))]
    return min(limits, default=None)


def memory_usage(ctl: Controller | None) -> int | None:
    """Bytes in use by this cgroup, without reclaimable inactive page cache (as
    ``docker stats`` counts it); None when the files are not there."""
    if ctl is None:
        return None
    name = "memory.current" if ctl.version == 2 else "memory.usage_in_bytes"
    text = _read(ctl.leaf / name)
    if text is None:
        return None
    stat = parse_stat(_read(ctl.leaf / "memory.stat") or "")
    inactive = stat.get("inactive_file", stat.get("total_inactive_file", 0))
    return max(0, int(text.strip()) - inactive)


def cpu_usage_seconds(ctl: Controller | None) -> float | None:
    """CPU seconds used by this cgroup so far (v2 ``cpu.stat`` usage_usec, v1
    ``cpuacct.usage``); None when not available."""
    if ctl is None:
        return None
    if ctl.version == 2:
        stat = parse_stat(_read(ctl.leaf / "cpu.stat") or "")
        return stat["usage_usec"] / 1e6 if "usage_usec" in stat else None
    separate = ctl.mount.parent / "cpuacct" / ctl.leaf.relative_to(ctl.mount)
    for path in (ctl.leaf / "cpuacct.usage", separate / "cpuacct.usage"):
        text = _read(path)
        if text is not None:
            return int(text.strip()) / 1e9
    return None
