"""benchcrawl's own exceptions. Scrapy's (IgnoreRequest, DropItem, CloseSpider,
NotConfigured) are reused wherever they fit."""

from __future__ import annotations


class BenchcrawlError(Exception):
    """Base class: an expected failure whose message is one sentence for the user."""


class ConfigError(BenchcrawlError):
    """The job config file is missing, unreadable or wrong (message names file and key)."""


class RedisUnavailable(BenchcrawlError):
    """Redis could not be reached (message names the URL and what to do)."""


class BrowserError(BenchcrawlError):
    """The browser cannot be started (message names what is missing and what to do)."""


class DashboardError(BenchcrawlError):
    """The dashboard page did not behave as expected (no dropdown, no data response...)."""


class ArchiveError(BenchcrawlError):
    """A version could not be written; the previous ``latest/`` is untouched."""


class RequestNotSerializable(BenchcrawlError, TypeError):
    """A request holds a value the frontier cannot store as JSON (message names where)."""
