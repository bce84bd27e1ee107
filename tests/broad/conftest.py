"""Fixtures for broad crawls: a multi-host farm on 127.0.0.x and real ``scrapy`` processes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.broad_farm import BroadFarm
from tests.support.worker import (
    PROJECT,
    ScrapyProcess,
    scrapy_command,
    scrapy_env,
    scrapy_options,
)

BASE_SETTINGS = {
    "LOG_LEVEL": "INFO",
    "RESOURCES_ENABLED": "False",
    "SCHEDULER_IDLE_BEFORE_CLOSE": "2",
    "FRONTIER_LEASE_TIME": "30",
}


def scrapy_args(redis_url: str, settings: dict[str, object]) -> list[str]:
    return scrapy_options({**BASE_SETTINGS, "REDIS_URL": redis_url, **settings})


def broad_env() -> dict[str, str]:
    return scrapy_env(drop=["REDIS_URL", "BROAD_WARC_DIR"])


def run_seed(
    redis_url: str, seed_file: Path, *extra: str, **settings: object
) -> subprocess.CompletedProcess[str]:
    cmd = scrapy_command("seed", "broad", str(seed_file), *extra)
    cmd += scrapy_args(redis_url, settings)
    return subprocess.run(
        cmd, cwd=PROJECT, env=broad_env(), capture_output=True, text=True, timeout=60
    )


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
def start_worker(
    scrapy_process: Callable[..., ScrapyProcess], redis_url: str
) -> Callable[..., ScrapyProcess]:
    count = 0

    def start(**settings: object) -> ScrapyProcess:
        nonlocal count
        cmd = scrapy_command("crawl", "broad") + scrapy_args(redis_url, settings)
        count += 1
        return scrapy_process(f"worker{count - 1}", cmd, broad_env())

    return start
