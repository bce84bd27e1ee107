"""Helpers for the pipeline tests: a spider holding an in-process sweep record, items made
from the replica's generated data files, and a way to await ``async def process_item``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from scrapy import Spider

from benchcrawl.items import CombinationResult, SweepTables
from benchcrawl.replica.data import CATALOG, dump, file_name, generate_combination
from benchcrawl.sweep.memory import MemorySweepStore

SLUG = dict(CATALOG["models"]) | dict(CATALOG["sequences"])
PLAN = [("gpt-oss 120B", "1K / 1K"), ("DeepSeek R1 0528", "8K / 1K")]


class SweepSpider(Spider):
    """What the pipelines need of the InferenceMAX spider: its sweep record."""

    name = "inferencemax"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sweep_store = MemorySweepStore()


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Await one ``async def process_item`` on a private event loop."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def served(model: str, sequence: str, rows: tuple[int, int] = (30, 40)) -> dict[str, list[dict]]:
    """Generated (interactivity, e2e) records of one combination, keyed by kind."""
    inter, e2e = generate_combination(SLUG[model], SLUG[sequence], seed=7, rows=rows)
    return {"interactivity": inter, "e2e": e2e}


def result(
    sweep_id: str, index: int, model: str, sequence: str, kind: str, records: Any
) -> CombinationResult:
    """A captured file, as the spider emits it (``records`` still unparsed)."""
    body = records if isinstance(records, bytes) else dump(records)
    name = file_name(SLUG[model], SLUG[sequence], kind)
    return CombinationResult(
        sweep_id,
        index,
        model,
        sequence,
        kind,
        f"http://127.0.0.1:9/data/inference-performance/{name}",
        "2025-10-25T00:00:01+00:00",
        200,
        "application/json; charset=utf-8",
        body,
    )


def sweep_tables(sweep_id: str, files: dict[tuple[str, str], dict[str, Any]]) -> SweepTables:
    """A finished sweep of ``files`` ((model, sequence) -> kind -> records), validated."""
    from benchcrawl.inferencemax.schema import parse_records

    results = []
    for index, ((model, sequence), kinds) in enumerate(files.items(), start=1):
        for kind in ("interactivity", "e2e"):
            item = result(sweep_id, index, model, sequence, kind, kinds[kind])
            item.records = parse_records(item.body, item.url, item.content_type)
            results.append(item)
    return SweepTables(sweep_id, results, [], len(files))
