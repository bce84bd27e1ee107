"""When resource-aware scheduling is on, and the niceness a crawling worker takes: the one
reading of ``RESOURCES_ENABLED``, ``REDIS_URL`` and ``RESOURCES_NICE``, shared by the
add-on, ``scrapy crawl`` (which renices a worker before its spider loads) and
:class:`~benchcrawl.middlewares.resource_aware.ResourceAwareMiddleware`.

Only a process that crawls is reniced: a settings pass (an add-on's hook, ``scrapy
monitor``, ``scrapy schedule``, ``scrapy seed``) changes no process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchcrawl.exceptions import ConfigError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def resource_aware_off(settings: BaseSettings) -> str | None:
    """Why resource-aware scheduling is off with *settings*, or ``None`` when it is on."""
    if not settings.getbool("RESOURCES_ENABLED"):
        return "RESOURCES_ENABLED is off"
    if not settings.get("REDIS_URL"):
        return "resource-aware scheduling needs the shared frontier (REDIS_URL)"
    return None


def nice_setting(settings: BaseSettings) -> int:
    """``RESOURCES_NICE`` as a niceness, or a ``ConfigError`` that names the bad value."""
    value = settings.get("RESOURCES_NICE")
    try:
        nice = int(value)
    except (TypeError, ValueError):
        nice = -1
    if not 0 <= nice <= 19 or isinstance(value, float):
        raise ConfigError(f"RESOURCES_NICE must be a whole number from 0 to 19, not {value!r}")
    return nice


def worker_nice(settings: BaseSettings) -> int | None:
    """The niceness a crawling worker takes with *settings* (``RESOURCES_NICE``), or
    ``None`` when resource-aware scheduling is off; a ``ConfigError`` for a bad value."""
    if resource_aware_off(settings) is not None:
        return None
    return nice_setting(settings)
