"""Real ``scrapy crawl loadfarm`` workers, optionally pinned to a CPU, and CPU hogs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench._farm import Farm

PROJECT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, log: Path, cmd: list[str]) -> None:
        self.log_path = log
        self._log = log.open("wb")
        env = {**os.environ, "PYTHONPATH": str(PROJECT)}
        env.pop("RESOURCES_NODE_ID", None)
        self.proc = subprocess.Popen(
            cmd, cwd=PROJECT, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stat(self, name: str) -> float:
        """A stat from the final stats dump (0 if absent)."""
        m = re.search(rf"'{re.escape(name)}': ([0-9.]+)", self.log)
        return float(m.group(1)) if m else 0.0


def worker_command(
    redis_url: str, start_url: str, node: str, settings: dict[str, object], cpu: int | None
) -> list[str]:
    cmd = ["taskset", "-c", str(cpu)] if cpu is not None else []
    cmd += [sys.executable, "-m", "scrapy", "crawl", "loadfarm"]
    base: dict[str, object] = {
        "SPIDER_MODULES": "tests.middlewares.spiders",
        "REDIS_URL": redis_url,
        "RESOURCES_NODE_ID": node,
        "FRONTIER_LEASE_TIME": "30",
        "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
        "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
        "LOG_LEVEL": "INFO",
    }
    args = {"start_url": start_url, "parse_passes": settings.pop("parse_passes", 0)}
    for key, value in {**base, **settings}.items():
        cmd += ["-s", f"{key}={value}"]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    return cmd


@pytest.fixture
def make_farm(tmp_path: Path) -> Iterator[Callable[..., Farm]]:
    farms: list[Farm] = []

    def make(pages: int, **kwargs: object) -> Farm:
        farm = Farm(tmp_path / f"farm{len(farms)}", pages, **kwargs).start()  # type: ignore[arg-type]
        farms.append(farm)
        return farm

    yield make
    for farm in farms:
        farm.stop()


@pytest.fixture
def start_worker(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(farm: Farm, node: str, cpu: int | None = None, **settings: object) -> Worker:
        cmd = worker_command(redis_url, farm.url(0), node, settings, cpu)
        w = Worker(tmp_path / f"{node}.log", cmd)
        workers.append(w)
        return w

    yield start
    for w in workers:
        if w.proc.poll() is None:
            w.proc.kill()
            w.wait(10)


@pytest.fixture
def cpu_hog() -> Iterator[Callable[[int], subprocess.Popen]]:
    """``cpu_hog(0)``: a child burning CPU 0 until the test ends."""
    hogs: list[subprocess.Popen] = []

    def start(cpu: int) -> subprocess.Popen:
        hog = subprocess.Popen(
            ["taskset", "-c", str(cpu), sys.executable, "-c", "while True: pass"]
        )
        hogs.append(hog)
        return hog

    yield start
    for hog in hogs:
        hog.kill()
        hog.wait(10)
