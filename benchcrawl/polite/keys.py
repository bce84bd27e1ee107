"""The polite queue's Redis keys (templates in settings; schema in :mod:`benchcrawl.polite`)
and how its scripts are registered (the frontier's ``_lib.lua``, then ``_polite.lua``,
prepended)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import redis
from scrapy.settings import BaseSettings

from benchcrawl import lua
from benchcrawl.broad.scope import host_of
from benchcrawl.frontier.scripts import LIBRARY


def domain_of(url: str) -> str:
    """The domain whose queue, turn, clock, robots.txt and dedup a request of *url* goes
    with (its host; ``-`` for a URL without one): its queue's name and its partition."""
    return host_of(url) or "-"


def register_polite(server: redis.Redis, name: str) -> Any:
    """``lua/<name>.lua``, with the frontier's ``_lib.lua`` and ``_polite.lua`` prepended."""
    return lua.register(server, "benchcrawl.polite", LIBRARY, "_polite.lua", f"{name}.lua")


@dataclass(frozen=True)
class PoliteKeys:
    ready: str
    queue_prefix: str  # + domain: that domain's zset of request ids
    robots_state: str
    robots_prefix: str  # + domain: that domain's robots.txt entry (expiring string)
    robots_failures: str
    delays: str
    last_fetch: str
    queued: str
    dropped: str
    excluded: str
    seeds: str
    visited: str

    @classmethod
    def from_settings(cls, settings: BaseSettings, spider: str) -> PoliteKeys:
        names = {
            "ready": "BROAD_READY_KEY",
            "queue_prefix": "BROAD_DOMAIN_QUEUE_KEY",
            "robots_state": "BROAD_ROBOTS_STATE_KEY",
            "robots_prefix": "BROAD_ROBOTS_KEY",
            "robots_failures": "BROAD_ROBOTS_FAILURES_KEY",
            "delays": "BROAD_DELAYS_KEY",
            "last_fetch": "BROAD_LAST_FETCH_KEY",
            "queued": "BROAD_QUEUED_KEY",
            "dropped": "BROAD_DROPPED_KEY",
            "excluded": "BROAD_EXCLUDED_KEY",
            "seeds": "BROAD_SEEDS_KEY",
            "visited": "BROAD_VISITED_KEY",
        }
        values = {}
        for field, setting in names.items():
            template = settings[setting]
            if field.endswith("_prefix"):
                if not template.endswith("%(domain)s"):
                    raise ValueError(f"{setting} must end with %(domain)s, not {template!r}")
                template = template[: -len("%(domain)s")]
            values[field] = template % {"spider": spider}
        return cls(**values)

    def all(self) -> list[str]:
        return [getattr(self, f.name) for f in fields(self) if not f.name.endswith("_prefix")]
