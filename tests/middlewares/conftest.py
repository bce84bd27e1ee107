"""Real ``scrapy crawl loadfarm`` workers, optionally pinned to a CPU, and CPU hogs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from bench._farm import Farm
from tests.support.worker import ScrapyProcess, scrapy_command, scrapy_env

BASE_SETTINGS = {
    "SPIDER_MODULES": "tests.middlewares.spiders",
    "FRONTIER_LEASE_TIME": "30",
    "SCHEDULER_IDLE_BEFORE_CLOSE": "1",
    "FRONTIER_IDLE_POLL_INTERVAL": "0.5",
    "LOG_LEVEL": "INFO",
}


@pytest.fixture
def start_worker(
    scrapy_process: Callable[..., ScrapyProcess], redis_url: str
) -> Callable[..., ScrapyProcess]:
    def start(farm: Farm, node: str, cpu: int | None = None, **settings: object) -> ScrapyProcess:
        args = {"start_url": farm.url(0), "parse_passes": settings.pop("parse_passes", 0)}
        settings = {**BASE_SETTINGS, "REDIS_URL": redis_url, "RESOURCES_NODE_ID": node, **settings}
        cmd = ["taskset", "-c", str(cpu)] if cpu is not None else []
        cmd += scrapy_command("crawl", "loadfarm", settings=settings, args=args)
        return scrapy_process(node, cmd, scrapy_env(drop=["RESOURCES_NODE_ID"]))

    return start


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
