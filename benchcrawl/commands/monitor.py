"""``scrapy monitor [--host H] [--port P]``: the cluster at a glance, with control.

Serves :mod:`benchcrawl.monitor` with uvicorn (default 127.0.0.1:8050). The token comes
from ``BENCHCRAWL_MONITOR_TOKEN`` and is read here, not in ``settings.py``: a setting would
be printed in every crawler's "Overridden settings" log line. Without it, or without a
reachable Redis, the command is one sentence on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings
from scrapy.spiderloader import get_spider_loader

from benchcrawl.commands import load_addon_settings
from benchcrawl.components import apply_defaults
from benchcrawl.connection import check_redis, frontier_client, redact
from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.scheduling import defaults as schedule_defaults

TOKEN_ENV = "BENCHCRAWL_MONITOR_TOKEN"


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Serve the monitor: nodes, frontiers, sweeps, data and actions, behind a token"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=None, help="port (default 8050)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy monitor takes no arguments")
        assert self.settings is not None
        token = os.environ.get(TOKEN_ENV, "")
        try:
            if not token.strip():
                raise BenchcrawlError(
                    f"{TOKEN_ENV} is not set; set it to a long random secret "
                    "(e.g. `openssl rand -hex 32`) and start the monitor again."
                )
            app, host, port = build(self.settings, token.strip(), opts.host, opts.port)
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        import uvicorn

        print(f"benchcrawl monitor on http://{host}:{port}/", file=sys.stderr, flush=True)
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


def build(settings: BaseSettings, token: str, host: str | None, port: int | None):
    """The app and where it listens, from the project's settings."""
    from benchcrawl.monitor.app import Monitor, create_app
    from benchcrawl.monitor.auth import TokenCheck
    from benchcrawl.monitor.cluster import Cluster
    from benchcrawl.monitor.data import DataDir
    from benchcrawl.monitor.keys import spider_keys

    base = settings.copy()
    load_addon_settings(base)
    url = base.get("REDIS_URL")
    if not url:
        raise BenchcrawlError("REDIS_URL is not set; the monitor reads the cluster from Redis.")
    check_redis(url, base.getfloat("REDIS_CONNECT_TIMEOUT"))
    server = frontier_client(base)
    spiders = []
    loader = get_spider_loader(settings)
    for name in sorted(loader.list()):
        s = settings.copy()
        loader.load(name).update_settings(s)
        load_addon_settings(s)
        apply_defaults(s, schedule_defaults)  # where `scrapy schedule NAME` keeps its runs
        spiders.append(spider_keys(s, name, server))
    data_dir = _data_dir(base)
    shown = redact(url)
    add_node = ["docker-compose up -d --scale worker=N    # N = the number of workers wanted"]
    add_node += [f"REDIS_URL={shown} scrapy crawl {s.name}" for s in spiders]
    monitor = Monitor(
        cluster=Cluster(server, spiders, base.getfloat("MONITOR_SERIES_WINDOW")),
        data=DataDir(data_dir),
        token=TokenCheck(token),
        add_node=add_node,
    )
    return (
        create_app(monitor),
        host or base.get("MONITOR_HOST"),
        port if port is not None else base.getint("MONITOR_PORT"),
    )


def _data_dir(settings: BaseSettings) -> Path | None:
    from benchcrawl.pipelines.archive import data_dir_from_settings

    try:
        return data_dir_from_settings(settings)
    except BenchcrawlError:
        return None
