"""Stage 1: parse and check every record of every captured file (2025) or answer (2026)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from benchcrawl.inferencemax.schema import RecordError, parse_records
from benchcrawl.inferencex.answer import AnswerError, parse_answer
from benchcrawl.items import CombinationFailure, CombinationResult

logger = logging.getLogger(__name__)


class ValidatePipeline:
    """A file that is not a valid list of records turns its combination into a failure
    naming the URL and the first bad field: never zero rows in silence."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, CombinationResult):
            return item
        try:
            if item.kind == "benchmarks":  # InferenceX: rows kept exactly as served
                item.records = parse_answer(
                    item.body, item.url, item.content_type, item.model, item.sequence
                )
            else:
                item.records = parse_records(item.body, item.url, item.content_type)
        except (RecordError, AnswerError) as e:
            logger.error("invalid data file: %s", e)
            self.stats.inc_value("inferencemax/files/invalid")
            return CombinationFailure(item.sweep_id, item.index, item.model, item.sequence, str(e))
        self.stats.inc_value("inferencemax/files/valid")
        self.stats.inc_value("inferencemax/records/valid", len(item.records))
        return item
