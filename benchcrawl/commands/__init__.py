"""benchcrawl's Scrapy commands (``COMMANDS_MODULE``): ``crawl``, ``seed``, ``frontier``,
``versions``, ``schedule``, ``monitor`` and ``lists``, one module each."""

from __future__ import annotations

from typing import Any

from scrapy.addons import AddonManager
from scrapy.exceptions import NotConfigured, UsageError
from scrapy.settings import BaseSettings, Settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object


def load_addon_settings(settings: BaseSettings) -> None:
    """Apply the ``update_settings`` of every add-on in ``ADDONS``, for a command that reads
    a spider's settings without starting a crawler (``scrapy seed``, ``scrapy frontier``)."""
    AddonManager.load_pre_crawler_settings(settings)
    for path in build_component_list(settings["ADDONS"]):
        addon = load_object(path)
        try:
            instance = addon()
        except TypeError:  # a foreign add-on that needs its crawler: nothing for us here
            continue
        if hasattr(instance, "update_settings"):
            try:
                instance.update_settings(settings)
            except NotConfigured:
                continue


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
