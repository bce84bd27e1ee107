"""Settings helpers for components that travel: a package's defaults applied at add-on
priority, and a spider's addition to a component dict (``DOWNLOADER_MIDDLEWARES``, ...).
Used by the add-ons (:mod:`benchcrawl.addons`), the spiders and the commands.

Scrapy's "addon" priority (15) is above "default" (0) and "command" (10), below "project"
(20), "spider" (30) and "cmdline" (40): a project's settings module, a spider's
``custom_settings`` and ``-s NAME=VALUE`` all still win over a default applied here.
"""

from __future__ import annotations

import copy
from types import ModuleType

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings


def apply_defaults(settings: BaseSettings, module: ModuleType) -> None:
    """Set each upper-case name of ``module`` at "addon" priority, unless the settings hold
    it at that priority or above already."""
    addon = SETTINGS_PRIORITIES["addon"]
    for name in dir(module):
        if name.isupper() and (settings.getpriority(name) or 0) < addon:
            settings.set(name, copy.deepcopy(getattr(module, name)), priority="addon")


def add_spider_component(settings: BaseSettings, name: str, cls: type, order: int) -> None:
    """Add ``cls`` to the component dict ``name`` (``DOWNLOADER_MIDDLEWARES``, ...) from a
    spider's ``update_settings``, keeping every entry already there. The dict is then held
    at "spider" priority at least, as ``custom_settings`` would be: Scrapy's runner re-applies
    its own settings over a Crawler given to ``crawl()`` (``crawler.settings.update(...)``),
    which would put back the project's dict over an addition made at the dict's priority."""
    settings.set_in_component_priority_dict(name, cls, order)
    priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"])
    settings.set(name, settings.getdict(name), priority=priority)
