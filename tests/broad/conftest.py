"""Fixtures for broad crawls: a multi-host farm on 127.0.0.x and real ``scrapy`` processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.broad_farm import BroadFarm

PROJECT = Path(__file__).resolve().parents[2]

BASE_SETTINGS = {
    "LOG_LEVEL": "INFO",
    "RESOURCES_ENABLED": "False",
    "SCHEDULER_IDLE_BEFORE_CLOSE": "2",
    "FRONTIER_LEASE_TIME": "30",
}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BROAD_WARC_DIR")}
    env["PYTHONPATH"] = str(PROJECT)
    return env


def scrapy_args(redis_url: str, settings: dict[str, object]) -> list[str]:
    args = ["-s", f"REDIS_URL={redis_url}"]
    for key, value in {**BASE_SETTINGS, **settings}.items():
        args += ["-s", f"{key}={value}"]
    return args


def run_seed(
    redis_url: str, seed_file: Path, *extra: str, **settings: object
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "seed", "broad", str(seed_file), *extra]
    cmd += scrapy_args(redis_url, settings)
    return subprocess.run(cmd, cwd=PROJECT, env=_env(), capture_output=True, text=True, timeout=60)


class BroadWorker:
    def __init__(self, log: Path, redis_url: str, settings: dict[str, object]) -> None:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "broad", *scrapy_args(redis_url, settings)]
        self.log_path = log
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=PROJECT, stdout=self._log, stderr=subprocess.STDOUT, env=_env()
        )

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def make_farm(tmp_path: Path) -> Iterator[Callable[..., BroadFarm]]:
    farms: list[BroadFarm] = []

    def make(sites: dict[str, dict[str, bytes]], **kwargs: object) -> BroadFarm:
        farm = BroadFarm(tmp_path / f"farm{len(farms)}", sites, **kwargs).start()  # type: ignore[arg-type]
        farms.append(farm)
        return farm

    yield make
    for farm in farms:
        farm.stop()


@pytest.fixture
def start_worker(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., BroadWorker]]:
    workers: list[BroadWorker] = []

    def start(**settings: object) -> BroadWorker:
        w = BroadWorker(tmp_path / f"worker{len(workers)}.log", redis_url, settings)
        workers.append(w)
        return w

    yield start
    for w in workers:
        if w.proc.poll() is None:
            w.proc.kill()
            w.wait(10)
