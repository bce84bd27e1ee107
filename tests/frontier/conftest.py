"""Fixtures for frontier crawls: a local nginx farm and real ``scrapy crawl`` workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench._farm import Farm

PROJECT = Path(__file__).resolve().parents[2]


class Worker:
    """``scrapy crawl farm`` in a subprocess; its log goes to a file."""

    def __init__(
        self,
        log: Path,
        redis_url: str,
        start_url: str,
        settings: dict[str, str],
        args: dict[str, str] | None = None,
    ) -> None:
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "farm",
            "-s",
            "SPIDER_MODULES=tests.frontier.spiders",
            "-s",
            f"REDIS_URL={redis_url}",
            "-a",
            f"start_url={start_url}",
        ]
        for k, v in settings.items():
            cmd += ["-s", f"{k}={v}"]
        for k, v in (args or {}).items():
            cmd += ["-a", f"{k}={v}"]
        self.log_path = log
        self._log = log.open("wb")
        env = {**os.environ, "PYTHONPATH": str(PROJECT)}
        self.proc = subprocess.Popen(
            cmd, cwd=PROJECT, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.wait(10)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None


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

    def start(farm: Farm, **settings: object) -> Worker:
        args = settings.pop("spider_args", None)
        base = {
            "FRONTIER_LEASE_TIME": "30",
            "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
            "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
            "LOG_LEVEL": "INFO",
            # the frontier on its own: workers share one host, where the resource gate
            # (tested in tests/middlewares) would decide who works
            "RESOURCES_ENABLED": "False",
        }
        base.update({k: str(v) for k, v in settings.items()})
        w = Worker(tmp_path / f"worker{len(workers)}.log", redis_url, farm.url(0), base, args)  # type: ignore[arg-type]
        workers.append(w)
        return w

    yield start
    for w in workers:
        if w.alive():
            w.proc.kill()
            w.wait(10)


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
