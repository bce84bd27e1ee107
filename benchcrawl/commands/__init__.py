"""benchcrawl's Scrapy commands (``COMMANDS_MODULE``): ``crawl``, ``seed``, ``frontier``,
``versions``, ``schedule`` and ``monitor``, one module each."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import UsageError
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader

from benchcrawl.addons import load_addon_settings


def spider_settings(settings: Settings, args: list[str]) -> tuple[Any, Settings]:
    """The one spider class *args* names, and a copy of *settings* as a crawl of it sees
    them (its ``update_settings`` and the add-ons' defaults applied); a usage error else."""
    if len(args) != 1:
        raise UsageError("give exactly one spider name")
    try:
        spidercls = get_spider_loader(settings).load(args[0])
    except KeyError as e:
        raise UsageError(f"no spider named {args[0]!r}") from e
    seen = settings.copy()
    spidercls.update_settings(seen)
    load_addon_settings(seen)
    return spidercls, seen
