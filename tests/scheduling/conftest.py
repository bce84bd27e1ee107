"""Fixtures for the scheduler: the replica (as the spiders' tests build it), a webhook
receiver on loopback, and ``scrapy schedule`` as a real subprocess."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchcrawl.replica import Replica
from tests.support.replica import generated_replica
from tests.support.worker import PROJECT, ScrapyProcess, scrapy_command, scrapy_env

LOG_FORMAT = "%(created).3f [%(name)s] %(levelname)s: %(message)s"
FAST = {  # a short lock expiry and quick polls, two light workers on a shared 2-core host
    "LOG_FORMAT": LOG_FORMAT,
    "SCHEDULE_LOCK_TTL": 3,
    "SCHEDULE_POLL_INTERVAL": 0.5,
    "SCHEDULE_KILL_GRACE": 2,
    "SCHEDULE_WEBHOOK_ATTEMPTS": 2,
    "SCHEDULE_WEBHOOK_BACKOFF": 0.2,
    "SCHEDULE_WEBHOOK_TIMEOUT": 2,
    "CONCURRENT_REQUESTS": 2,
    "RESOURCES_ENABLED": False,
    "SCHEDULER_IDLE_BEFORE_CLOSE": 30,
}


@pytest.fixture
def replica() -> Iterator[Replica]:
    """The replica serving generated data (``generate(seed=0)``), as in tests/spiders."""
    with generated_replica() as server:
        yield server


class Hooks:
    """What the webhook receiver got: one JSON body per POST."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = ""

    def got(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.bodies)


@pytest.fixture
def webhook() -> Iterator[Hooks]:
    """A stdlib HTTP server on 127.0.0.1, port 0, recording every POST's JSON body."""
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with hooks.lock:
                hooks.bodies.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    hooks.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield hooks
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def write_config(path: Path, **top: Any) -> Path:
    """A job config for the scheduler's tests (any top-level key given overrides)."""
    config: dict[str, Any] = {
        "source": {"base_url": "http://127.0.0.1:9/", "timeout": 20, "retry_attempts": 0},
        "data_dir": str(path.parent / "unused-data"),
        "schedule": "0 1 * * *",
        **top,
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def schedule(
    tmp_path: Path, scrapy_process: Callable[..., ScrapyProcess]
) -> Callable[..., ScrapyProcess]:
    """``schedule(name, *words, base_url=, data_dir=, config=, redis_url=, settings=)``
    starts ``scrapy schedule inferencemax WORDS`` (output in ``tmp_path/name.log``)."""

    def start(
        name: str,
        *words: str,
        base_url: str,
        data_dir: Path,
        config: Path,
        redis_url: str | None = None,
        settings: dict[str, object] | None = None,
    ) -> ScrapyProcess:
        cmd = scrapy_command(
            "schedule",
            "inferencemax",
            *words,
            settings={**FAST, "DATA_DIR": data_dir, **(settings or {})},
            args={"base_url": base_url},
        )
        env = scrapy_env(drop=("REDIS_URL", "DATA_DIR"))
        env["BENCHCRAWL_CONFIG"] = str(config)
        env["LOG_LEVEL"] = "INFO"
        if redis_url:
            env["REDIS_URL"] = redis_url
        return scrapy_process(name, cmd, env, PROJECT)

    return start
