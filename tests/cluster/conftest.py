"""Fixtures for the cluster tests: the broad crawl's multi-host farm (the cluster itself is
``redis_cluster``, and the one-host farm ``make_farm``, of ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bench.broad_farm import BroadFarm


@pytest.fixture
def make_broad_farm(tmp_path: Path) -> Iterator[Callable[..., BroadFarm]]:
    farms: list[BroadFarm] = []

    def make(sites: dict[str, dict[str, bytes]], **kwargs: object) -> BroadFarm:
        farm = BroadFarm(tmp_path / f"broad{len(farms)}", sites, **kwargs).start()  # type: ignore[arg-type]
        farms.append(farm)
        return farm

    yield make
    for farm in farms:
        farm.stop()
