"""The monitor built as ``scrapy monitor`` builds it, on a private Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from scrapy.utils.project import get_project_settings

from benchcrawl.commands.monitor import build
from tests.support.redis_server import RedisServer

TOKEN = "test-token-7f3a9c"


@pytest.fixture
def make_client(redis_server: RedisServer, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(data_dir: Path | None = None) -> TestClient:
        settings = get_project_settings()
        settings.set("REDIS_URL", redis_server.url, priority="cmdline")
        settings.set("DATA_DIR", str(data_dir or tmp_path / "data"), priority="cmdline")
        app, _, _ = build(settings, TOKEN, None, None)
        client = TestClient(app, base_url="http://127.0.0.1")
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
