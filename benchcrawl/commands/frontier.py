"""``scrapy frontier SPIDER``: what the spider's Redis frontier holds, and its two repairs.

Shows queued requests, leases by worker, failed requests with reasons and the seen count;
``--requeue-failed`` puts failed requests back in the queue; ``--purge`` deletes the whole
frontier of the spider (queue, leases, failures, dedup), which closing a worker never does.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import redis
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from benchcrawl.commands import load_addon_settings
from benchcrawl.connection import REDIS_ERRORS, check_redis, frontier_client, redact
from benchcrawl.exceptions import BenchcrawlError
from benchcrawl.frontier.dupefilter import stored_seen
from benchcrawl.frontier.factory import frontier_queue, purge_frontier
from benchcrawl.frontier.interface import FrontierKeys
from benchcrawl.frontier.partitions import locate, partition_keys
from benchcrawl.frontier.serialize import url_of


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] <spider>"

    def short_desc(self) -> str:
        return "Show, re-queue the failures of, or purge a spider's Redis frontier"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--failed",
            type=int,
            default=20,
            metavar="N",
            help="show up to N failed requests (default 20)",
        )
        parser.add_argument(
            "--requeue-failed",
            action="store_true",
            help="put every failed request back in the queue",
        )
        parser.add_argument(
            "--purge",
            action="store_true",
            help="delete the spider's whole frontier (queue, leases, dedup)",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        assert self.settings is not None
        settings = self.settings.copy()
        name = args[0]
        try:
            get_spider_loader(settings).load(name).update_settings(settings)
            load_addon_settings(settings)  # the frontier's defaults, as a crawl has them
        except KeyError as e:
            raise UsageError(f"no spider named {name!r}") from e
        try:
            if not settings.get("REDIS_URL"):
                raise BenchcrawlError("REDIS_URL is not set; the frontier lives in Redis.")
            check_redis(settings["REDIS_URL"], settings.getfloat("REDIS_CONNECT_TIMEOUT"))
            server = frontier_client(settings)
            queue = frontier_queue(server, settings, name)  # the spider's own queue
            keys = partition_keys(queue)
            if opts.purge:
                deleted = purge_frontier(server, settings, name, queue)
                print(f"purged the frontier of {name}: {deleted} keys deleted")
                return
            if opts.requeue_failed:
                print(f"re-queued {queue.requeue_failed()} failed requests of {name}")
            report = queue.report(failed_limit=opts.failed)
            seen = stored_seen(server, [k.dupefilter for k in keys])
            report["seen"], report["seen_kind"] = seen
            report["failed_sample"] = [
                {"id": i, "url": _url(server, queue, i), **rec}
                for i, rec in report["failed_sample"]
            ]
        except BenchcrawlError as e:
            print(f"benchcrawl: {e}", file=sys.stderr)
            self.exitcode = 1
            return
        except REDIS_ERRORS as e:
            print(
                f"benchcrawl: Redis at {redact(settings['REDIS_URL'])} failed: {e}", file=sys.stderr
            )
            self.exitcode = 1
            return
        if opts.json:
            print(json.dumps(report, indent=2))
        else:
            print(_text(name, keys[0], report))


def _url(server: redis.Redis, queue: Any, lease: str) -> str | None:
    keys, inner = locate(queue, lease)
    data = server.hget(keys.data, inner)
    try:
        return url_of(data) if data else None
    except ValueError:  # not a request (anyone with the Redis can write it)
        return None


def _text(name: str, keys: FrontierKeys, r: dict[str, Any]) -> str:
    lines = [
        f"frontier of {name} ({keys.queue}"
        + (f", {r['partitions']} partitions)" if r.get("partitions") else ")"),
        f"queued:  {r['queued']}",
        f"leased:  {sum(r['leases'].values())}",
    ]
    for worker, n in sorted(r["leases"].items()):
        age = r["workers"].get(worker)
        seen = f"heartbeat {age:.0f} s ago" if age is not None else "no heartbeat"
        lines.append(f"  {worker}: {n} ({seen})")
    if r["next_lease_expiry_s"] is not None:
        lines.append(f"  next lease expires in {r['next_lease_expiry_s']:.0f} s")
    lines.append(f"failed:  {r['failed']}")
    for f in r["failed_sample"]:
        lines.append(f"  {f['id']} {f['url']}: {f['reason']}")
    if r["failed"] > len(r["failed_sample"]):
        lines.append(f"  ... and {r['failed'] - len(r['failed_sample'])} more")
    lines.append(f"seen:    {r['seen']} ({r['seen_kind']})")
    lines.append(f"workers: {len(r['workers'])}")
    for worker, age in sorted(r["workers"].items(), key=lambda kv: kv[1]):
        lines.append(f"  {worker}: heartbeat {age:.0f} s ago")
    return "\n".join(lines)
