"""Stage 3: build the interactivity and e2e tables of a finished sweep and join them on
the six keys (model_name, sequence_length, conc, hwKey, precision, tp). An InferenceX (2026)
sweep has one answer per combination and nothing to join: it passes on to the archive with
its answers' rows parsed."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from benchcrawl.inferencemax.schema import parse_records, sequence_length
from benchcrawl.inferencex.answer import parse_answer
from benchcrawl.items import INFERENCEX, MergedSweep, SweepTables

logger = logging.getLogger(__name__)


def build_sides(tables: SweepTables) -> dict[str, Any]:
    """One DataFrame per kind from the sweep's validated results."""
    # pandas loads only in the one worker that finishes a sweep (a faster start for all)
    from benchcrawl.inferencemax.table import flatten, side_table

    rows: dict[str, list[dict[str, Any]]] = {}
    for result in tables.results:
        if result.records is None:  # stored by another worker: records travel as the body
            result.records = parse_records(result.body, result.url, result.content_type)
        rows.setdefault(result.kind, []).extend(
            flatten(result.records, result.model, sequence_length(result.sequence))
        )
    return {kind: side_table(kind_rows) for kind, kind_rows in rows.items()}


class MergePipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MergePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, SweepTables):
            return item
        if item.failures:  # a partial sweep is never merged into a version
            return MergedSweep(item.sweep_id, item, None, None, None, "", False)
        if any(r.kind == "benchmarks" for r in item.results):
            for r in item.results:  # stored by another worker: rows travel as the body
                if r.records is None:
                    r.records = parse_answer(r.body, r.url, r.content_type, r.model, r.sequence)
            # InferenceX: no two files to join; the archive builds its table from the rows
            return MergedSweep(item.sweep_id, item, None, None, None, "", True, INFERENCEX)
        from benchcrawl.inferencemax.table import merge_tables

        sides = build_sides(item)
        result = merge_tables(sides["interactivity"], sides["e2e"])
        if not result.ok:
            logger.warning("merge of sweep %s: %s", item.sweep_id, result.report())
        self.stats.set_value("inferencemax/merged/rows", len(result.merged))
        for side, dup in result.duplicates.items():
            if not dup.empty:
                self.stats.set_value(f"inferencemax/merged/duplicate_rows/{side}", len(dup))
        for side, only in (("inter", result.only_inter), ("e2e", result.only_e2e)):
            if not only.empty:
                self.stats.set_value(f"inferencemax/merged/only_{side}", len(only))
        return MergedSweep(
            item.sweep_id,
            item,
            sides["interactivity"],
            sides["e2e"],
            result.merged,
            result.report(),
            result.ok,
        )
