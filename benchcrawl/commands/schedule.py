"""``scrapy schedule SPIDER``: run the job on the config's cron schedule (UTC).

Each run is a child ``scrapy crawl SPIDER`` with the ``-a``/``-s`` options given here, so a
crash or a hang cannot take the scheduler down; a run still going after
``SCHEDULE_RUN_TIMEOUT`` (default: ``INFERENCEMAX_SWEEP_TIMEOUT``) is killed with its
process group. ``--scrapyd URL`` submits each run to scrapyd instead (a timed-out run is
cancelled there). ``--cron EXPR`` overrides the config's ``schedule``; ``--once`` runs one job
now and exits with its exit code. Runs never overlap, however many schedulers: a Redis lock
with ``REDIS_URL``, else a file lock in ``DATA_DIR``. How: ``benchcrawl/scheduling/``.

A mistake (a bad cron line, a bad config, an unreachable Redis) is one sentence on stderr
and exit code 1 before anything starts.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import cast

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.log import configure_logging

from benchcrawl.commands import spider_settings
from benchcrawl.components import apply_defaults
from benchcrawl.config import JobConfig, load_config
from benchcrawl.connection import check_redis, key_scope, redis_client
from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.pipelines.archive import data_dir_from_settings
from benchcrawl.scheduling import defaults
from benchcrawl.scheduling.cron import Schedule
from benchcrawl.scheduling.cron_loop import Scheduler, Timing
from benchcrawl.scheduling.draw_charts import ChartsAfterRun
from benchcrawl.scheduling.lock import FileLock, RedisLock, RunLock
from benchcrawl.scheduling.notify import Webhook
from benchcrawl.scheduling.runner import Launcher, ProcessLauncher
from benchcrawl.scheduling.scrapyd import Scrapyd, ScrapydLauncher
from benchcrawl.scheduling.serving import ServingOrProcess
from benchcrawl.scheduling.state import FileState, RedisState, RunState


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] <spider>"

    def short_desc(self) -> str:
        return "Run a spider on the config's cron schedule (UTC), one run at a time"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument passed to every run (may be repeated)",
        )
        parser.add_argument("--cron", metavar="EXPR", help="cron line, UTC (default: the config)")
        parser.add_argument(
            "--once", action="store_true", help="run one job now and exit with its exit code"
        )
        parser.add_argument(
            "--scrapyd",
            metavar="URL",
            help="submit each run to scrapyd at URL (http://[user:pass@]host:6800/) instead "
            "of starting a child process; the project must be deployed there",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        spidercls, settings = spider_settings(self.settings, args)
        apply_defaults(settings, defaults)
        configure_logging(settings)
        stop = threading.Event()
        try:
            config = load_config(settings["BENCHCRAWL_CONFIG"])
            scheduler = self._scheduler(args[0], opts, settings, config, stop)
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if opts.once:
            self.exitcode = scheduler.run_once(
                scheduler.timing.run_timeout + scheduler.lock.ttl
                if scheduler.timing.run_timeout
                else 24 * 3600
            )
        else:
            scheduler.run_forever()

    def _scheduler(
        self,
        spider: str,
        opts: argparse.Namespace,
        settings: BaseSettings,
        config: JobConfig,
        stop: threading.Event,
    ) -> Scheduler:
        schedule = (
            Schedule(opts.cron, "--cron") if opts.cron else Schedule(config.schedule, config.path)
        )
        data_dir = data_dir_from_settings(settings)
        names = {"spider": spider}
        ttl = settings.getfloat("SCHEDULE_LOCK_TTL")
        lock: RunLock
        state: RunState
        url = settings.get("REDIS_URL")
        if url:
            timeout = settings.getfloat("REDIS_CONNECT_TIMEOUT")
            check_redis(url, timeout)
            client = redis_client(url, timeout, min(timeout, max(ttl / 6, 0.2)))
            names = {"spider": key_scope(client, spider)}
            lock = RedisLock(client, settings["SCHEDULE_LOCK_KEY"] % names, ttl, url)
            state = RedisState(
                client,
                settings["SCHEDULE_STATE_KEY"] % names,
                url,
                runs_key=settings["SCHEDULE_RUNS_KEY"] % names,
                next_key=settings["SCHEDULE_NEXT_KEY"] % names,
                kept=settings.getint("SCHEDULE_RUNS_KEPT"),
            )
        else:
            lock = FileLock(data_dir / (settings["SCHEDULE_LOCK_FILE"] % names), ttl)
            state = FileState(data_dir / (settings["SCHEDULE_STATE_FILE"] % names))
        run_timeout = settings.getfloat("SCHEDULE_RUN_TIMEOUT") or settings.getfloat(
            "INFERENCEMAX_SWEEP_TIMEOUT", 0.0
        )
        webhook = None
        if config.notify.webhook_url:
            webhook = Webhook(
                config.notify.webhook_url,
                settings.getfloat("SCHEDULE_WEBHOOK_TIMEOUT"),
                settings.getint("SCHEDULE_WEBHOOK_ATTEMPTS"),
                settings.getfloat("SCHEDULE_WEBHOOK_BACKOFF"),
            )
        launcher: Launcher
        if opts.scrapyd:
            launcher = ScrapydLauncher(
                Scrapyd(opts.scrapyd),
                settings["SCHEDULE_SCRAPYD_PROJECT"],
                spider,
                list(opts.spargs),
                list(opts.set),
                settings.getfloat("SCHEDULE_POLL_INTERVAL"),
            )
        else:
            launcher = ProcessLauncher(spider, list(opts.spargs), list(opts.set), str(Path.cwd()))
            if url and spider == "inferencemax":  # serving workers, when up, do the run
                crawl_settings = cast(Settings, settings)  # spider_settings made them
                launcher = ServingOrProcess(
                    client, crawl_settings, spider, launcher, arglist_to_dict(opts.spargs)
                )
        return Scheduler(
            spider,
            schedule,
            launcher,
            lock,
            state,
            data_dir,
            Timing(
                catch_up=config.catch_up,
                run_timeout=run_timeout,
                kill_grace=settings.getfloat("SCHEDULE_KILL_GRACE"),
                poll=settings.getfloat("SCHEDULE_POLL_INTERVAL"),
                longest_nap=settings.getfloat("SCHEDULE_MAX_SLEEP"),
            ),
            webhook,
            config.notify.on_change,
            stop,
            after_success=ChartsAfterRun(
                data_dir,
                list(opts.set),
                str(Path.cwd()),
                settings.getfloat("SCHEDULE_CHARTS_TIMEOUT"),
            )
            if settings.getbool("SCHEDULE_CHARTS") and not settings.getbool("ARCHIVE_CHARTS")
            else None,
        )
