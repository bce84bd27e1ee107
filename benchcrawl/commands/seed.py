"""``scrapy seed SPIDER FILE``: load a seed file into a spider's polite Redis frontier.

The file holds one domain or URL per line (``#`` comments); a bad line is reported with its
number and skipped. The seed domains go into the seed set (only they, and with
``BROAD_ALLOW_SUBDOMAINS`` their subdomains, are crawled) and their URLs into the frontier,
deduplicated like any request. ``--exclude FILE`` adds domains to the exclusion set, which
running workers obey at once. With a frontier in partitions, both sets are written to every
partition and each URL goes to its domain's (see :mod:`benchcrawl.polite`).
"""

from __future__ import annotations

import argparse
import sys

from scrapy import Request
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.misc import build_from_crawler, load_object

from benchcrawl.broad.seeds import BadLine, Seed, read_seeds
from benchcrawl.commands import load_addon_settings
from benchcrawl.connection import (
    REDIS_ERRORS,
    check_redis,
    frontier_client,
    partition_scopes,
    redact,
)
from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.frontier.dupefilter import RedisDupeFilter, dedup_options
from benchcrawl.frontier.factory import partitions, partitions_key
from benchcrawl.frontier.interface import FrontierKeys, Push
from benchcrawl.frontier.partitions import PartitionedQueue
from benchcrawl.frontier.serialize import RequestCodec
from benchcrawl.polite.domains import domain_state
from benchcrawl.polite.keys import PoliteKeys
from benchcrawl.polite.queue import PoliteQueue


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <spider> <seed file>"

    def short_desc(self) -> str:
        return "Load seed domains/URLs (and exclusions) into a spider's polite Redis frontier"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--exclude", metavar="FILE", help="also add the domains of FILE to the exclusion set"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2:
            raise UsageError("give a spider name and a seed file")
        assert self.settings is not None
        settings = self.settings.copy()
        name, path = args
        try:
            spidercls = get_spider_loader(settings).load(name)
        except KeyError as e:
            raise UsageError(f"no spider named {name!r}") from e
        spidercls.update_settings(settings)
        load_addon_settings(settings)  # the frontier's defaults, as a crawl has them
        try:
            self.exitcode = _seed(settings, spidercls, name, path, opts.exclude)
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
        except REDIS_ERRORS as e:
            url = redact(settings["REDIS_URL"])
            print(f"benchcrawl: Redis at {url} failed: {e}", file=sys.stderr)
            self.exitcode = 1


def _read(path: str, what: str) -> tuple[list[Seed], list[BadLine]]:
    try:
        seeds, bad = read_seeds(path)
    except (OSError, UnicodeError) as e:
        raise BenchcrawlError(f"cannot read the {what} file {path} ({e}).") from e
    for line in bad:
        print(f"benchcrawl: {line.message(path)}", file=sys.stderr)
    return seeds, bad


def _seed(settings: Settings, spidercls: type, name: str, path: str, exclude: str | None) -> int:
    if not settings.get("REDIS_URL"):
        raise BenchcrawlError("REDIS_URL is not set; the frontier lives in Redis.")
    if not issubclass(load_object(settings["FRONTIER_QUEUE_CLASS"]), PoliteQueue):
        raise BenchcrawlError(
            f"spider {name!r} does not use the polite queue (FRONTIER_QUEUE_CLASS); seed "
            f"files are for the broad crawl."
        )
    seeds, bad = _read(path, "seed")
    excluded = _read(exclude, "exclusion")[0] if exclude else []
    if not seeds:
        raise BenchcrawlError(f"{path} has no valid seed line; nothing was loaded.")
    check_redis(settings["REDIS_URL"], settings.getfloat("REDIS_CONNECT_TIMEOUT"))

    crawler = Crawler(spidercls, settings)
    spider = spidercls()
    server = frontier_client(settings)
    n = partitions(server, settings, name, PoliteQueue)
    scopes = partition_scopes(server, name, n)
    fingerprinter = build_from_crawler(
        load_object(settings["REQUEST_FINGERPRINTER_CLASS"]), crawler
    )
    dupefilter = RedisDupeFilter(
        server,
        settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": scopes[0]},
        fingerprinter,
        **dedup_options(settings),
    )
    parts = [
        PoliteQueue(
            server,
            FrontierKeys.from_settings(settings, scope),
            "scrapy-seed-command",
            dupefilter.mode,
            PoliteKeys.from_settings(settings, scope),
            min_delay=0,
            lookahead=0,
            domain_cap=settings.getint("BROAD_DOMAIN_CAP"),
            idle_poll=settings.getfloat("FRONTIER_IDLE_POLL_INTERVAL"),
        )
        for scope in scopes
    ]
    if n > 1:
        dupefilter.partition(
            [part.keys.dupefilter for part in parts],
            dedup_options(settings, n)["bloom"],
            PoliteQueue.route_key,
        )
    dupefilter.open()
    queue = parts[0] if n == 1 else PartitionedQueue(parts, partitions_key(server, settings, name))
    # the seed and exclusion sets are copied in every partition (see benchcrawl.polite)
    state = domain_state(settings, name)
    new_domains = state.add_seeds(sorted({s.domain for s in seeds}))
    new_excluded = state.add_excluded(sorted({s.domain for s in excluded}))
    codec = RequestCodec(spider, settings.getlist("FRONTIER_TRANSIENT_META_KEYS"))
    pushes = []
    for seed in seeds:
        request = Request(seed.url, callback=spider.parse, errback=spider.on_error)
        fingerprint = dupefilter.fingerprint(request)
        key = dupefilter.key_of(fingerprint)
        partition = dupefilter.partition_of(request.url, fingerprint)
        pushes.append(Push(True, 0, codec.encode(request), key, partition))
    result = queue.commit(pushes, [], [])
    print(
        f"seeded {name}: {len(seeds)} URLs ({result.pushed} new) of "
        f"{len({s.domain for s in seeds})} domains ({new_domains} new); "
        f"{len(bad)} bad lines skipped"
        + (f"; {new_excluded} domains newly excluded" if exclude else "")
    )
    return 0
