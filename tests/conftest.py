"""Fixtures shared by every test folder: a private Redis, a page farm, scrapy processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from scrapy.utils.reactor import install_reactor

from bench._farm import Farm
from tests.support.redis_cluster import RedisClusterServer
from tests.support.redis_server import RedisServer
from tests.support.worker import scrapy_process  # noqa: F401  (a fixture)

# The reactor the project's settings ask for, installed before any test can install the
# default one by touching ``twisted.internet.reactor`` (a LoopingCall does): crawlers built
# in-process with get_crawler check it.
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


@pytest.fixture
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A fresh redis-server on a free port for one test; the test may kill/restart it."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServer]:
    """A fresh Redis Cluster for one test: 3 masters and 3 replicas on loopback, made by
    ``redis-cli --cluster create``, with a 2 s node timeout; every node killed at the end."""
    cluster = RedisClusterServer(tmp_path_factory.mktemp("cluster"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def make_farm(tmp_path: Path) -> Iterator[Callable[..., Farm]]:
    """``make_farm(pages)``: a local nginx site of linked pages, stopped at the end."""
    farms: list[Farm] = []

    def make(pages: int, **kwargs: object) -> Farm:
        farm = Farm(tmp_path / f"farm{len(farms)}", pages, **kwargs).start()  # type: ignore[arg-type]
        farms.append(farm)
        return farm

    yield make
    for farm in farms:
        farm.stop()
