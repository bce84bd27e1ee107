"""The one way benchcrawl's components add to a Scrapy stat."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector


def inc(stats: StatsCollector | None, key: str, count: float = 1) -> None:
    """Add *count* to the stat *key*; nothing for 0 or without a stats collector. A
    fraction (seconds) is added with ``set_value``, rounded to the millisecond: Scrapy types
    ``inc_value`` for whole numbers."""
    if not count or stats is None:
        return
    if isinstance(count, int):
        stats.inc_value(key, count)
    else:
        stats.set_value(key, round(stats.get_value(key, 0) + count, 3))
