"""cgroup v1/v2 parsing and lookup, on small fixture trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchcrawl.resources import cgroup


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("text", "cpus"),
    [("max 100000\n", None), ("50000 100000\n", 0.5), ("200000 100000", 2.0), ("max", None)],
)
def test_cpu_max(text, cpus):
    assert cgroup.parse_cpu_max(text) == cpus


def test_v1_cfs_quota():
    assert cgroup.parse_cfs("-1\n", "100000\n") is None
    assert cgroup.parse_cfs("150000\n", "100000\n") == 1.5
    with pytest.raises(ValueError):
        cgroup.parse_cfs("garbage", "100000")


def test_memory_limits():
    assert cgroup.parse_memory_max("max\n") is None
    assert cgroup.parse_memory_max("536870912\n") == 512 << 20
    assert cgroup.parse_memory_limit_v1("9223372036854771712\n") is None
    assert cgroup.parse_memory_limit_v1("1073741824\n") == 1 << 30


def test_v2_tree_limits_and_usage(tmp_path):
    root = _write(
        tmp_path,
        {
            "cgroup.controllers": "cpu memory",
            "cpu.max": "max 100000",
            "job/cpu.max": "150000 100000",  # the parent's quota binds the child
            "job/memory.max": "max",
            "job/worker/cpu.max": "max 100000",
            "job/worker/memory.max": "1073741824",
            "job/worker/memory.current": "600000000",
            "job/worker/memory.stat": "anon 500000000\ninactive_file 100000000\n",
            "job/worker/cpu.stat": "usage_usec 2500000\nuser_usec 2000000\n",
        },
    )
    groups = cgroup.locate(root, "0::/job/worker\n")
    assert groups.cpu is not None and groups.cpu.version == 2
    assert cgroup.cpu_quota(groups.cpu) == 1.5
    assert cgroup.memory_limit(groups.memory) == 1 << 30
    assert cgroup.memory_usage(groups.memory) == 500_000_000
    assert cgroup.cpu_usage_seconds(groups.cpu) == 2.5


def test_v2_unlimited(tmp_path):
    root = _write(tmp_path, {"cgroup.controllers": "cpu memory", "cpu.max": "max 100000"})
    groups = cgroup.locate(root, "0::/\n")
    assert cgroup.cpu_quota(groups.cpu) is None
    assert cgroup.memory_limit(groups.memory) is None


def test_v1_tree(tmp_path):
    root = _write(
        tmp_path,
        {
            "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
            "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
            "cpu,cpuacct/docker/abc/cpuacct.usage": "3000000000\n",
            "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            "memory/docker/abc/memory.limit_in_bytes": "268435456\n",
            "memory/docker/abc/memory.usage_in_bytes": "200000000\n",
            "memory/docker/abc/memory.stat": "cache 1\ntotal_inactive_file 50000000\n",
            "memory/memory.limit_in_bytes": "9223372036854771712\n",
        },
    )
    text = "12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/docker/abc\n"
    groups = cgroup.locate(root, text)
    assert groups.cpu is not None and groups.cpu.version == 1
    assert cgroup.cpu_quota(groups.cpu) == 0.5
    assert cgroup.cpu_usage_seconds(groups.cpu) == 3.0
    assert cgroup.memory_limit(groups.memory) == 256 << 20
    assert cgroup.memory_usage(groups.memory) == 150_000_000


def test_v1_namespaced_container_reads_the_mount(tmp_path):
    """Inside a cgroup namespace the path is "/" or not present: the mount is ours."""
    root = _write(
        tmp_path,
        {
            "cpu/cpu.cfs_quota_us": "200000\n",
            "cpu/cpu.cfs_period_us": "100000\n",
            "memory/memory.limit_in_bytes": "1073741824\n",
        },
    )
    groups = cgroup.locate(root, "5:cpu:/kubepods/pod1\n4:memory:/kubepods/pod1\n")
    assert cgroup.cpu_quota(groups.cpu) == 2.0
    assert cgroup.memory_limit(groups.memory) == 1 << 30


def test_no_cgroups_at_all(tmp_path):
    groups = cgroup.locate(tmp_path / "absent", "")
    assert groups.cpu is None and groups.memory is None
    assert cgroup.cpu_quota(None) is None and cgroup.memory_usage(None) is None


def test_malformed_file_raises_for_the_caller(tmp_path):
    root = _write(tmp_path, {"cgroup.controllers": "cpu", "cpu.max": "lots 100000"})
    with pytest.raises(ValueError):
        cgroup.cpu_quota(cgroup.locate(root, "0::/\n").cpu)
